"""Goals for the demo company: quotas sized from skill, season and ramp-up, rolled up the tree.

`goals_calibrate` reads, once the sales history is booked, what a steady and fully productive
seller of each division sells per month of average season (the "standard quota"), wins and
logs — from every seller productive all through the history, each counted as the multiple of
a steady seller their profile does; `goals_plan` turns it into a `GoalBook`:

- a monthly revenue goal for every seller in every month of the history (the current month
  included) they work in: standard quota × season of the month × skill factor × a small
  personal factor × ramp-up (new hires) × the share of the month they are employed, rounded
  to 100 EUR;
- monthly revenue goals of every team, business unit, division and the company, each exactly
  the sum of the goals below it (the goals below name it as their parent);
- a yearly gross-margin goal of the company (a yearly revenue goal would overlap the monthly
  ones, which the goals service refuses);
- quarterly `deals_won` and `activities` goals for the sellers of one division;
- a few revisions (economy, competition, performance), each followed up the tree so the sums
  still hold, and acknowledgements of the current month's goal by most sellers.

Deterministic: only `random.Random` streams seeded from strings (one for the events, one per
seller), lists in a fixed order, and every timestamp derived from a date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from attain.core.money import quantize_money
from attain.core.periods import add_months, month_of
from attain.demo import data
from attain.demo.generator import Org, Seller, at, workday
from attain.demo.plans import GoalAcknowledgementPlan, GoalBook, GoalPlan, GoalRevisionPlan
from attain.goals.models import PeriodKind, RevisionReason, ScopeKind
from attain.goals.services import period_bounds
from attain.orders.models import OrderLine, OrderStatus
from attain.organization.models import OrgUnit, Person, UnitKind
from attain.pipeline.models import Activity, Deal, DealStatus

#: Goal factor by skill profile: stars get more, laggards less (they still miss it).
SKILL_FACTOR = {"star": Decimal("1.3"), "steady": Decimal("1.0"), "laggard": Decimal("0.85")}
#: What each profile does, as a multiple of a steady seller: revenue as measured over seeds 1–6
#: at small scale (win rate × deal size, less the rounding of small quantities), deals won
#: by win rate, activities by activity factor (data.PROFILES).
EXPECTED = {
    "revenue": {"star": Decimal("1.9"), "steady": Decimal(1), "laggard": Decimal("0.45")},
    "deals_won": {"star": Decimal("1.5"), "steady": Decimal(1), "laggard": Decimal("0.55")},
    "activities": {"star": Decimal("1.3"), "steady": Decimal(1), "laggard": Decimal("0.7")},
}
#: Revenue goals are round numbers.
REVENUE_STEP = Decimal(100)
MARGIN_STEP = Decimal(1000)
#: The share of sellers who acknowledge their current goal (the demo rep always does).
ACKNOWLEDGE_SHARE = 0.85
ACK_COMMENTS = (
    "",
    "",
    "Discussed in our one-to-one.",
    "Ambitious, but the pipeline is there.",
    "Agreed; two large proposals are due this month.",
)
#: Fallbacks when the history is too short to calibrate from (a few deals only).
FALLBACK = {"revenue": Decimal(5000), "deals_won": Decimal(1), "activities": Decimal(10)}
RAMP_DAYS = 30.4 * data.RAMP_MONTHS


# --- calibration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Per division: what a steady, fully productive seller does per month.

    `revenue` and `deals_won` per month of average season (season weight 1), `activities` per
    month; `margin` is the gross margin share of revenue over the whole history.
    """

    revenue: dict[str, Decimal]
    deals_won: dict[str, Decimal]
    activities: dict[str, Decimal]
    margin: Decimal


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from `start`'s to `end`'s."""
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = add_months(cursor, 1)
    return months


def _season(month: dt.date) -> Decimal:
    return Decimal(str(data.SEASON[month.month - 1]))


def _calibration_window(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The complete months of the history (all of it when none is complete yet)."""
    current = month_of(end)
    if end == current.end:
        return start, end
    before = current.start - dt.timedelta(days=1)
    return (start, before) if before >= start else (start, end)


def _pool(org: Org, division: str, start: dt.date, window_end: dt.date) -> list[Seller]:
    """The sellers to calibrate a division from: those productive all through the window (in
    the division, else anywhere), else everyone."""
    stable = [
        s
        for s in org.sellers
        if (start - s.started_on).days >= RAMP_DAYS
        and (s.left_on is None or s.left_on > window_end + dt.timedelta(days=45))
    ]
    return [s for s in stable if s.division == division] or stable or list(org.sellers)


def _per_seller(
    metric: str, totals: dict[int, Decimal], pool: list[Seller], weight: Decimal
) -> Decimal:
    """Σ over the pool ÷ Σ (the seller's expected multiple of a steady seller × weight)."""
    total = sum((totals.get(s.person.pk, Decimal(0)) for s in pool), Decimal(0))
    expected = sum((EXPECTED[metric][s.profile[0]] for s in pool), Decimal(0)) * weight
    if total <= 0 or expected <= 0:
        return FALLBACK[metric]
    return total / expected


def goals_calibrate(*, org: Org, start: dt.date, end: dt.date) -> Calibration:
    """A few aggregate queries over the booked history (the same rows through either writer);
    figures are kept to cents, so the order the rows were written in cannot change them."""
    low, high = _calibration_window(start, end)
    owners = [s.person.pk for s in org.sellers]
    booked = OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED).filter(
        order__ordered_on__gte=low, order__ordered_on__lte=high, order__owner_id__in=owners
    )
    revenue = {
        owner: quantize_money(Decimal(value or 0))  # SQLite sums floats: back to cents
        for owner, value in booked.values_list("order__owner_id")
        .annotate(v=Sum("net_amount_reporting"))
        .order_by()
    }
    totals = booked.order_by().aggregate(
        net=Sum("net_amount_reporting"), cost=Sum("cost_reporting")
    )
    net = quantize_money(Decimal(totals["net"] or 0))
    cost = quantize_money(Decimal(totals["cost"] or 0))
    margin = ((net - cost) / net).quantize(Decimal("0.01")) if net > 0 else Decimal("0.4")
    won = {
        owner: Decimal(n)
        for owner, n in Deal.objects.filter(
            status=DealStatus.WON, closed_on__gte=low, closed_on__lte=high, owner_id__in=owners
        )
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    logged = {
        owner: Decimal(n)
        for owner, n in Activity.objects.filter(
            occurred_at__gte=at(low, 0),
            occurred_at__lt=at(high + dt.timedelta(days=1), 0),
            owner_id__in=owners,
        )
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    months = _months(low, high)
    seasons = sum((_season(m) for m in months), Decimal(0))
    flat = Decimal(len(months))
    calibration = Calibration(revenue={}, deals_won={}, activities={}, margin=margin)
    for code, _name, _lines in data.DIVISIONS:
        pool = _pool(org, code, low, high)
        calibration.revenue[code] = _per_seller("revenue", revenue, pool, seasons)
        calibration.deals_won[code] = _per_seller("deals_won", won, pool, seasons)
        calibration.activities[code] = _per_seller("activities", logged, pool, flat)
    return calibration


# --- sizing -------------------------------------------------------------------------------------


def employed_share(seller: Seller, start: dt.date, end: dt.date) -> Decimal:
    """The share of the days of [start, end] the seller works (the leaving day included)."""
    first = max(start, seller.started_on)
    last = min(end, seller.left_on) if seller.left_on else end
    if last < first:
        return Decimal(0)
    return Decimal((last - first).days + 1) / Decimal((end - start).days + 1)


def goal_ramp(seller: Seller, month: dt.date) -> tuple[Decimal, int | None]:
    """The ramp-up factor of a month's goal and which ramp-up month it is (None once ramped
    up). Measured at the middle of the month, it grows from 10 % to 100 % over RAMP_MONTHS,
    a month behind productivity (the first deals take a sales cycle to close)."""
    months = (month + dt.timedelta(days=14) - seller.started_on).days / 30.4
    if months >= data.RAMP_MONTHS:
        return Decimal(1), None
    share = min(1.0, max(0.1, (months - 1) / (data.RAMP_MONTHS - 1)))
    return Decimal(str(round(share, 2))), int(max(0.0, months)) + 1


def round_to(value: Decimal, step: Decimal) -> Decimal:
    return ((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(
        Decimal("0.01")
    )


@dataclass(frozen=True)
class Sizing:
    calibration: Calibration
    #: seller index -> personal factor (territory potential, 0.95–1.05)
    personal: dict[int, Decimal]

    def factor(self, seller: Seller) -> Decimal:
        return SKILL_FACTOR[seller.profile[0]] * self.personal[seller.index]

    def revenue(self, seller: Seller, month: dt.date) -> tuple[Decimal, int | None]:
        """A seller's revenue goal for a month (0: not employed) and the ramp-up month."""
        period = month_of(month)
        share = employed_share(seller, period.start, period.end)
        if share == 0:
            return Decimal(0), None
        ramp, ramp_month = goal_ramp(seller, month)
        base = self.calibration.revenue[seller.division]
        value = base * _season(month) * self.factor(seller) * ramp * share
        return max(REVENUE_STEP, round_to(value, REVENUE_STEP)), ramp_month

    def count(self, seller: Seller, metric: str, quarter: tuple[dt.date, dt.date]) -> Decimal:
        """A quarterly count goal (deals won: seasonal; activities: flat); 0: not employed."""
        base = (
            self.calibration.deals_won if metric == "deals_won" else self.calibration.activities
        )[seller.division]
        months = _months(*quarter)
        weight = Decimal(0)
        for month in months:
            period = month_of(month)
            share = employed_share(seller, period.start, period.end)
            if share:
                season = _season(month) if metric == "deals_won" else Decimal(1)
                weight += season * goal_ramp(seller, month)[0] * share
        if weight == 0:
            return Decimal(0)
        return max(Decimal(1), round_to(base * self.factor(seller) * weight, Decimal(1)))


# --- the plan -----------------------------------------------------------------------------------


def _set_at(day: dt.date) -> dt.datetime:
    """Goals are set on a working day a few days before their period starts, at 9:00."""
    before = day - dt.timedelta(days=4)
    return at(workday(before, low=day - dt.timedelta(days=10), high=day - dt.timedelta(days=1)), 9)


def _unit_scope(unit: OrgUnit) -> str:
    return {
        UnitKind.TEAM: ScopeKind.TEAM,
        UnitKind.BUSINESS_UNIT: ScopeKind.BUSINESS_UNIT,
        UnitKind.DIVISION: ScopeKind.DIVISION,
        UnitKind.COMPANY: ScopeKind.COMPANY,
    }[UnitKind(unit.kind)]


class _Planner:
    def __init__(
        self, *, seed: int, org: Org, start: dt.date, end: dt.date, calibration: Calibration
    ) -> None:
        self.seed, self.org, self.start, self.end = seed, org, start, end
        self.rng = random.Random(f"{seed}:goals")
        self.seller_rngs = {s.index: random.Random(f"{seed}:goals:{s.index}") for s in org.sellers}
        self.sizing = Sizing(
            calibration=calibration,
            personal={
                s.index: Decimal(str(round(self.seller_rngs[s.index].uniform(0.95, 1.05), 3)))
                for s in org.sellers
            },
        )
        self.admin: Person = org.logins["admin"]
        self.months = _months(start, end)
        self.book = GoalBook()
        #: (month, seller index) -> the seller's revenue goal
        self.seller_goals: dict[tuple[dt.date, int], GoalPlan] = {}
        self.parent_of: dict[int, OrgUnit] = {u.pk: p for u, p in org.sales_units}
        #: unit pk -> division pk; team and business-unit goals are set by the division's
        #: sales manager, division and company goals by sales operations (the admin)
        self.division_of: dict[int, int] = {}
        self.setter_of: dict[int, Person] = {}
        managers = {division.pk: manager for division, manager in org.divisions.values()}
        for unit, parent in org.sales_units:
            division_pk = unit.pk if unit.kind == UnitKind.DIVISION else self.division_of[parent.pk]
            self.division_of[unit.pk] = division_pk
            if unit.kind != UnitKind.DIVISION:
                self.setter_of[unit.pk] = managers[division_pk]

    @staticmethod
    def goal(
        *,
        scope_kind: str,
        metric: str,
        period_kind: str,
        start: dt.date,
        target: Decimal,
        set_by: Person,
        set_at: dt.datetime,
        person: Person | None = None,
        unit: OrgUnit | None = None,
        notes: str = "",
    ) -> GoalPlan:
        """A goal for the month, quarter or year containing `start` (bounds as the service's)."""
        first, last = period_bounds(period_kind=period_kind, start=start, end=None)
        return GoalPlan(
            scope_kind=scope_kind,
            metric=metric,
            period_kind=period_kind,
            start=first,
            end=last,
            target=target,
            set_by=set_by,
            set_at=set_at,
            person=person,
            unit=unit,
            notes=notes,
        )

    # monthly revenue, bottom-up: sellers, then each unit the sum of the goals below it
    def monthly_revenue(self) -> None:
        org = self.org
        for month in self.months:
            period = month_of(month)
            sellers: list[GoalPlan] = []
            by_team: dict[int, list[GoalPlan]] = {}
            for seller in org.sellers:
                target, ramp_month = self.sizing.revenue(seller, month)
                if target == 0:
                    continue
                notes = (
                    f"Ramp-up goal: month {ramp_month} of {data.RAMP_MONTHS} after joining."
                    if ramp_month
                    else ""
                )
                set_on = _set_at(period.start)
                if seller.started_on > set_on.date():
                    set_on = at(seller.started_on, 9)
                plan = self.goal(
                    scope_kind=ScopeKind.PERSON,
                    metric="revenue",
                    period_kind=PeriodKind.MONTH,
                    start=month,
                    target=target,
                    set_by=seller.leader,
                    set_at=set_on,
                    person=seller.person,
                    notes=notes,
                )
                sellers.append(plan)
                self.seller_goals[(month, seller.index)] = plan
                by_team.setdefault(seller.team.pk, []).append(plan)
            below: dict[int, list[GoalPlan]] = dict(by_team)
            units: list[GoalPlan] = []
            # `sales_units` lists parents first: backwards, every unit comes after the units
            # below it, so its children are complete; the company comes last
            order = [u for u, _p in reversed(org.sales_units)] + [org.company]
            for unit in order:
                children = below.get(unit.pk, [])
                if not children:
                    continue
                plan = self.goal(
                    scope_kind=_unit_scope(unit),
                    unit=unit,
                    metric="revenue",
                    period_kind=PeriodKind.MONTH,
                    start=month,
                    target=sum((c.target for c in children), Decimal(0)),
                    set_by=self.setter_of.get(unit.pk, self.admin),
                    set_at=_set_at(period.start),
                    notes="The sum of the goals below it.",
                )
                for child in children:
                    child.parent = plan
                plan.children = children
                units.append(plan)
                parent = self.parent_of.get(unit.pk)
                if parent is not None:
                    below.setdefault(parent.pk, []).append(plan)
            self.book.goals.extend(reversed(units))  # parents first
            self.book.goals.extend(sellers)

    def yearly_margin(self) -> None:
        """The company's gross-margin budget of each year the history covers from January (and
        of the current year): the year's revenue plan × the margin of the history."""
        years = [
            y for y in range(self.start.year, self.end.year + 1) if dt.date(y, 1, 1) >= self.start
        ]
        if self.end.year not in years:
            years.append(self.end.year)
        margin = self.sizing.calibration.margin
        for year in years:
            plan_total = sum(
                (
                    self.sizing.revenue(seller, dt.date(year, month, 1))[0]
                    for month in range(1, 13)
                    for seller in self.org.sellers
                ),
                Decimal(0),
            )
            self.book.goals.append(
                self.goal(
                    scope_kind=ScopeKind.COMPANY,
                    unit=self.org.company,
                    metric="gross_margin",
                    period_kind=PeriodKind.YEAR,
                    start=dt.date(year, 1, 1),
                    target=max(MARGIN_STEP, round_to(plan_total * margin, MARGIN_STEP)),
                    set_by=self.admin,
                    set_at=_set_at(dt.date(year, 1, 1) - dt.timedelta(days=14)),
                    notes=f"Annual budget: the year's revenue plan × a {margin * 100:.0f} % margin.",
                )
            )

    def quarterly_counts(self) -> None:
        """Deals won and activities per quarter for the sellers of one division."""
        quarters = []
        cursor = period_bounds(period_kind=PeriodKind.QUARTER, start=self.start, end=None)
        if cursor[0] < self.start:
            cursor = period_bounds(
                period_kind=PeriodKind.QUARTER, start=cursor[1] + dt.timedelta(days=1), end=None
            )
        while cursor[0] <= self.end:
            quarters.append(cursor)
            cursor = period_bounds(
                period_kind=PeriodKind.QUARTER, start=cursor[1] + dt.timedelta(days=1), end=None
            )
        sellers = [s for s in self.org.sellers if s.division == data.GOAL_METRICS_DIVISION]
        for quarter in quarters:
            for seller in sellers:
                for metric in ("deals_won", "activities"):
                    target = self.sizing.count(seller, metric, quarter)
                    if target == 0:
                        continue
                    set_on = _set_at(quarter[0])
                    if seller.started_on > set_on.date():
                        set_on = at(seller.started_on, 9)
                    self.book.goals.append(
                        self.goal(
                            scope_kind=ScopeKind.PERSON,
                            metric=metric,
                            period_kind=PeriodKind.QUARTER,
                            start=quarter[0],
                            target=target,
                            set_by=seller.leader,
                            set_at=set_on,
                            person=seller.person,
                        )
                    )

    # revisions: the sellers' goals first, then every goal above them to the new sums
    def revise(
        self,
        goals: list[GoalPlan],
        *,
        factor: Decimal,
        reason_kind: str,
        reason: str,
        day: dt.date,
        hour: int,
    ) -> None:
        if not goals:
            return
        effective = workday(day, low=month_of(day).start, high=month_of(day).end)
        above: dict[int, GoalPlan] = {}  # unit pk -> its goal
        for goal in goals:
            new = max(REVENUE_STEP, round_to(goal.current * factor, REVENUE_STEP))
            self._revision(goal, new, reason_kind, reason, effective, at(effective, hour))
            parent = goal.parent
            while parent is not None:
                above[parent.unit.pk] = parent
                parent = parent.parent
        # teams first, the company last (each sum needs the revised goals below it)
        for goal in sorted(above.values(), key=lambda g: (-len(g.unit.path), g.unit.path)):
            new = sum((c.current for c in goal.children), Decimal(0))
            self._revision(
                goal,
                new,
                reason_kind,
                f"Follows the revised goals below it: {reason}",
                effective,
                at(effective, hour, 30),
            )

    def _revision(
        self,
        goal: GoalPlan,
        new: Decimal,
        reason_kind: str,
        reason: str,
        effective: dt.date,
        revised_at: dt.datetime,
    ) -> None:
        self.book.revisions.append(
            GoalRevisionPlan(
                goal=goal,
                old_target=goal.current,
                new_target=new,
                reason_kind=reason_kind,
                reason=reason,
                revised_by=self.admin,
                effective_from=effective,
                revised_at=revised_at,
            )
        )
        goal.current = new

    def revisions(self) -> None:
        """An economy cut in a summer month for the price-sensitive division, a competition cut
        for one team, and performance changes for two stars and a laggard last month."""
        past = self.months[:-1]  # never the current month
        if not past:
            return

        def goals_in(month: dt.date, keep: Callable[[Seller], bool]) -> list[GoalPlan]:
            return [
                self.seller_goals[(month, s.index)]
                for s in self.org.sellers
                if (month, s.index) in self.seller_goals and keep(s)
            ]

        summer = [m for m in past if m.month in (7, 8)]
        economy = summer[-1] if summer else past[0]
        self.revise(
            goals_in(economy, lambda s: s.division == data.PRICE_SENSITIVE_DIVISION),
            factor=Decimal("0.9"),
            reason_kind=RevisionReason.ECONOMY,
            reason="Industrial customers froze capital spending; the plan is lowered by 10 %.",
            day=economy.replace(day=10),
            hour=10,
        )
        competition = past[-3] if len(past) >= 3 else past[0]
        team = self.rng.choice([u for u, _p in self.org.sales_units if u.kind == UnitKind.TEAM])
        self.revise(
            goals_in(competition, lambda s: s.team.pk == team.pk),
            factor=Decimal("0.92"),
            reason_kind=RevisionReason.COMPETITION,
            reason="A competitor cut its prices in the team's region; goals lowered by 8 %.",
            day=competition.replace(day=15),
            hour=11,
        )
        last = past[-1]
        stars = goals_in(last, lambda s: s.profile[0] == "star")
        laggards = goals_in(last, lambda s: s.profile[0] == "laggard")
        self.revise(
            self.rng.sample(stars, min(2, len(stars))),
            factor=Decimal("1.15"),
            reason_kind=RevisionReason.PERFORMANCE,
            reason="Far ahead of plan after the first weeks; goal raised by 15 %.",
            day=last.replace(day=18),
            hour=14,
        )
        self.revise(
            self.rng.sample(laggards, min(1, len(laggards))),
            factor=Decimal("0.85"),
            reason_kind=RevisionReason.PERFORMANCE,
            reason="Coaching plan agreed: goal lowered by 15 % to a reachable level.",
            day=last.replace(day=20),
            hour=15,
        )

    def acknowledgements(self) -> None:
        """Most sellers acknowledge the current month's goal in its first working days."""
        month = self.months[-1]
        demo_rep = self.org.logins.get("rep")
        for seller in self.org.sellers:
            goal = self.seller_goals.get((month, seller.index))
            rng = self.seller_rngs[seller.index]
            draw = rng.random()
            offset = rng.randint(0, 4)
            hour, minute = rng.randint(10, 17), rng.choice((0, 15, 30, 45))
            comment = rng.choice(ACK_COMMENTS)
            if goal is None or (draw >= ACKNOWLEDGE_SHARE and seller.person != demo_rep):
                continue
            # a working day after the goal was set, by the end date and while still employed
            last = min(self.end, seller.left_on) if seller.left_on else self.end
            first = max(
                month + dt.timedelta(days=offset), goal.set_at.date() + dt.timedelta(days=1)
            )
            day = workday(first, low=first, high=month_of(month).end)
            day = max(min(day, last), goal.set_at.date())
            if day > last:
                continue
            self.book.acknowledgements.append(
                GoalAcknowledgementPlan(
                    goal=goal,
                    person=seller.person,
                    acknowledged_at=at(day, hour, minute),
                    comment=comment,
                )
            )


def goals_plan(
    *, seed: int, org: Org, start: dt.date, end: dt.date, calibration: Calibration
) -> GoalBook:
    """Every goal, revision and acknowledgement of the demo (nothing is written here)."""
    planner = _Planner(seed=seed, org=org, start=start, end=end, calibration=calibration)
    planner.monthly_revenue()
    planner.yearly_margin()
    planner.quarterly_counts()
    planner.revisions()
    planner.acknowledgements()
    return planner.book
