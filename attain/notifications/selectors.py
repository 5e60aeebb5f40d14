"""What the mails say and who gets them: the weekly digest of a leader's units, the daily
reminders of what needs a person, and the recipients of each (opted in, with an email address
and an active login). Everything here is a read; the figures come from the analytics and goals
selectors, unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from attain.analytics.alerts import Alert, alerts_list
from attain.analytics.history import stamps_memo
from attain.analytics.metrics import Metric, metric_get
from attain.analytics.selectors import Scope, metric_value
from attain.core.money import CENT, quantize_money
from attain.core.periods import valid_on_q
from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision
from attain.goals.selectors import (
    GoalProgress,
    LeaderboardRow,
    goal_progress_list,
    goal_to_date,
    leaderboard_list,
)
from attain.orders.models import Order
from attain.orders.selectors import LifecycleStep, order_lifecycle
from attain.organization.models import LEADING_ROLES, Membership, OrgUnit, Person
from attain.pipeline.models import Deal

#: The digest shows this many early warnings per unit, the most significant first.
DIGEST_ALERTS = 5
#: Long seller rankings show this many sellers at the top and at the bottom.
DIGEST_SELLERS_EDGE = 5
ATTAINMENT_PLACES = Decimal("0.1")


def _leading_memberships(on: dt.date) -> QuerySet[Membership]:
    """Memberships with a leading role (manager, assistant manager, team leader) valid on `on`
    in an active unit: the units their holders lead, as `organization.visibility` reads them."""
    return Membership.objects.filter(
        valid_on_q(on), role__in=sorted(LEADING_ROLES), unit__is_active=True
    )


def led_units(*, person: Person, on: dt.date) -> list[OrgUnit]:
    """The units `person` leads on `on`, in tree order (each once)."""
    unit_ids = _leading_memberships(on).filter(person=person).values("unit_id")
    return list(OrgUnit.objects.filter(pk__in=unit_ids).order_by("path"))


def _mailable(people: QuerySet[Person]) -> QuerySet[Person]:
    """People a mail can go to: an email address and an active login (the opt-out and the
    links in every mail belong to the login)."""
    return (
        people.filter(user__isnull=False, user__is_active=True)
        .exclude(email="")
        .select_related("user__preference")
        .order_by("last_name", "first_name", "pk")
    )


# --- the weekly digest -------------------------------------------------------------------------


def digest_week(on: dt.date) -> tuple[dt.date, dt.date]:
    """The week a digest sent on `on` reports: the last complete week (Monday–Sunday) before the
    week of `on`."""
    monday = on - dt.timedelta(days=on.weekday())
    return monday - dt.timedelta(weeks=1), monday - dt.timedelta(days=1)


def digest_key(on: dt.date) -> str:
    """The idempotency key of the digest of `on`'s week, e.g. "digest:2026-W49"."""
    year, week, _weekday = on.isocalendar()
    return f"digest:{year}-W{week:02d}"


@dataclass(frozen=True)
class RevenueFigure:
    """Revenue over [start, end] against the unit's revenue goals spread evenly over their days
    (`goal`: None without a goal; `attainment`: revenue ÷ goal × 100, one decimal)."""

    start: dt.date
    end: dt.date
    revenue: Decimal
    goal: Decimal | None
    attainment: Decimal | None


@dataclass(frozen=True)
class GoalLine:
    """One goal of the unit in force at the end of the week, with its progress then."""

    metric: Metric | None
    progress: GoalProgress


@dataclass(frozen=True)
class SellerLine:
    """A line of the seller ranking as shown: a row, or a gap of `skipped` rows."""

    row: LeaderboardRow | None
    skipped: int = 0


@dataclass(frozen=True)
class UnitDigest:
    unit: OrgUnit
    week: RevenueFigure
    month: RevenueFigure
    goals: tuple[GoalLine, ...]
    sellers: tuple[LeaderboardRow, ...]  # month to date, ranked by attainment
    alerts: tuple[Alert, ...]  # the DIGEST_ALERTS most significant
    alerts_total: int

    @property
    def seller_lines(self) -> list[SellerLine]:
        rows = list(self.sellers)
        edge = DIGEST_SELLERS_EDGE
        if len(rows) <= 2 * edge + 1:  # a gap of one seller would hide nothing worth hiding
            return [SellerLine(row) for row in rows]
        return [
            *(SellerLine(row) for row in rows[:edge]),
            SellerLine(None, skipped=len(rows) - 2 * edge),
            *(SellerLine(row) for row in rows[-edge:]),
        ]


@dataclass(frozen=True)
class Digest:
    """A leader's weekly digest: for each unit they lead, last week's and this month's revenue
    against the goal, the unit's goals, its sellers ranked by attainment and its early warnings.
    Everything is as of the end of the reported week (`as_of`, a Sunday); the month runs from the
    first day of that Sunday's month."""

    person: Person
    on: dt.date
    week_start: dt.date
    week_end: dt.date
    month_start: dt.date
    units: tuple[UnitDigest, ...]

    @property
    def as_of(self) -> dt.date:
        return self.week_end

    @property
    def key(self) -> str:
        return digest_key(self.on)


def _figure(
    revenue: Decimal | None, goals: list[Goal], start: dt.date, end: dt.date
) -> RevenueFigure:
    amount = quantize_money(revenue or Decimal(0))
    goal = None
    attainment = None
    if goals:
        goal = goal_to_date(goals, start, end).quantize(CENT, ROUND_HALF_UP)
        if goal:
            attainment = (amount * 100 / goal).quantize(ATTAINMENT_PLACES, ROUND_HALF_UP)
    return RevenueFigure(start, end, amount, goal, attainment)


def _metric(key: str) -> Metric | None:
    try:
        return metric_get(key)
    except KeyError:
        return None


def unit_digest(
    *, unit: OrgUnit, week_start: dt.date, week_end: dt.date, month_start: dt.date
) -> UnitDigest:
    scope = Scope(unit_path=unit.path)
    first = min(week_start, month_start)
    revenue_goals = list(
        Goal.objects.filter(
            unit=unit,
            metric="revenue",
            start__lte=week_end,
            end__gte=first,
            product_line__isnull=True,
            product__isnull=True,
            territory__isnull=True,
            segment="",
        ).only("start", "end", "target")
    )
    week = _figure(
        metric_value(metric="revenue", scope=scope, start=week_start, end=week_end),
        revenue_goals,
        week_start,
        week_end,
    )
    month = _figure(
        metric_value(metric="revenue", scope=scope, start=month_start, end=week_end),
        revenue_goals,
        month_start,
        week_end,
    )
    goals = list(
        Goal.objects.filter(unit=unit)
        .active_on(week_end)
        .select_related("unit", "product_line", "product", "territory")
        .prefetch_related(
            Prefetch("revisions", queryset=GoalRevision.objects.order_by("revised_at", "pk"))
        )
        .order_by("metric", "start", "pk")
    )
    progress = goal_progress_list(goals=goals, on=week_end)
    sellers = leaderboard_list(scope=scope, start=month_start, end=week_end, on=week_end)
    warnings = alerts_list(scope=scope, on=week_end + dt.timedelta(days=1))
    return UnitDigest(
        unit=unit,
        week=week,
        month=month,
        goals=tuple(GoalLine(_metric(p.goal.metric), p) for p in progress),
        sellers=tuple(sellers),
        alerts=tuple(warnings.items[:DIGEST_ALERTS]),
        alerts_total=len(warnings.items),
    )


def digest_for(*, person: Person, on: dt.date) -> Digest:
    """The digest `person` gets on `on` (no units: they lead none, and get no digest)."""
    week_start, week_end = digest_week(on)
    month_start = week_end.replace(day=1)
    with stamps_memo():  # the rollups' history stamps are read once for the whole digest
        units = tuple(
            unit_digest(
                unit=unit, week_start=week_start, week_end=week_end, month_start=month_start
            )
            for unit in led_units(person=person, on=on)
        )
    return Digest(person, on, week_start, week_end, month_start, units)


def digest_recipients(*, on: dt.date) -> QuerySet[Person]:
    """Everyone leading a unit on `on` who can get mail and has not turned the digest off."""
    leaders = Person.objects.filter(pk__in=_leading_memberships(on).values("person_id"))
    return _mailable(leaders).exclude(user__preference__email_digest=False)


# --- the daily reminders -----------------------------------------------------------------------


def reminder_key(on: dt.date) -> str:
    return f"reminder:{on.isoformat()}"


def _unacknowledged(on: dt.date) -> QuerySet[Goal]:
    """Person goals not over by `on` that their person has not acknowledged."""
    acknowledged = GoalAcknowledgement.objects.filter(
        goal_id=OuterRef("pk"), person_id=OuterRef("person_id")
    )
    return Goal.objects.filter(person__isnull=False, end__gte=on).filter(~Exists(acknowledged))


def _overdue_deals(on: dt.date) -> QuerySet[Deal]:
    """Open deals whose expected close date has passed."""
    return Deal.objects.open().filter(expected_close_on__lt=on)


def _late_orders(on: dt.date) -> QuerySet[Order]:
    """Orders with a step past its promised date and not done (`orders.querysets.late_q`)."""
    return Order.objects.late(on)


@dataclass(frozen=True)
class LateOrder:
    order: Order
    steps: tuple[LifecycleStep, ...]  # the steps past their promised date and not done


@dataclass(frozen=True)
class TeamDue:
    """What is due in a unit a leader leads (everyone in it, the leader included)."""

    unit: OrgUnit
    goals: int
    deals: int
    orders: int

    @property
    def total(self) -> int:
        return self.goals + self.deals + self.orders


@dataclass(frozen=True)
class Reminders:
    person: Person
    on: dt.date
    goals: tuple[Goal, ...]  # to acknowledge
    deals: tuple[Deal, ...]  # open, expected close date passed
    orders: tuple[LateOrder, ...]  # a promised step date passed without the step
    teams: tuple[TeamDue, ...]  # the led units with something due

    @property
    def key(self) -> str:
        return reminder_key(self.on)

    @property
    def own_count(self) -> int:
        return len(self.goals) + len(self.deals) + len(self.orders)

    @property
    def is_empty(self) -> bool:
        return not self.own_count and not self.teams


def team_due(*, unit: OrgUnit, on: dt.date) -> TeamDue:
    members = Membership.objects.filter(valid_on_q(on), unit__path__startswith=unit.path)
    return TeamDue(
        unit=unit,
        goals=_unacknowledged(on).filter(person_id__in=members.values("person_id")).count(),
        deals=_overdue_deals(on).filter(unit_path__startswith=unit.path).count(),
        orders=_late_orders(on).filter(unit_path__startswith=unit.path).count(),
    )


def reminders_for(*, person: Person, on: dt.date) -> Reminders:
    """What needs `person` on `on`: their goals to acknowledge, their open deals past the expected
    close date, their orders with a promised step date passed; for each unit they lead, the same
    counts for everyone in it (units with nothing due are left out)."""
    goals = (
        _unacknowledged(on)
        .filter(person=person)
        .select_related("product_line", "product", "territory")
        .order_by("start", "metric", "pk")
    )
    deals = _overdue_deals(on).filter(owner=person).select_related("account")
    orders = _late_orders(on).filter(owner=person).select_related("account")
    late = []
    for order in orders.order_by("ordered_on", "pk"):
        steps = tuple(s for s in order_lifecycle(order=order, on=on) if s.late and not s.done)
        late.append(LateOrder(order, steps))
    teams = [team_due(unit=unit, on=on) for unit in led_units(person=person, on=on)]
    return Reminders(
        person=person,
        on=on,
        goals=tuple(goals),
        deals=tuple(deals.order_by("expected_close_on", "pk")),
        orders=tuple(late),
        teams=tuple(team for team in teams if team.total),
    )


def reminder_recipients(*, on: dt.date) -> QuerySet[Person]:
    """Everyone who can get mail, has not turned reminders off and may have something due on
    `on` (a reminder is built, and sent when not empty, for each of them)."""
    person = OuterRef("pk")
    maybe_due = (
        Q(Exists(_unacknowledged(on).filter(person_id=person)))
        | Q(Exists(_overdue_deals(on).filter(owner_id=person)))
        | Q(Exists(_late_orders(on).filter(owner_id=person)))
        | Q(Exists(_leading_memberships(on).filter(person_id=person)))
    )
    return _mailable(Person.objects.filter(maybe_due)).exclude(
        user__preference__email_reminders=False
    )
