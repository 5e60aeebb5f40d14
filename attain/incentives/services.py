"""Every write to incentive pay: plans, versions and components, assignments, credit splits,
payout runs (request → calculate → approve → paid), adjustments, disputes and acceptances.

Each service checks everything first and raises one ValidationError naming every field at
fault, then writes in one transaction — bad input saves nothing. An approved run and what it
contains never change again: a correction is an adjustment paid in a later period. Every model
written here keeps its history (who, when, before, after) for the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.core.bulk import insert_rows
from attain.core.periods import today
from attain.incentives import mechanics as m
from attain.incentives.calculation import (
    LOCKED,
    PeriodResult,
    goals_for,
    led_paths_on,
    line_digest,
    parse_bands,
    parse_tiers,
    payees_for,
    period_calculate,
    period_check,
    run_digest,
)
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
    Dispute,
    DisputeStatus,
    PayoutLine,
    PayoutRun,
    Plan,
    PlanAcceptance,
    PlanVersion,
    RunStatus,
    VersionStatus,
)
from attain.orders.models import Order, OrderLine
from attain.organization.models import OrgUnit, Person, Role

NAME_MAX = 120
#: A payout period is at most a year.
PERIOD_MAX_DAYS = 366


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _is_date(value: Any) -> TypeGuard[dt.date]:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _interval_errors(
    errors: dict[str, str], start: Any, end: Any, *, start_key: str, end_key: str
) -> None:
    if not _is_date(start):
        errors[start_key] = _("Enter a date (YYYY-MM-DD).")
    if end is not None and not _is_date(end):
        errors[end_key] = _("Enter a date (YYYY-MM-DD), or leave it empty for no end.")
    elif end is not None and _is_date(start) and end <= start:
        errors[end_key] = _("must be after the start (%(start)s).") % {"start": start.isoformat()}


def _overlaps(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


# ---------------------------------------------------------------- plans and versions


@transaction.atomic
def plan_create(*, name: str, description: str = "") -> Plan:
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the plan a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(n)s characters.") % {"n": NAME_MAX}
    elif Plan.objects.filter(name__iexact=name).exists():
        errors["name"] = _("A plan with this name exists already.")
    _raise(errors)
    return Plan.objects.create(name=name, description=description or "")


def _version_errors(
    *, effective_from: Any, effective_to: Any, goal_metric: str, crediting: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _interval_errors(
        errors, effective_from, effective_to, start_key="effective_from", end_key="effective_to"
    )
    if goal_metric not in Basis.values:
        errors["goal_metric"] = _("Choose revenue, gross margin or units.")
    if crediting not in CreditingEvent.values:
        errors["crediting"] = _("Choose booking, delivery or payment.")
    return errors


@transaction.atomic
def version_create(
    *,
    plan: Plan,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    goal_metric: str = Basis.REVENUE,
    crediting: str = CreditingEvent.BOOKING,
    document: str = "",
) -> PlanVersion:
    """A new draft version of `plan` (numbered after the last one)."""
    _raise(
        _version_errors(
            effective_from=effective_from,
            effective_to=effective_to,
            goal_metric=goal_metric,
            crediting=crediting,
        )
    )
    Plan.objects.select_for_update().get(pk=plan.pk)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return PlanVersion.objects.create(
        plan=plan,
        number=number,
        effective_from=effective_from,
        effective_to=effective_to,
        goal_metric=goal_metric,
        crediting=crediting,
        document=document or "",
    )


def _draft(version: PlanVersion) -> PlanVersion:
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(
            {
                "status": _(
                    "%(version)s is published and can no longer change: copy it into a new "
                    "draft version."
                )
                % {"version": locked}
            }
        )
    return locked


@transaction.atomic
def version_update(
    *,
    version: PlanVersion,
    effective_from: dt.date,
    effective_to: dt.date | None,
    goal_metric: str,
    crediting: str,
    document: str,
) -> PlanVersion:
    locked = _draft(version)
    _raise(
        _version_errors(
            effective_from=effective_from,
            effective_to=effective_to,
            goal_metric=goal_metric,
            crediting=crediting,
        )
    )
    locked.effective_from = effective_from
    locked.effective_to = effective_to
    locked.goal_metric = goal_metric
    locked.crediting = crediting
    locked.document = document or ""
    locked.save()
    return locked


@transaction.atomic
def version_copy(*, version: PlanVersion) -> PlanVersion:
    """A new draft with the same terms and components: where a change (and its what-if)
    starts."""
    copy = version_create(
        plan=version.plan,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        goal_metric=version.goal_metric,
        crediting=version.crediting,
        document=version.document,
    )
    for c in version.components.order_by("position", "pk"):
        c.pk = None
        c.id = None
        c.version = copy
        c.save()
    return copy


COMPONENT_FIELDS = (
    "name",
    "kind",
    "basis",
    "product_line",
    "product",
    "rate",
    "tiers",
    "bands",
    "amount",
    "threshold_pct",
    "hurdle_pct",
    "deal_cap",
    "period_cap",
    "period_floor",
    "window_start",
    "window_end",
)


def component_errors(data: dict[str, Any]) -> dict[str, Any]:
    """Everything wrong with a component's terms, by field."""
    errors: dict[str, Any] = {}
    kind = data.get("kind")
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the component a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(n)s characters.") % {"n": NAME_MAX}
    if kind not in ComponentKind.values:
        errors["kind"] = _("Choose what the component pays.")
        return errors
    if data.get("basis") not in Basis.values:
        errors["basis"] = _("Choose revenue, gross margin or units.")
    for key in ("rate", "amount", "deal_cap", "period_cap", "period_floor"):
        value = data.get(key)
        if value is not None and value < 0:
            errors[key] = _("cannot be negative.")
    for key in ("threshold_pct", "hurdle_pct"):
        value = data.get(key)
        if value is not None and value < 0:
            errors[key] = _("cannot be negative.")
    floor, cap = data.get("period_floor"), data.get("period_cap")
    if floor is not None and cap is not None and floor > cap and "period_cap" not in errors:
        errors["period_cap"] = _("The cap cannot be below the floor.")
    if kind in (ComponentKind.MARGINAL, ComponentKind.RETROACTIVE):
        try:
            m.tiers_check(parse_tiers(data.get("tiers") or []))
        except ValidationError as e:
            errors["tiers"] = e.message_dict["tiers"]
        except (KeyError, TypeError, InvalidOperation, ValueError):
            errors["tiers"] = _(
                "Each tier needs a start %, an end % (empty for the last) and a rate."
            )
    if kind == ComponentKind.RETROACTIVE and data.get("bands"):
        errors["bands"] = _(
            "Accelerator bands apply to flat and marginal commission: a retroactive tier already "
            "pays all of the credit at the rate of the tier reached."
        )
    if kind in (ComponentKind.MARGINAL, ComponentKind.FLAT) and data.get("bands"):
        try:
            m.bands_check(parse_bands(data.get("bands") or []))
        except ValidationError as e:
            errors["bands"] = e.message_dict["bands"]
        except (KeyError, TypeError, InvalidOperation, ValueError):
            errors["bands"] = _(
                "Each band needs a start %, an end % (empty for the last) and a factor."
            )
    if kind == ComponentKind.FLAT and data.get("rate") is None:
        errors.setdefault("rate", _("A commission at one rate needs the rate."))
    if kind == ComponentKind.BONUS:
        if data.get("amount") is None:
            errors.setdefault("amount", _("A bonus needs its amount."))
        if data.get("threshold_pct") is None:
            errors.setdefault("threshold_pct", _("Say at which attainment the bonus is paid."))
    if kind == ComponentKind.SPIFF:
        if (data.get("rate") is None) == (data.get("amount") is None):
            errors.setdefault(
                "rate", _("A SPIFF pays either a rate of the credit or an amount per unit.")
            )
        start, end = data.get("window_start"), data.get("window_end")
        if not _is_date(start) or not _is_date(end):
            errors["window_start"] = _("A SPIFF needs the first and last day of its window.")
        elif end < start:
            errors["window_end"] = _("must not be before the first day (%(start)s).") % {
                "start": start.isoformat()
            }
    product, line = data.get("product"), data.get("product_line")
    if product is not None and line is not None and product.line_id != line.pk:
        errors["product"] = _("The product is not in the chosen product line.")
    return errors


@transaction.atomic
def component_save(
    *, version: PlanVersion, component: Component | None = None, **data: Any
) -> Component:
    """Add a component to a draft version, or change one of its components."""
    locked = _draft(version)
    unknown = set(data) - set(COMPONENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown component fields: {sorted(unknown)}")
    data = {key: data.get(key) for key in COMPONENT_FIELDS}
    data["tiers"] = data["tiers"] or []
    data["bands"] = data["bands"] or []
    _raise(component_errors(data))
    # what a kind does not use is not kept (a flat rate with tiers left from an earlier kind)
    if data["kind"] not in (ComponentKind.MARGINAL, ComponentKind.RETROACTIVE):
        data["tiers"] = []
    if data["kind"] not in (ComponentKind.MARGINAL, ComponentKind.FLAT):
        data["bands"] = []
    target = component or Component(version=locked, position=locked.components.count())
    if component is not None and component.version_id != locked.pk:
        raise ValidationError({"component": _("The component is not in this version.")})
    for key, value in data.items():
        setattr(target, key, value)
    target.name = target.name.strip()
    target.save()
    return target


@transaction.atomic
def component_delete(*, component: Component) -> None:
    _draft(component.version)
    component.delete()


@transaction.atomic
def version_publish(*, version: PlanVersion, by: Person) -> PlanVersion:
    """Check a draft and fix it: it has components, each valid, and no published version of the
    plan overlaps its dates."""
    locked = _draft(version)
    errors: dict[str, Any] = {}
    components = list(locked.components.all())
    if not components:
        errors["components"] = _("Add at least one component before publishing.")
    for c in components:
        found = component_errors({key: getattr(c, key) for key in COMPONENT_FIELDS})
        if found:
            errors.setdefault("components", []).append(
                _("%(name)s: %(problems)s")
                % {
                    "name": c.name,
                    "problems": "; ".join(
                        f"{k}: {' '.join(v) if isinstance(v, list) else v}"
                        for k, v in found.items()
                    ),
                }
            )
    for other in PlanVersion.objects.filter(plan=locked.plan, status=VersionStatus.PUBLISHED):
        if _overlaps(
            locked.effective_from, locked.effective_to, other.effective_from, other.effective_to
        ):
            until = other.effective_to.isoformat() if other.effective_to else _("no end")
            errors["effective_from"] = _(
                "Overlaps %(other)s (from %(start)s until %(end)s): end that version first, or "
                "choose dates after it."
            ) % {"other": other, "start": other.effective_from.isoformat(), "end": until}
            break
    _raise(errors)
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = by
    locked.save()
    return locked


@transaction.atomic
def version_end(*, version: PlanVersion, effective_to: dt.date) -> PlanVersion:
    """End a published version (so a new one can follow). Refused if an approved run of a period
    ending on or after that day was paid under it."""
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    errors: dict[str, str] = {}
    if not _is_date(effective_to):
        errors["effective_to"] = _("Enter a date (YYYY-MM-DD).")
    elif effective_to <= locked.effective_from:
        errors["effective_to"] = _("must be after the start (%(start)s).") % {
            "start": locked.effective_from.isoformat()
        }
    elif PayoutLine.objects.filter(
        version=locked,
        run__status__in=(RunStatus.APPROVED, RunStatus.PAID),
        run__period_end__gte=effective_to,
    ).exists():
        errors["effective_to"] = _(
            "An approved payout run after this day was paid under this version."
        )
    _raise(errors)
    locked.effective_to = effective_to
    locked.save()
    return locked


# ---------------------------------------------------------------- assignments, splits


@transaction.atomic
def assignment_create(
    *,
    plan: Plan,
    start: dt.date,
    end: dt.date | None = None,
    person: Person | None = None,
    role: str = "",
    unit: OrgUnit | None = None,
    credit_scope: str = CreditScope.OWN,
    draw_amount: Decimal | None = None,
    draw_recoverable: bool = True,
    ramp: Sequence[Any] = (),
) -> Assignment:
    errors: dict[str, str] = {}
    if (person is None) == (not role):
        errors["person"] = _("Assign the plan to one person or to a role, not both.")
    if role and role not in Role.values:
        errors["role"] = _("Choose a role.")
    _interval_errors(errors, start, end, start_key="start", end_key="end")
    if credit_scope not in CreditScope.values:
        errors["credit_scope"] = _("Choose own sales or roll-up.")
    if draw_amount is not None and draw_amount < 0:
        errors["draw_amount"] = _("A draw cannot be negative.")
    ramp_values: list[str] = []
    for i, share in enumerate(ramp):
        value = _decimal(share)
        if value is None or not 0 <= value <= 100:
            errors["ramp"] = _("Month %(n)s of the ramp: a share between 0 and 100 %%.") % {
                "n": i + 1
            }
            break
        ramp_values.append(str(value))
    if not errors:
        same = Assignment.objects.select_for_update().filter(plan=plan)
        same = same.filter(person=person) if person else same.filter(role=role, unit=unit)
        for other in same:
            if _overlaps(start, end, other.start, other.end):
                errors["start"] = _(
                    "%(who)s is already assigned to this plan from %(start)s: end that "
                    "assignment first."
                ) % {"who": other, "start": other.start.isoformat()}
                break
    _raise(errors)
    return Assignment.objects.create(
        plan=plan,
        person=person,
        role=role or "",
        unit=unit,
        start=start,
        end=end,
        credit_scope=credit_scope,
        draw_amount=draw_amount,
        draw_recoverable=draw_recoverable,
        ramp=ramp_values,
    )


@transaction.atomic
def assignment_end(*, assignment: Assignment, end: dt.date) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    errors: dict[str, str] = {}
    _interval_errors(errors, locked.start, end, start_key="start", end_key="end")
    _raise(errors)
    locked.end = end
    locked.save()
    return locked


@transaction.atomic
def credit_splits_set(
    *, order: Order, shares: Sequence[tuple[Person, Decimal]]
) -> list[CreditSplit]:
    """Replace an order's credit splits. Shares are percentages above 0 adding up to exactly
    100 %, one per seller; an empty list credits the order to its owner again."""
    Order.objects.select_for_update().get(pk=order.pk)
    if shares:
        people = [p.pk for p, _s in shares]
        if len(set(people)) != len(people):
            raise ValidationError({"shares": _("Each seller may appear only once in a split.")})
        m.splits_check([Decimal(str(s)) for _p, s in shares])
    CreditSplit.objects.filter(order=order).delete()
    refresh_later(order_ids=[order.pk])
    return [
        CreditSplit.objects.create(order=order, person=p, share_pct=Decimal(str(s)))
        for p, s in shares
    ]


# ---------------------------------------------------------------- payout runs


def _locked_run_on(day: dt.date) -> PayoutRun | None:
    return PayoutRun.objects.filter(
        period_start__lte=day, period_end__gte=day, status__in=(RunStatus.APPROVED, RunStatus.PAID)
    ).first()


def run_check(*, period_start: Any, period_end: Any) -> None:
    """What refuses a run of [period_start, period_end] before anything is written."""
    errors: dict[str, str] = {}
    if not _is_date(period_start):
        errors["period_start"] = _("Enter the first day of the period (YYYY-MM-DD).")
    if not _is_date(period_end):
        errors["period_end"] = _("Enter the last day of the period (YYYY-MM-DD).")
    _raise(errors)
    if period_end < period_start:
        errors["period_end"] = _("must not be before the first day (%(start)s).") % {
            "start": period_start.isoformat()
        }
    elif (period_end - period_start).days >= PERIOD_MAX_DAYS:
        errors["period_end"] = _("A payout period is at most a year.")
    else:
        clash = (
            PayoutRun.objects.filter(period_start__lte=period_end, period_end__gte=period_start)
            .exclude(period_start=period_start, period_end=period_end)
            .first()
        )
        if clash:
            errors["period_start"] = _("Overlaps the payout run of %(run)s.") % {"run": clash}
        elif PayoutRun.objects.filter(
            period_start=period_start, status__in=(RunStatus.APPROVED, RunStatus.PAID)
        ).exists():
            errors["period_start"] = _(
                "The run of this period is approved and cannot change: correct it with an "
                "adjustment in a later period."
            )
    _raise(errors)
    payees = payees_for(period_start, period_end)
    period_check(payees, goals_for(payees, period_start, period_end), period_end)


@transaction.atomic
def run_request(*, period_start: dt.date, period_end: dt.date, by: Person) -> PayoutRun:
    """Ask for a period's run: the task worker calculates it (`run_calculate`) once this
    transaction commits. A draft of the same period is simply queued again."""
    from attain.incentives.tasks import payout_run_calculate_task

    run_check(period_start=period_start, period_end=period_end)
    run, _created = PayoutRun.objects.get_or_create(
        period_start=period_start,
        defaults={"period_end": period_end, "requested_by": by},
    )
    run.requested_by = by
    run.error = ""
    # the stored lines stay until the new figures replace them, but the run is not approvable
    # (and its page says "calculating…") until they do
    run.calculated_at = None
    run.save(update_fields=["requested_by", "error", "calculated_at", "updated_at"])
    run_id = run.pk
    transaction.on_commit(lambda: payout_run_calculate_task.enqueue(run_id))
    return run


def _store(run: PayoutRun, result: PeriodResult, people: set[int] | None = None) -> None:
    """Write the result's lines and credits in place of the run's (of `people` only, when
    given), then the run's total, payees and fingerprint figured from all its stored lines."""
    stale = PayoutLine.objects.filter(run=run)
    if people is not None:
        stale = stale.filter(person_id__in=people)
    stale.delete()  # credits go with their lines
    lines = []
    position: dict[int, int] = {}
    for out in result.lines:
        i = position.get(out.person_id, 0)
        position[out.person_id] = i + 1
        lines.append(
            PayoutLine(
                run=run,
                person_id=out.person_id,
                position=i,
                kind=out.kind,
                version_id=out.version_id,
                component_id=out.component_id,
                adjustment_id=out.adjustment_id,
                label=out.label[:200],
                credit=out.credit,
                goal=out.goal,
                attainment_pct=out.attainment_pct,
                amount=out.amount,
                balance_after=out.balance_after,
                trace=out.steps,
                digest=line_digest(out),
            )
        )
    PayoutLine.objects.bulk_create(lines, batch_size=2000)
    insert_rows(
        Credit,
        ("line_id", "order_line_id", "credited_on", "share_pct", "value", "amount"),
        (
            (line.pk, c.order_line_id, c.credited_on, c.share_pct, c.value, c.amount)
            for line, out in zip(lines, result.lines, strict=True)
            for c in out.credits
        ),
    )
    stored = PayoutLine.objects.filter(run=run)
    figures = stored.aggregate(total=Sum("amount"), payees=Count("person", distinct=True))
    run.total = figures["total"] or Decimal("0.00")
    run.payees = figures["payees"]
    run.digest = run_digest(
        stored.order_by("person_id", "position").values_list("digest", flat=True).iterator()
    )
    run.calculated_at = timezone.now()
    run.error = ""
    run.save()


def run_calculate(*, run: PayoutRun) -> PayoutRun:
    """Figure a draft run and store it — all of it or, if anything fails (or the worker dies),
    none of it: the lines, credits and totals are written in one transaction. Re-running the
    same inputs gives the same lines and the same fingerprint."""
    try:
        with transaction.atomic():
            locked = PayoutRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != RunStatus.DRAFT:
                raise ValidationError(
                    {"status": _("An approved run is immutable: it cannot be calculated again.")}
                )
            _store(locked, period_calculate(locked.period_start, locked.period_end))
    except ValidationError as e:
        message = " ".join(" ".join(v) for v in e.message_dict.values())
        PayoutRun.objects.filter(pk=run.pk, status=RunStatus.DRAFT).update(error=message)
        raise
    run.refresh_from_db()
    return run


def affected_people(
    run: PayoutRun, *, order_ids: Sequence[int] = (), person_ids: Sequence[int] = ()
) -> set[int]:
    """Whose lines in `run` a change to these orders (or to these people's pay) can move: the
    orders' owners and split sellers, the roll-up payees leading the units the orders are
    stamped in, whoever the run (or an approved earlier run, for a clawback) credits with the
    orders' lines, and the people named."""
    people = set(person_ids)
    if not order_ids:
        return people
    orders = list(Order.objects.filter(pk__in=order_ids).values_list("owner_id", "unit_path"))
    people |= {owner for owner, _path in orders}
    people |= set(
        CreditSplit.objects.filter(order_id__in=order_ids).values_list("person_id", flat=True)
    )
    lines = list(OrderLine.objects.filter(order_id__in=order_ids).values_list("pk", flat=True))
    people |= set(
        Credit.objects.filter(order_line_id__in=lines)  # by the credits' order-line index
        .filter(Q(line__run=run) | Q(line__run__status__in=LOCKED))
        .values_list("line__person_id", flat=True)
    )
    leaders = {
        p.person_id
        for p in payees_for(run.period_start, run.period_end)
        if p.assignment.credit_scope == CreditScope.TEAM
    }
    stamped = [path for _owner, path in orders if path]
    if leaders and stamped:
        for person_id, paths in led_paths_on(run.period_end, leaders).items():
            if any(unit.startswith(p) for unit in stamped for p in paths):
                people.add(person_id)
    return people


def run_refresh(
    *, run: PayoutRun, order_ids: Sequence[int] = (), person_ids: Sequence[int] = ()
) -> PayoutRun:
    """Bring a calculated draft up to date after a change that touches some orders or people
    only: their lines are figured again and replace theirs, in one transaction, and the total
    and fingerprint are figured from the stored lines — the same as calculating the whole run
    again, for a fraction of the work. A run approved since, or never calculated (its full
    calculation is on the way), is left alone."""
    with transaction.atomic():
        locked = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.DRAFT or locked.calculated_at is None:
            return locked
        people = affected_people(locked, order_ids=order_ids, person_ids=person_ids)
        if people:
            try:
                result = period_calculate(locked.period_start, locked.period_end, only=people)
            except ValidationError as e:
                # a refusal (a goal gone): recorded, and the run waits to be calculated again
                locked.error = " ".join(" ".join(v) for v in e.message_dict.values())
                locked.calculated_at = None
                locked.save(update_fields=["error", "calculated_at", "updated_at"])
            else:
                _store(locked, result, people)
    return locked


def refresh_later(*, order_ids: Sequence[int] = (), person_ids: Sequence[int] = ()) -> None:
    """Once the current transaction commits, have the task worker bring every calculated draft
    run up to date with these orders or people (`run_refresh`)."""
    from attain.incentives.tasks import payout_run_refresh_task

    orders = sorted({int(i) for i in order_ids})
    people = sorted({int(i) for i in person_ids})

    def enqueue() -> None:
        drafts = PayoutRun.objects.filter(status=RunStatus.DRAFT, calculated_at__isnull=False)
        for run_id in drafts.values_list("pk", flat=True):
            payout_run_refresh_task.enqueue(run_id, orders, people)

    transaction.on_commit(enqueue)


def orders_changed(ids: list[int], *, before: bool) -> None:
    """The fact handler of orders: calculated drafts are brought up to date after the write."""
    if not before:
        refresh_later(order_ids=ids)


def order_lines_removing(ids: list[int], *, before: bool) -> None:
    """Order lines are about to be deleted: draft runs let go of their credits (approved runs
    keep theirs, so the deletion is refused) and the people they credited are figured again
    after the write, with the lines gone. Until then the draft's fingerprint no longer matches
    a fresh calculation, so it cannot be approved."""
    if not before:
        return
    credits = Credit.objects.filter(order_line_id__in=ids, line__run__status=RunStatus.DRAFT)
    touched = list(credits.values_list("line__run_id", "line__person_id").distinct())
    if not touched:
        return
    credits.delete()
    refresh_later(person_ids=[p for _r, p in touched])


def orders_loaded(start: dt.date, end: dt.date, *, stamps: Sequence[Any] = ()) -> None:
    """The range handler of orders (a bulk load): the drafts the loaded orders can be credited
    in are calculated again in full once the load commits."""
    from attain.incentives.tasks import payout_run_calculate_task

    # orders taken in [start, end] are delivered and paid then or later
    runs = list(
        PayoutRun.objects.filter(status=RunStatus.DRAFT, period_end__gte=start).values_list(
            "pk", flat=True
        )
    )
    if not runs:
        return
    PayoutRun.objects.filter(pk__in=runs).update(calculated_at=None)

    def enqueue() -> None:
        for run_id in runs:
            payout_run_calculate_task.enqueue(run_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def run_approve(*, run: PayoutRun, by: Person) -> PayoutRun:
    """Approve a calculated draft; it is immutable from now on. Refused while a recalculation
    would give other figures (inputs changed since): calculate it again and check first."""
    locked = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft run can be approved.")})
    if locked.calculated_at is None:
        raise ValidationError({"status": _("The run has not been calculated yet.")})
    fresh = period_calculate(locked.period_start, locked.period_end)
    if fresh.digest() != locked.digest:
        raise ValidationError(
            {
                "status": _(
                    "Orders, plans or adjustments changed since the run was calculated: "
                    "calculate it again, check it, then approve."
                )
            }
        )
    locked.status = RunStatus.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = by
    locked.save()
    return locked


@transaction.atomic
def run_mark_paid(*, run: PayoutRun, by: Person) -> PayoutRun:
    locked = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.APPROVED:
        raise ValidationError({"status": _("Only an approved run can be marked paid.")})
    locked.status = RunStatus.PAID
    locked.paid_at = timezone.now()
    locked.paid_by = by
    locked.save()
    return locked


@transaction.atomic
def run_discard(*, run: PayoutRun) -> None:
    """Throw a draft away (its lines and credits go with it)."""
    locked = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.DRAFT:
        raise ValidationError(
            {"status": _("An approved run is immutable: it cannot be discarded.")}
        )
    if Dispute.objects.filter(line__run=locked).exists():
        raise ValidationError({"status": _("Lines of this run are disputed.")})
    locked.delete()


# ---------------------------------------------------------------- adjustments, disputes


@transaction.atomic
def adjustment_create(
    *, person: Person, effective_on: dt.date, amount: Any, reason: str, author: Person
) -> Adjustment:
    errors: dict[str, str] = {}
    value = _decimal(amount)
    if value is None:
        errors["amount"] = _("Enter an amount, e.g. 125.00 or -40.00.")
    elif value == 0:
        errors["amount"] = _("An adjustment of zero changes nothing.")
    elif value != m.cents(value):
        errors["amount"] = _("At most two decimals.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why: the reason is shown on the statement.")
    if not _is_date(effective_on):
        errors["effective_on"] = _("Enter a date (YYYY-MM-DD).")
    elif run := _locked_run_on(effective_on):
        errors["effective_on"] = _(
            "The run of %(run)s is approved: choose a day in a later period."
        ) % {"run": run}
    if person is not None and author is not None and person.pk == author.pk:
        errors["person"] = _("Nobody adjusts their own pay.")
    _raise(errors)
    assert value is not None
    refresh_later(person_ids=[person.pk])
    return Adjustment.objects.create(
        person=person, effective_on=effective_on, amount=value, reason=reason.strip(), author=author
    )


@transaction.atomic
def dispute_open(*, line: PayoutLine, by: Person, reason: str) -> Dispute:
    """The person a line pays disputes it, saying why."""
    errors: dict[str, str] = {}
    if line.person_id != by.pk:
        errors["line"] = _("Only the person a line pays can dispute it.")
    elif not line.run.is_locked:
        # a draft's lines are replaced at each calculation: a dispute would block that
        errors["line"] = _("The run is still a draft: dispute the line once it is approved.")
    if not (reason or "").strip():
        errors["reason"] = _("Say what is wrong with the line.")
    if Dispute.objects.filter(line=line, status=DisputeStatus.OPEN).exists():
        errors["line"] = _("This line is disputed already; wait for the answer.")
    _raise(errors)
    return Dispute.objects.create(line=line, raised_by=by, reason=reason.strip())


@transaction.atomic
def dispute_decide(
    *,
    dispute: Dispute,
    by: Person,
    upheld: bool,
    outcome: str,
    amount: Any = None,
    effective_on: dt.date | None = None,
) -> Dispute:
    """A reviewer upholds or rejects a dispute and says why; an upheld dispute may carry an
    adjustment (paid in the period of `effective_on`, today by default)."""
    locked = Dispute.objects.select_for_update().select_related("line").get(pk=dispute.pk)
    errors: dict[str, str] = {}
    if locked.status != DisputeStatus.OPEN:
        errors["status"] = _("The dispute is decided already.")
    if locked.raised_by_id == by.pk:
        errors["outcome"] = _("Someone other than the person who raised it decides a dispute.")
    if not (outcome or "").strip():
        errors["outcome"] = _("Say what was decided and why.")
    if amount not in (None, "") and not upheld:
        errors["amount"] = _("Only an upheld dispute can carry an adjustment.")
    _raise(errors)
    if upheld and amount not in (None, ""):
        locked.adjustment = adjustment_create(
            person=locked.line.person,
            effective_on=effective_on or today(),
            amount=amount,
            reason=_("Dispute #%(id)s upheld: %(outcome)s")
            % {"id": locked.pk, "outcome": outcome.strip()},
            author=by,
        )
    locked.status = DisputeStatus.APPROVED if upheld else DisputeStatus.REJECTED
    locked.reviewed_by = by
    locked.reviewed_at = timezone.now()
    locked.outcome = outcome.strip()
    locked.save()
    return locked


@transaction.atomic
def plan_accept(*, version: PlanVersion, person: Person) -> PlanAcceptance:
    """Record that `person` accepted a published version's plan document (once)."""
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"version": _("Only a published plan can be accepted.")})
    done = PlanAcceptance.objects.filter(version=version, person=person).first()
    if done is not None:
        raise ValidationError(
            {
                "version": _("You accepted this plan on %(when)s.")
                % {"when": timezone.localtime(done.accepted_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    return PlanAcceptance.objects.create(version=version, person=person)
