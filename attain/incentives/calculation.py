"""A payout period figured in memory: who is paid by which plan version, the credit of every
order line, each component's amount with its steps, clawbacks, draws and adjustments.

`period_calculate` reads and never writes: the payout run stores what it returns (one
transaction, so a run is never left half-written), the what-if calls it with a draft
version in place of the published one and compares, and a draft run is kept up to date by
calling it for the few people a changed order touches (`only`). Everything is `Decimal`, rounded to cents
once per step (mechanics.py), and the order of lines and credits is fixed, so the same inputs
always give the same result, to the cent and in the same order.

The rules:
- a run uses, for each assignment, the plan's published version in force on the period's last
  day; a person's own assignment wins over a role's for the same plan; a role's assignment
  pays everyone who held the role (inside its unit) at some time in the period;
- a sale counts on the version's crediting event (the order's taken, delivered or paid date)
  inside the period; an order cancelled by the period's end counts for nothing, returns dated
  by the period's end reduce its lines;
- an order with credit splits is credited to the sellers in their shares (to the cent, the
  parts add up to the line), otherwise wholly to its owner; a roll-up assignment credits a
  leader with every sale stamped inside the units they lead on the period's last day;
- attainment is the credit on the version's goal metric over the person's goal for the period
  (for a roll-up, the goals of the units led), the goal ramped for a new hire;
- returns and cancellations of sales paid in an approved earlier run claw back, in the period
  they happen, what was paid for those order lines (at the rate then paid), from whoever was
  paid it, whether they still have a plan or not; one dated in a period whose run was approved
  before it was recorded claws back in the period it is recorded in;
- draws settle on what the assignment's plan earned in the period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from attain.core.periods import valid_on_q
from attain.goals.models import Goal, ScopeKind
from attain.goals.selectors import goals_to_date
from attain.incentives import mechanics as m
from attain.incentives.models import (
    Adjustment,
    Assignment,
    Basis,
    Component,
    ComponentKind,
    Credit,
    CreditingEvent,
    CreditScope,
    CreditSplit,
    LineKind,
    PayoutLine,
    PayoutRun,
    PlanVersion,
    RunStatus,
    VersionStatus,
)
from attain.orders.models import Order, OrderCancellation, OrderLine, OrderReturn, OrderStatus
from attain.organization.models import LEADING_ROLES, Membership, Person

ZERO = Decimal(0)
ONE = Decimal(1)
CRED_DATE: dict[str, str] = {
    CreditingEvent.BOOKING: "order__ordered_on",
    CreditingEvent.DELIVERY: "order__delivered_on",
    CreditingEvent.PAYMENT: "order__paid_on",
}
LOCKED = (RunStatus.APPROVED, RunStatus.PAID)


@dataclass(slots=True)
class SaleLine:
    """One order line as a period credits it (after returns dated by the period's end)."""

    order_line_id: int
    order_id: int
    order_number: str
    owner_id: int
    unit_path: str
    credited_on: dt.date
    product_id: int
    product_line_id: int | None
    values: dict[str, Decimal]  # by Basis


@dataclass(slots=True)
class CreditOut:
    order_line_id: int
    credited_on: dt.date
    share_pct: Decimal
    value: Decimal
    amount: Decimal


@dataclass
class LineOut:
    person_id: int
    kind: str
    label: str
    amount: Decimal
    version_id: int | None = None
    component_id: int | None = None
    adjustment_id: int | None = None
    credit: Decimal = ZERO
    goal: Decimal | None = None
    attainment_pct: Decimal | None = None
    balance_after: Decimal | None = None
    steps: list[dict[str, str]] = field(default_factory=list)
    credits: list[CreditOut] = field(default_factory=list)


@dataclass
class PeriodResult:
    start: dt.date
    end: dt.date
    lines: list[LineOut]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def by_person(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            totals[line.person_id] += line.amount
        return dict(totals)

    def digest(self) -> str:
        """A fingerprint of every line and credit: equal results have equal digests."""
        return run_digest(line_digest(line) for line in self.lines)


def line_digest(line: LineOut) -> str:
    """The fingerprint of one line and its credits (stored with the line, so a run's digest can
    be figured from its stored lines after some people's lines were replaced)."""
    h = hashlib.sha256(
        json.dumps(
            [
                line.person_id,
                line.kind,
                line.version_id,
                line.component_id,
                line.adjustment_id,
                str(line.amount),
                str(line.credit),
                str(line.goal),
                str(line.attainment_pct),
                str(line.balance_after),
            ]
        ).encode()
    )
    h.update(
        "".join(
            f"\n{c.order_line_id}|{c.share_pct}|{c.value}|{c.amount}" for c in line.credits
        ).encode()
    )
    return h.hexdigest()


def run_digest(line_digests: Iterable[str]) -> str:
    """A run's fingerprint: of its lines' fingerprints in statement order (person, position)."""
    h = hashlib.sha256()
    for d in line_digests:
        h.update(d.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Payee:
    person_id: int
    assignment: Assignment
    version: PlanVersion


# ---------------------------------------------------------------- who is paid, by what


def version_in_force(
    plan_id: int, on: dt.date, versions: Sequence[PlanVersion]
) -> PlanVersion | None:
    for version in versions:
        if (
            version.plan_id == plan_id
            and version.effective_from <= on
            and (version.effective_to is None or on < version.effective_to)
        ):
            return version
    return None


def payees_for(start: dt.date, end: dt.date, *, replace: PlanVersion | None = None) -> list[Payee]:
    """Every (person, assignment, version) paid in the period. `replace` stands a draft in
    for its plan's published versions (the what-if)."""
    versions = list(
        PlanVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("plan")
        .prefetch_related("components")
        .order_by("plan_id", "effective_from")
    )
    if replace is not None:
        versions = [v for v in versions if v.plan_id != replace.plan_id] + [replace]
    assignments = list(
        Assignment.objects.filter(Q(end__isnull=True) | Q(end__gt=start), start__lte=end)
        .select_related("unit")
        .order_by("plan_id", "pk")
    )
    own: dict[tuple[int, int], Assignment] = {}
    by_role: list[Assignment] = []
    for a in assignments:
        if a.person_id:
            own.setdefault((a.plan_id, a.person_id), a)
        else:
            by_role.append(a)
    found: dict[tuple[int, int], Assignment] = dict(own)
    if by_role:
        # everyone who held the role at some time in the period: a seller who leaves on the
        # 20th is paid on what they sold until then
        memberships = list(
            Membership.objects.filter(valid_from__lte=end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
            .values_list("person_id", "role", "unit__path")
        )
        for a in by_role:
            path = a.unit.path if a.unit is not None else ""
            for person_id, role, unit_path in memberships:
                if role == a.role and unit_path.startswith(path):
                    found.setdefault((a.plan_id, person_id), a)
    payees = []
    for (plan_id, person_id), a in sorted(found.items()):
        version = version_in_force(plan_id, end, versions)
        if version is not None:
            payees.append(Payee(person_id, a, version))
    return payees


# ---------------------------------------------------------------- credit


def _returned_upto(
    start: dt.date, end: dt.date, date_field: str
) -> dict[int, tuple[Decimal, Decimal]]:
    """line id → (amount, quantity) returned by `end`, of the lines credited in [start, end]."""
    return _returned(
        OrderReturn.objects.filter(
            returned_on__lte=end,
            **{f"line__{date_field}__gte": start, f"line__{date_field}__lte": end},
        )
    )


def _returned(returns: QuerySet[OrderReturn]) -> dict[int, tuple[Decimal, Decimal]]:
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for line_id, amount, qty in returns.order_by().values_list(
        "line_id", "amount_reporting", "quantity"
    ):
        before_amount, before_qty = out.get(line_id, (ZERO, ZERO))
        out[line_id] = (before_amount + amount, before_qty + qty)
    return out


@dataclass(frozen=True)
class Among:
    """Whose sales a recalculation for some people reads: the people's own and split orders,
    and the orders stamped inside the units some of them lead (roll-up payees)."""

    people: tuple[int, ...]
    paths: tuple[str, ...]


def _sale(
    pk: int,
    order: tuple[int, str, int, str, dt.date],
    product: int,
    line: int | None,
    qty: Decimal,
    net: Decimal,
    cost: Decimal | None,
    back: tuple[Decimal, Decimal] | None,
) -> SaleLine:
    order_id, number, owner, path, on = order
    gross = net - (cost or ZERO)
    values: dict[str, Decimal]
    if back is None:
        values = {Basis.REVENUE: net, Basis.GROSS_MARGIN: gross, Basis.UNITS: qty}
    else:
        ret, ret_qty = back
        kept = (qty - ret_qty) / qty if qty else ZERO
        values = {
            Basis.REVENUE: net - ret,
            Basis.GROSS_MARGIN: m.cents(gross * kept),
            Basis.UNITS: qty - ret_qty,
        }
    return SaleLine(pk, order_id, number, owner, path or "", on, product, line, values)


def _sale_lines_among(
    start: dt.date, end: dt.date, date_field: str, among: Among
) -> list[SaleLine]:
    """`sale_lines` for a few people: their orders first, each kind by its index (owner, id,
    stamped path), then those orders' lines and returns by the order-line index."""
    on_order = date_field.removeprefix("order__")
    live = Order.objects.filter(**{f"{on_order}__gte": start, f"{on_order}__lte": end}).exclude(
        status=OrderStatus.CANCELLED, cancellation__cancelled_on__lte=end
    )
    wanted = [live.filter(owner_id__in=among.people)]
    split = list(
        CreditSplit.objects.filter(person_id__in=among.people).values_list("order_id", flat=True)
    )
    if split:
        wanted.append(live.filter(pk__in=split))
    wanted.extend(live.filter(unit_path__startswith=path) for path in among.paths)
    orders: dict[int, tuple[int, str, int, str, dt.date]] = {}
    for query in wanted:
        for row in query.order_by().values_list("pk", "number", "owner_id", "unit_path", on_order):
            orders[row[0]] = row
    ids = sorted(orders)
    out = []
    for chunk in range(0, len(ids), 5000):
        some = ids[chunk : chunk + 5000]
        returned = _returned(
            OrderReturn.objects.filter(returned_on__lte=end, line__order_id__in=some)
        )
        for pk, order_id, product, line, qty, net, cost in OrderLine.objects.filter(
            order_id__in=some
        ).values_list(
            "pk",
            "order_id",
            "product_id",
            "product_line_id",
            "quantity",
            "net_amount_reporting",
            "cost_reporting",
        ):
            out.append(_sale(pk, orders[order_id], product, line, qty, net, cost, returned.get(pk)))
    out.sort(key=lambda sale: sale.order_line_id)
    return out


def sale_lines(
    start: dt.date, end: dt.date, crediting: str, *, among: Among | None = None
) -> list[SaleLine]:
    """The order lines credited in [start, end] on `crediting`, net of returns by `end`, in
    order-line order. Orders cancelled on or before `end` are left out. `among` keeps only the
    lines some payees can be credited with (a recalculation for a few people)."""
    date_field = CRED_DATE[crediting]
    if among is not None:
        return _sale_lines_among(start, end, date_field, among)
    returned = _returned_upto(start, end, date_field)
    rows = (
        OrderLine.objects.filter(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        .exclude(order__status=OrderStatus.CANCELLED, order__cancellation__cancelled_on__lte=end)
        .order_by("pk")
        .values_list(
            "pk",
            "order_id",
            "order__number",
            "order__owner_id",
            "order__unit_path",
            date_field,
            "product_id",
            "product_line_id",
            "quantity",
            "net_amount_reporting",
            "cost_reporting",
        )
    )
    # a whole period streams: no list of a million tuples
    return [
        _sale(
            pk, (order_id, number, owner, path, on), product, line, qty, net, cost, returned.get(pk)
        )
        for pk, order_id, number, owner, path, on, product, line, qty, net, cost in rows.iterator(
            chunk_size=20000
        )
    ]


def splits_for(
    start: dt.date, end: dt.date, events: Iterable[str]
) -> dict[int, list[tuple[int, Decimal]]]:
    """order id → its sellers' shares, largest first, for the orders credited in [start, end]
    on any of `events`."""
    when = Q()
    for event in events:  # a split's `order` is named as an order line's
        when |= Q(**{f"{CRED_DATE[event]}__gte": start, f"{CRED_DATE[event]}__lte": end})
    splits: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for order_id, person_id, share in (
        CreditSplit.objects.filter(when)
        .order_by("order_id", "-share_pct", "pk")
        .values_list("order_id", "person_id", "share_pct")
    ):
        splits[order_id].append((person_id, share))
    return splits


@dataclass(slots=True)
class Credited:
    sale: SaleLine
    share_pct: Decimal
    values: dict[str, Decimal]


def _share(sale: SaleLine, shares: list[tuple[int, Decimal]], person_id: int) -> Credited | None:
    index = next((i for i, (p, _s) in enumerate(shares) if p == person_id), None)
    if index is None:
        return None
    pcts = [s for _p, s in shares]
    values = {}
    for basis, value in sale.values.items():
        if basis == Basis.UNITS:
            values[basis] = value * pcts[index] / m.HUNDRED
        else:
            values[basis] = m.split_amount(value, pcts)[index]
    return Credited(sale, pcts[index], values)


def credits_of(
    payee: Payee,
    sales: list[SaleLine],
    splits: dict[int, list[tuple[int, Decimal]]],
    led_paths: dict[int, tuple[str, ...]],
) -> list[Credited]:
    whole = m.HUNDRED
    if payee.assignment.credit_scope == CreditScope.TEAM:
        paths = led_paths.get(payee.person_id, ())
        return [
            Credited(s, whole, s.values)
            for s in sales
            if s.unit_path and s.unit_path.startswith(paths)
        ]
    out = []
    person_id = payee.person_id
    for sale in sales:
        shares = splits.get(sale.order_id)
        if shares:
            credited = _share(sale, shares, person_id)
            if credited is not None:
                out.append(credited)
        elif sale.owner_id == person_id:
            out.append(Credited(sale, whole, sale.values))
    return out


def led_paths_on(day: dt.date, person_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    paths: dict[int, set[str]] = defaultdict(set)
    for person_id, path in Membership.objects.filter(
        valid_on_q(day), person_id__in=list(person_ids), role__in=list(LEADING_ROLES)
    ).values_list("person_id", "unit__path"):
        paths[person_id].add(path)
    # a unit inside another led unit would count its sales twice
    return {
        p: tuple(sorted(x for x in found if not any(x != y and x.startswith(y) for y in found)))
        for p, found in paths.items()
    }


# ---------------------------------------------------------------- goals


def goals_for(
    payees: Sequence[Payee], start: dt.date, end: dt.date, *, people: set[int] | None = None
) -> dict[tuple[str, int], Decimal]:
    """(metric, person_id) → the person's goal to date over the period; for roll-up payees the
    goals of the units they lead (summed). `people` reads only those people's goals."""
    metrics = {p.version.goal_metric for p in payees}
    out: dict[tuple[str, int], Decimal] = {}
    for metric in metrics:
        plain = Goal.objects.filter(
            metric=metric,
            start__lte=end,
            end__gte=start,
            product_line__isnull=True,
            product__isnull=True,
            territory__isnull=True,
            segment="",
        )
        personal = plain.filter(scope_kind=ScopeKind.PERSON)
        if people is not None:
            personal = personal.filter(person_id__in=people)
        for person_id, value in goals_to_date(personal, "person_id", start, end).items():
            out[(metric, person_id)] = value
        team = [p for p in payees if p.assignment.credit_scope == CreditScope.TEAM]
        if team:
            leaders = {p.person_id for p in team}
            unit_of = defaultdict(set)
            for person_id, unit_id in Membership.objects.filter(
                valid_on_q(end), person_id__in=leaders, role__in=list(LEADING_ROLES)
            ).values_list("person_id", "unit_id"):
                unit_of[person_id].add(unit_id)
            by_unit = goals_to_date(
                plain.exclude(scope_kind=ScopeKind.PERSON).filter(unit__isnull=False),
                "unit_id",
                start,
                end,
            )
            for person_id, units in unit_of.items():
                out[("team:" + metric, person_id)] = sum(
                    (by_unit.get(u, ZERO) for u in units), ZERO
                )
    return out


def _months_since(first: dt.date, start: dt.date) -> int:
    return (start.year - first.year) * 12 + start.month - first.month + 1


# ---------------------------------------------------------------- components


def parse_tiers(raw: list[dict[str, str]]) -> list[m.Tier]:
    return [
        m.Tier(
            Decimal(str(t["floor_pct"])),
            None if t.get("ceiling_pct") in (None, "") else Decimal(str(t["ceiling_pct"])),
            Decimal(str(t["rate"])),
        )
        for t in raw
    ]


def parse_bands(raw: list[dict[str, str]]) -> list[m.Band]:
    return [
        m.Band(
            Decimal(str(b["floor_pct"])),
            None if b.get("ceiling_pct") in (None, "") else Decimal(str(b["ceiling_pct"])),
            Decimal(str(b["factor"])),
        )
        for b in raw
    ]


def _steps(steps: Sequence[m.Step]) -> list[dict[str, str]]:
    return [
        {
            "rule": s.rule,
            "basis": str(s.basis),
            "rate": str(s.rate.normalize()) if s.rate else "0",
            "amount": str(s.amount),
            "note": s.note,
        }
        for s in steps
    ]


def _matches(component: Component, credited: Credited) -> bool:
    sale = credited.sale
    if component.product_id and sale.product_id != component.product_id:
        return False
    if component.product_line_id and sale.product_line_id != component.product_line_id:
        return False
    if component.kind == ComponentKind.SPIFF:
        if component.window_start and sale.credited_on < component.window_start:
            return False
        if component.window_end and sale.credited_on > component.window_end:
            return False
    return True


def _deal_capped(component: Component, rows: list[Credited]) -> list[Decimal]:
    """Each row's credited value, an order's rows together held to the per-deal cap (the cap
    taken off its rows in proportion)."""
    values = [r.values[component.basis] for r in rows]
    if component.deal_cap is None:
        return values
    by_order: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_order[r.sale.order_id].append(i)
    for indexes in by_order.values():
        total = sum((values[i] for i in indexes), ZERO)
        capped = m.credit_capped(credit=total, cap=component.deal_cap)
        if capped != total:
            parts = m.allocate(capped, [values[i] for i in indexes])
            for i, part in zip(indexes, parts, strict=True):
                values[i] = part
    return values


def component_line(
    component: Component,
    payee: Payee,
    rows: list[Credited],
    *,
    goal: Decimal | None,
    attainment_pct: Decimal | None,
    attained: Decimal | None = None,
) -> LineOut | None:
    """The payout line of one component for one payee. Tiers and bands are on the payee's
    attainment of the version's goal (`attained`: all their credit on the goal metric). A
    component paying on another basis, on some products only, or on deals held to a cap spreads
    its own credit over that attainment in the same proportions: 195,000 of margin on 130 % of a
    revenue goal is paid 100/130 at the first tier's rate, 25/130 at the second's, 5/130 at the
    third's."""
    narrowed = component.product_id or component.product_line_id
    if narrowed or component.kind == ComponentKind.SPIFF:
        mine = [r for r in rows if _matches(component, r)]
    else:
        mine = rows
    values = _deal_capped(component, mine)
    credit = sum(values, ZERO)
    kind = component.kind
    if kind in (ComponentKind.MARGINAL, ComponentKind.RETROACTIVE):
        if not goal:
            return None  # refused before: see missing_goals
        tiers = parse_tiers(component.tiers)
        scale = goal  # credit / scale is the payee's attainment
        if attained is not None and credit != attained and credit > 0 and attained > 0:
            scale = goal * credit / attained
        if kind == ComponentKind.MARGINAL:
            calc = m.commission_marginal(
                credit=credit, goal=scale, tiers=tiers, bands=parse_bands(component.bands)
            )
        else:
            calc = m.commission_retroactive(credit=credit, goal=scale, tiers=tiers)
        line_kind = LineKind.COMMISSION
    elif kind == ComponentKind.FLAT or (kind == ComponentKind.SPIFF and component.rate is not None):
        rate = component.rate or ZERO
        factor = ONE
        note = ""
        bands = parse_bands(component.bands)
        if bands and attainment_pct is not None:
            band = next(
                b
                for b in bands
                if b.floor_pct <= attainment_pct
                and (b.ceiling_pct is None or attainment_pct < b.ceiling_pct)
            )
            factor = band.factor
            note = _("rate %(rate)s × factor %(factor)s at %(pct)s attainment") % {
                "rate": rate.normalize(),
                "factor": factor.normalize(),
                "pct": f"{m.cents(attainment_pct)} %",
            }
        step = m.Step("rate", m.cents(credit), rate * factor, m.cents(credit * rate * factor), note)
        calc = m.Calculation(step.amount, (step,), attainment_pct)
        line_kind = LineKind.COMMISSION if kind == ComponentKind.FLAT else LineKind.SPIFF
    elif kind == ComponentKind.SPIFF:
        per = component.amount or ZERO
        note = _("%(per)s for each unit sold in the SPIFF window") % {"per": per}
        units = sum((r.values[Basis.UNITS] for r in mine), ZERO)
        step = m.Step("spiff", units, per, m.cents(units * per), note)
        calc = m.Calculation(step.amount, (step,), attainment_pct)
        line_kind = LineKind.SPIFF
        values = [r.values[Basis.UNITS] for r in mine]
        credit = units
    else:  # bonus
        threshold = component.threshold_pct or ZERO
        reached = attainment_pct is not None and attainment_pct >= threshold
        bonus = component.amount or ZERO
        note = (
            _("attainment %(pct)s reached %(threshold)s")
            if reached
            else _("attainment %(pct)s is below %(threshold)s")
        ) % {
            "pct": f"{m.cents(attainment_pct or ZERO)} %",
            "threshold": f"{threshold.normalize():f} %",
        }
        step = m.Step("bonus", bonus, ONE if reached else ZERO, bonus if reached else ZERO, note)
        calc = m.Calculation(step.amount, (step,), attainment_pct)
        line_kind = LineKind.BONUS
    calc = m.Calculation(calc.amount, calc.steps, attainment_pct)
    if component.hurdle_pct is not None:
        calc = m.hurdle_apply(calc, hurdle_pct=component.hurdle_pct)
    calc = m.limits_apply(calc, floor=component.period_floor, cap=component.period_cap)
    if not mine and calc.amount == 0 and kind != ComponentKind.BONUS:
        return None
    credits = []
    if kind != ComponentKind.BONUS:
        parts = m.allocate(calc.amount, values)
        credits = [
            CreditOut(r.sale.order_line_id, r.sale.credited_on, r.share_pct, v, a)
            for r, v, a in zip(mine, values, parts, strict=True)
        ]
    return LineOut(
        person_id=payee.person_id,
        kind=line_kind,
        label=f"{component.name} ({payee.version})",
        amount=calc.amount,
        version_id=payee.version.pk,
        component_id=component.pk,
        credit=m.cents(credit) if component.basis != Basis.UNITS else credit,
        goal=m.cents(goal) if goal is not None else None,
        attainment_pct=m.cents(attainment_pct) if attainment_pct is not None else None,
        steps=_steps(calc.steps),
        credits=credits,
    )


# ---------------------------------------------------------------- clawbacks


def _late(
    records: QuerySet[Any],
    dated: str,
    start: dt.date,
    end: dt.date,
    locked: Sequence[PayoutRun],
) -> set[int]:
    """The returns or cancellations (`records`, dated by the field `dated`) dated before the
    period but recorded inside it, whose date falls in a run approved before they were recorded
    (that run never saw them)."""
    if not locked:
        return set()
    out = set()
    for pk, day, recorded in records.filter(
        **{f"{dated}__lt": start}, created_at__date__gte=start, created_at__date__lte=end
    ).values_list("pk", dated, "created_at"):
        for run in locked:
            if (
                run.period_start <= day <= run.period_end
                and run.approved_at is not None
                and run.approved_at < recorded
            ):
                out.add(pk)
                break
    return out


def clawback_lines(start: dt.date, end: dt.date, person_ids: set[int] | None) -> list[LineOut]:
    """Returns and cancellations of order lines paid in approved runs of earlier periods: what
    was paid for them is taken back, at the rate it was paid, from whoever was paid it (an
    assignment in this period is not needed). They count in the period they are dated in; one
    dated in a period whose run was approved before it was recorded counts in the period it is
    recorded in. `person_ids` limits the lines to some people (None: everyone)."""
    locked = list(
        PayoutRun.objects.filter(status__in=LOCKED, period_end__lt=start).only(
            "period_start", "period_end", "approved_at"
        )
    )
    in_period = Q(returned_on__gte=start, returned_on__lte=end)
    late_returns = _late(OrderReturn.objects.all(), "returned_on", start, end, locked)
    returned: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    late_lines: set[int] = set()
    for pk, line_id, amount, qty, line_qty, net, cost in OrderReturn.objects.filter(
        in_period | Q(pk__in=late_returns)
    ).values_list(
        "pk",
        "line_id",
        "amount_reporting",
        "quantity",
        "line__quantity",
        "line__net_amount_reporting",
        "line__cost_reporting",
    ):
        if pk in late_returns:
            late_lines.add(line_id)
        returned[line_id][Basis.REVENUE] += amount
        returned[line_id][Basis.UNITS] += qty
        if line_qty:
            returned[line_id][Basis.GROSS_MARGIN] += (net - (cost or ZERO)) * qty / line_qty
    late_cancellations = _late(OrderCancellation.objects.all(), "cancelled_on", start, end, locked)
    cancelled: set[int] = set()
    late_cancelled_lines: set[int] = set()
    for line_id, cancellation_id in OrderLine.objects.filter(
        Q(
            order__cancellation__cancelled_on__gte=start,
            order__cancellation__cancelled_on__lte=end,
        )
        | Q(order__cancellation__in=late_cancellations),
        order__status=OrderStatus.CANCELLED,
    ).values_list("pk", "order__cancellation"):
        cancelled.add(line_id)
        if cancellation_id in late_cancellations:
            late_cancelled_lines.add(line_id)
    touched = set(returned) | cancelled
    if not touched:
        return []
    paid: dict[tuple[int, int, int], dict[str, Decimal]] = {}
    meta: dict[tuple[int, int, int], tuple[int | None, str, str]] = {}
    ids = sorted(touched)
    paid_credits = Credit.objects.filter(
        line__run__status__in=LOCKED, line__run__period_end__lt=start, line__component__isnull=False
    )
    if person_ids is not None:
        paid_credits = paid_credits.filter(line__person_id__in=person_ids)
    for chunk in range(0, len(ids), 5000):
        for person_id, component_id, version_id, order_line_id, value, amount, basis, name in (
            paid_credits.filter(order_line_id__in=ids[chunk : chunk + 5000])
            .order_by("pk")
            .values_list(
                "line__person_id",
                "line__component_id",
                "line__version_id",
                "order_line_id",
                "value",
                "amount",
                "line__component__basis",
                "line__component__name",
            )
        ):
            key = (person_id, component_id, order_line_id)
            row = paid.setdefault(key, {"value": ZERO, "amount": ZERO, "net": ZERO})
            if amount > 0 or value > 0:
                row["value"] += value
                row["amount"] += amount
            row["net"] += amount
            meta[key] = (version_id, basis, name)
    grouped: dict[tuple[int, int], LineOut] = {}
    for key in sorted(paid):
        person_id, component_id, order_line_id = key
        row = paid[key]
        line_version_id, basis, name = meta[key]
        if row["net"] <= 0 or row["value"] <= 0:
            continue
        rate = row["amount"] / row["value"]
        if order_line_id in cancelled:
            back_value = row["value"]
            back = row["net"]
            note = _("order cancelled: all that was paid for the line is taken back")
        else:
            back_value = (
                m.cents(returned[order_line_id][basis])
                if basis != Basis.UNITS
                else (returned[order_line_id][basis])
            )
            back = min(row["net"], m.cents(back_value * rate))
            note = _("returned: reversed at the rate originally paid")
        if order_line_id in late_lines or order_line_id in late_cancelled_lines:
            note += " " + _("(dated in a period already approved when it was recorded)")
        if back <= 0:
            continue
        line = grouped.get((person_id, component_id))
        if line is None:
            line = grouped[(person_id, component_id)] = LineOut(
                person_id=person_id,
                kind=LineKind.CLAWBACK,
                label=_("Clawback: %(name)s") % {"name": name},
                amount=ZERO,
                version_id=line_version_id,
                component_id=component_id,
            )
        line.amount -= back
        line.credit -= back_value
        line.steps.append(
            {
                "rule": "clawback",
                "basis": str(back_value),
                "rate": str(m.cents(rate * 10000) / 10000),
                "amount": str(-back),
                "note": note,
            }
        )
        line.credits.append(CreditOut(order_line_id, end, m.HUNDRED, -back_value, -back))
    return list(grouped.values())


# ---------------------------------------------------------------- draws, adjustments


def _draw_balances(start: dt.date, person_ids: set[int]) -> dict[tuple[int, int], Decimal]:
    """(person, plan) → what the person still owes on a recoverable draw before `start`."""
    out: dict[tuple[int, int], Decimal] = {}
    for person_id, plan_id, balance in (
        PayoutLine.objects.filter(
            kind=LineKind.DRAW,
            run__status__in=LOCKED,
            run__period_end__lt=start,
            person_id__in=person_ids,
        )
        .order_by("run__period_start", "pk")
        .values_list("person_id", "version__plan_id", "balance_after")
    ):
        out[(person_id, plan_id)] = balance or ZERO
    return out


def draw_line(payee: Payee, earned: Decimal, balance_before: Decimal) -> LineOut | None:
    a = payee.assignment
    if a.draw_amount is None:
        return None
    base = max(earned, ZERO)
    outcome = m.draw_settle(
        earned=base,
        draw=a.draw_amount,
        recoverable=a.draw_recoverable,
        balance_before=balance_before,
    )
    amount = outcome.paid - base
    steps = _steps(outcome.steps)
    if amount == 0 and not a.draw_recoverable:
        return None
    return LineOut(
        person_id=payee.person_id,
        kind=LineKind.DRAW,
        label=_("Draw (%(plan)s)") % {"plan": payee.version.plan.name},
        amount=amount,
        version_id=payee.version.pk,
        credit=base,
        balance_after=outcome.balance_after if a.draw_recoverable else None,
        steps=steps,
    )


def adjustment_lines(
    start: dt.date, end: dt.date, person_ids: set[int] | None = None
) -> list[LineOut]:
    adjustments = Adjustment.objects.filter(effective_on__gte=start, effective_on__lte=end)
    if person_ids is not None:
        adjustments = adjustments.filter(person_id__in=person_ids)
    return [
        LineOut(
            person_id=adj.person_id,
            kind=LineKind.ADJUSTMENT,
            label=_("Adjustment: %(reason)s") % {"reason": adj.reason[:150]},
            amount=adj.amount,
            adjustment_id=adj.pk,
            steps=[
                {
                    "rule": "adjustment",
                    "basis": str(adj.amount),
                    "rate": "1",
                    "amount": str(adj.amount),
                    "note": _("by %(author)s: %(reason)s")
                    % {"author": adj.author.full_name, "reason": adj.reason},
                }
            ],
        )
        for adj in adjustments.select_related("author").order_by("pk")
    ]


# ---------------------------------------------------------------- the period


def missing_goals(payees: Sequence[Payee], goals: dict[tuple[str, int], Decimal]) -> list[Payee]:
    """The payees whose plan pays on attainment (tiers, a bonus, a hurdle or bands) but who have
    no goal for the period: without one a hurdle or a band would silently not apply."""
    tiered = (ComponentKind.MARGINAL, ComponentKind.RETROACTIVE, ComponentKind.BONUS)
    out = []
    for p in payees:
        on_attainment = any(
            c.kind in tiered or c.hurdle_pct is not None or c.bands
            for c in p.version.components.all()
        )
        if on_attainment and not _goal_of(p, goals):
            out.append(p)
    return out


def _goal_of(payee: Payee, goals: dict[tuple[str, int], Decimal]) -> Decimal | None:
    prefix = "team:" if payee.assignment.credit_scope == CreditScope.TEAM else ""
    return goals.get((prefix + payee.version.goal_metric, payee.person_id))


def period_check(
    payees: Sequence[Payee],
    goals: dict[tuple[str, int], Decimal],
    end: dt.date,
    *,
    partial: bool = False,
) -> None:
    """Refuse a period nobody is paid in, or where a plan paying on attainment has no goal for
    someone (naming them). `partial`: the payees are some people only (none is no error)."""
    if not payees and not partial:
        raise ValidationError(
            {
                "period_start": _(
                    "No published plan is in force on %(end)s for anyone: publish a plan version "
                    "and assign it before running the period."
                )
                % {"end": end.isoformat()}
            }
        )
    lacking = missing_goals(payees, goals)
    if lacking:
        people = Person.objects.filter(pk__in={p.person_id for p in lacking}).order_by(
            "last_name", "first_name"
        )
        raise ValidationError(
            {
                "period_start": _(
                    "These people's plans pay on attainment but they have no goal for the "
                    "period: %(people)s. Set their goals first."
                )
                % {"people": ", ".join(p.full_name for p in people)}
            }
        )


def sales_among(payees: Sequence[Payee], led: dict[int, tuple[str, ...]]) -> Among:
    """Whose sales a recalculation for `payees` reads: theirs (owned or split), and for a
    roll-up payee the sales stamped inside the units they lead."""
    paths = {
        path
        for p in payees
        if p.assignment.credit_scope == CreditScope.TEAM
        for path in led.get(p.person_id, ())
    }
    return Among(tuple(sorted({p.person_id for p in payees})), tuple(sorted(paths)))


def period_calculate(
    start: dt.date,
    end: dt.date,
    *,
    replace: PlanVersion | None = None,
    only: set[int] | None = None,
) -> PeriodResult:
    """Every payout line of [start, end] (nothing is written). Raises a ValidationError when no
    plan is in force, or a tiered plan lacks a goal for someone (naming them). `only` figures
    the lines of those people alone (a recalculation after a change that touches only them):
    their lines are exactly what a full calculation gives them."""
    payees = payees_for(start, end, replace=replace)
    if only is not None:
        payees = [p for p in payees if p.person_id in only]
    goals = goals_for(payees, start, end, people=only)
    period_check(payees, goals, end, partial=only is not None)
    team_people = {p.person_id for p in payees if p.assignment.credit_scope == CreditScope.TEAM}
    led = led_paths_on(end, team_people) if team_people else {}
    among = sales_among(payees, led) if only is not None else None
    sales_by_event: dict[str, list[SaleLine]] = {}
    for event in sorted({p.version.crediting for p in payees}):
        sales_by_event[event] = sale_lines(start, end, event, among=among)
    splits = splits_for(start, end, sales_by_event)
    # a sale's lines by owner and by split seller, so each payee reads only their own
    lines: list[LineOut] = []
    indexed: dict[str, dict[int, list[SaleLine]]] = {}
    for event, sales in sales_by_event.items():
        by_person: dict[int, list[SaleLine]] = defaultdict(list)
        for sale in sales:
            shares = splits.get(sale.order_id)
            if shares:
                for person_id, _share_pct in shares:
                    by_person[person_id].append(sale)
            else:
                by_person[sale.owner_id].append(sale)
        indexed[event] = by_person
    person_ids = {p.person_id for p in payees}
    balances = _draw_balances(start, person_ids)
    for payee in payees:
        event = payee.version.crediting
        pool = (
            sales_by_event[event]
            if payee.assignment.credit_scope == CreditScope.TEAM
            else indexed[event].get(payee.person_id, [])
        )
        rows = credits_of(payee, pool, splits, led)
        goal = _goal_of(payee, goals)
        if goal is not None and payee.assignment.ramp:
            month = _months_since(payee.assignment.start, start)
            goal = m.ramped_goal(
                goal=goal, month=month, ramp=[Decimal(str(x)) for x in payee.assignment.ramp]
            )
        attained = sum((r.values[payee.version.goal_metric] for r in rows), ZERO)
        pct = m.attainment(credit=attained, goal=goal) if goal else None
        earned = ZERO
        for component in payee.version.components.all():
            line = component_line(
                component, payee, rows, goal=goal, attainment_pct=pct, attained=attained
            )
            if line is not None:
                lines.append(line)
                earned += line.amount
        drawn = draw_line(
            payee, earned, balances.get((payee.person_id, payee.version.plan_id), ZERO)
        )
        if drawn is not None:
            lines.append(drawn)
    lines.extend(clawback_lines(start, end, only))
    lines.extend(adjustment_lines(start, end, only))
    kind_order = {k: i for i, k in enumerate(LineKind.values)}
    lines.sort(
        key=lambda ln: (
            ln.person_id,
            kind_order[ln.kind],
            ln.component_id or 0,
            ln.adjustment_id or 0,
        )
    )
    return PeriodResult(start, end, lines)
