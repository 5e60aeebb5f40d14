"""Every write on goals: create, revise, acknowledge, milestones, cascade, raise the bar.

Services validate everything first and raise `ValidationError({"field": message})` naming the
field; nothing is saved when they refuse. Permission (who may set goals, see permissions.py)
is checked against the person doing it (`set_by` / `revised_by`): PermissionDenied otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.analytics.metrics import METRICS, Metric, metric_compute, metric_get
from attain.catalog.models import Product, ProductLine
from attain.core.events import event_emit, record_payload
from attain.core.money import CENT, quantize_money
from attain.core.periods import add_months, month_of, today, valid_on_q
from attain.customers.models import Segment
from attain.goals.models import (
    UNIT_KIND_FOR_SCOPE,
    Goal,
    GoalAchievement,
    GoalAcknowledgement,
    GoalRevision,
    Milestone,
    PeriodKind,
    RevisionReason,
    ScopeKind,
)
from attain.goals.permissions import may_acknowledge, may_set_goal
from attain.goals.querysets import ancestor_paths, member_unit_paths
from attain.orders.models import Order
from attain.organization.models import Membership, OrgUnit, Person, Territory
from attain.pipeline.models import Activity, Deal

#: Targets above this are refused as absurd (a typo with extra zeros, not a plan).
MAX_TARGET = Decimal(10) ** 12
#: Metric units that add up over time and across children (milestones, cascade, pace).
SUM_UNITS = frozenset({"money", "count"})
FILTER_FIELDS = ("product_line", "product", "territory", "segment")


def is_sum_metric(metric: Metric) -> bool:
    return metric.unit in SUM_UNITS


# --- periods -----------------------------------------------------------------------------------


def period_bounds(
    *, period_kind: str, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The [start, end] of a month, quarter or year containing `start`; custom needs both."""
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose month, quarter, year or custom.")})
    if start is None:
        raise ValidationError({"start": _("Give the start date of the period.")})
    if period_kind == PeriodKind.MONTH:
        month = month_of(start)
        return month.start, month.end
    if period_kind == PeriodKind.QUARTER:
        first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        return first, add_months(first, 3) - dt.timedelta(days=1)
    if period_kind == PeriodKind.YEAR:
        return dt.date(start.year, 1, 1), dt.date(start.year, 12, 31)
    if end is None:
        raise ValidationError({"end": _("A custom period needs an end date.")})
    if end < start:
        raise ValidationError({"end": _("The period ends before it starts.")})
    return start, end


def next_period(goal: Goal) -> tuple[dt.date, dt.date]:
    """The period right after the goal's: next month/quarter/year, or the same length after."""
    start = goal.end + dt.timedelta(days=1)
    if goal.period_kind == PeriodKind.CUSTOM:
        return start, start + (goal.end - goal.start)
    return period_bounds(period_kind=goal.period_kind, start=start, end=None)


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return add_months(start, -12), add_months(end, -12)


# --- validation --------------------------------------------------------------------------------


def _metric(key: str) -> Metric:
    try:
        return metric_get(key)
    except KeyError:
        raise ValidationError({"metric": _("Unknown metric “%(key)s”.") % {"key": key}}) from None


def _check_target(target: Any, metric: Metric, field_name: str = "target") -> Decimal:
    if not isinstance(target, Decimal):
        try:
            target = Decimal(str(target))
        except Exception:
            raise ValidationError({field_name: _("The target must be a number.")}) from None
    if not target.is_finite():
        raise ValidationError({field_name: _("The target must be a number.")})
    if target < 0:
        raise ValidationError({field_name: _("The target cannot be negative.")})
    if target > MAX_TARGET:
        raise ValidationError(
            {field_name: _("The target is absurdly large (more than 10^12); check the zeros.")}
        )
    if metric.unit == "percent" and target > 100:
        raise ValidationError({field_name: _("A percentage target cannot be more than 100.")})
    return quantize_money(target)


def _check_subject(
    *, scope_kind: str, person: Person | None, unit: OrgUnit | None
) -> tuple[Person | None, OrgUnit | None]:
    if scope_kind not in ScopeKind.values:
        raise ValidationError(
            {"scope_kind": _("Choose person, team, business unit, division or company.")}
        )
    if scope_kind == ScopeKind.PERSON:
        if person is None:
            raise ValidationError({"person": _("A person goal needs a person.")})
        if unit is not None:
            raise ValidationError({"unit": _("A person goal does not name a unit.")})
        return person, None
    if person is not None:
        raise ValidationError({"person": _("A unit goal does not name a person.")})
    if unit is None:
        raise ValidationError({"unit": _("A %(kind)s goal needs a unit.") % {"kind": scope_kind}})
    expected = UNIT_KIND_FOR_SCOPE[ScopeKind(scope_kind)]
    if unit.kind != expected:
        raise ValidationError(
            {
                "unit": _("%(unit)s is a %(actual)s, not a %(expected)s.")
                % {"unit": unit, "actual": unit.get_kind_display(), "expected": expected.label}
            }
        )
    if scope_kind == ScopeKind.COMPANY and unit.depth != 1:
        raise ValidationError({"unit": _("A company goal is set on the root of the organisation.")})
    return None, unit


def _check_filters(
    *,
    metric: Metric,
    product_line: ProductLine | None,
    product: Product | None,
    territory: Territory | None,
    segment: str,
) -> None:
    given = {
        "product_line": product_line,
        "product": product,
        "territory": territory,
        "segment": segment or None,
    }
    for name, value in given.items():
        if value is not None and name not in metric.filters:
            raise ValidationError(
                {
                    name: _("The metric “%(metric)s” cannot be filtered by %(filter)s.")
                    % {"metric": metric.key, "filter": name.replace("_", " ")}
                }
            )
    models_and_values: list[tuple[str, Any, Any]] = [
        ("product_line", ProductLine, product_line),
        ("product", Product, product),
        ("territory", Territory, territory),
    ]
    for name, model, value in models_and_values:
        if value is not None and (
            value.pk is None or not model.objects.filter(pk=value.pk).exists()
        ):
            raise ValidationError({name: _("That %(what)s does not exist.") % {"what": name}})
    if segment and segment not in Segment.values:
        raise ValidationError(
            {"segment": _("Unknown customer segment “%(segment)s”.") % {"segment": segment}}
        )
    if product is not None and product_line is not None and product.line_id != product_line.pk:
        raise ValidationError(
            {
                "product": _("%(product)s is not in the product line %(line)s.")
                % {"product": product, "line": product_line}
            }
        )


def _check_may_set(actor: Person, *, person: Person | None, unit: OrgUnit | None) -> None:
    user = actor.user
    if user is None or not may_set_goal(user, person=person, unit=unit):
        raise PermissionDenied(_("You may not set goals for this scope."))


def _overlapping(
    *,
    person: Person | None,
    unit: OrgUnit | None,
    metric: str,
    start: dt.date,
    end: dt.date,
    product_line: ProductLine | None,
    product: Product | None,
    territory: Territory | None,
    segment: str,
    exclude_pk: int | None = None,
) -> Goal | None:
    qs = Goal.objects.overlapping(start, end).filter(
        metric=metric,
        person=person,
        unit=unit,
        product_line=product_line,
        product=product,
        territory=territory,
        segment=segment,
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("start").first()


# --- goals -------------------------------------------------------------------------------------


@dataclass
class GoalInput:
    """Everything `goal_create` takes (used for raise-the-bar proposals and bulk creation)."""

    scope_kind: str
    metric: str
    period_kind: str
    start: dt.date
    end: dt.date | None
    target: Decimal
    person: Person | None = None
    unit: OrgUnit | None = None
    product_line: ProductLine | None = None
    product: Product | None = None
    territory: Territory | None = None
    segment: str = ""
    notes: str = ""
    parent: Goal | None = None


@transaction.atomic
def goal_create(
    *,
    scope_kind: str,
    metric: str,
    period_kind: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    target: Decimal,
    set_by: Person,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    product_line: ProductLine | None = None,
    product: Product | None = None,
    territory: Territory | None = None,
    segment: str = "",
    notes: str = "",
    parent: Goal | None = None,
    check_permission: bool = True,
) -> Goal:
    """Set a goal; refused (nothing saved) when invalid or overlapping an existing one."""
    found = _metric(metric)
    person, unit = _check_subject(scope_kind=scope_kind, person=person, unit=unit)
    if check_permission:
        _check_may_set(set_by, person=person, unit=unit)
    start, end = period_bounds(period_kind=period_kind, start=start, end=end)
    amount = _check_target(target, found)
    segment = segment or ""
    _check_filters(
        metric=found,
        product_line=product_line,
        product=product,
        territory=territory,
        segment=segment,
    )
    clash = _overlapping(
        person=person,
        unit=unit,
        metric=metric,
        start=start,
        end=end,
        product_line=product_line,
        product=product,
        territory=territory,
        segment=segment,
    )
    if clash is not None:
        raise ValidationError(
            {
                "start": _(
                    "%(subject)s already has a %(metric)s goal with the same filters for "
                    "%(start)s – %(end)s, which overlaps this period."
                )
                % {
                    "subject": person or unit,
                    "metric": metric,
                    "start": clash.start.isoformat(),
                    "end": clash.end.isoformat(),
                }
            }
        )
    return Goal.objects.create(
        scope_kind=scope_kind,
        person=person,
        unit=unit,
        metric=metric,
        period_kind=period_kind,
        start=start,
        end=end,
        target=amount,
        product_line=product_line,
        product=product,
        territory=territory,
        segment=segment,
        parent=parent,
        set_by=set_by,
        notes=notes,
    )


@transaction.atomic
def goal_create_many(*, proposals: Iterable[GoalInput], set_by: Person) -> list[Goal]:
    """Save several goals at once (e.g. chosen raise-the-bar proposals): all or nothing."""
    return [
        goal_create(
            scope_kind=item.scope_kind,
            metric=item.metric,
            period_kind=item.period_kind,
            start=item.start,
            end=item.end,
            target=item.target,
            set_by=set_by,
            person=item.person,
            unit=item.unit,
            product_line=item.product_line,
            product=item.product,
            territory=item.territory,
            segment=item.segment,
            notes=item.notes,
            parent=item.parent,
        )
        for item in proposals
    ]


@transaction.atomic
def goal_revise(
    *,
    goal: Goal,
    new_target: Decimal,
    reason_kind: str,
    reason: str,
    revised_by: Person,
    effective_from: dt.date | None = None,
) -> GoalRevision:
    """Change a goal's target, appending a revision (who, when, why, old → new)."""
    found = _metric(goal.metric)
    _check_may_set(revised_by, person=goal.person, unit=goal.unit)
    amount = _check_target(new_target, found, "new_target")
    if reason_kind not in RevisionReason.values:
        raise ValidationError(
            {"reason_kind": _("Choose performance, economy, competition or other.")}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the goal changes.")})
    effective = effective_from or max(goal.start, min(today(), goal.end))
    if not goal.start <= effective <= goal.end:
        raise ValidationError(
            {"effective_from": _("The change must take effect within the goal's period.")}
        )
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    revision = GoalRevision.objects.create(
        goal=locked,
        old_target=locked.target,
        new_target=amount,
        reason_kind=reason_kind,
        reason=reason.strip(),
        revised_by=revised_by,
        effective_from=effective,
    )
    locked.target = amount
    locked.save(update_fields=["target"])
    goal.target = amount
    return revision


@transaction.atomic
def goal_acknowledge(*, goal: Goal, person: Person, comment: str = "") -> GoalAcknowledgement:
    """The goal's person (or, for a unit goal, a member of the unit) acknowledges it, once."""
    if not may_acknowledge(person=person, goal_person_id=goal.person_id, unit=goal.unit):
        raise PermissionDenied(
            _("Only the person the goal is for, or a member of its unit, may acknowledge it.")
        )
    if GoalAcknowledgement.objects.filter(goal=goal, person=person).exists():
        raise ValidationError({"person": _("You have already acknowledged this goal.")})
    return GoalAcknowledgement.objects.create(goal=goal, person=person, comment=comment or "")


@transaction.atomic
def milestone_add(
    *, goal: Goal, due_on: dt.date, target: Decimal, label: str = "", added_by: Person | None = None
) -> Milestone:
    """A waypoint inside the period; targets never decrease over time and (for sums) stay within
    the goal's target."""
    found = _metric(goal.metric)
    if added_by is not None:
        _check_may_set(added_by, person=goal.person, unit=goal.unit)
    if due_on is None or not goal.start <= due_on <= goal.end:
        raise ValidationError({"due_on": _("A milestone must fall within the goal's period.")})
    amount = _check_target(target, found)
    if is_sum_metric(found) and amount > goal.target:
        raise ValidationError(
            {
                "target": _("A milestone cannot exceed the goal's target (%(target)s).")
                % {"target": goal.target}
            }
        )
    earlier = goal.milestones.filter(due_on__lte=due_on, target__gt=amount).first()
    if earlier is not None:
        raise ValidationError(
            {
                "target": _(
                    "An earlier milestone (%(due)s) already asks for %(target)s; milestones cannot go down."
                )
                % {"due": earlier.due_on.isoformat(), "target": earlier.target}
            }
        )
    later = goal.milestones.filter(due_on__gte=due_on, target__lt=amount).first()
    if later is not None:
        raise ValidationError(
            {
                "target": _(
                    "A later milestone (%(due)s) asks for only %(target)s; milestones cannot go down."
                )
                % {"due": later.due_on.isoformat(), "target": later.target}
            }
        )
    return Milestone.objects.create(goal=goal, due_on=due_on, target=amount, label=label or "")


# --- cascade -----------------------------------------------------------------------------------


def split_exactly(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, to the cent, summing exactly to `total`.

    Each share is rounded down to the cent; the remaining cents go one by one to the largest
    shares (first listed wins a tie). All-zero weights split evenly.
    """
    if not weights:
        return []
    if all(w == 0 for w in weights):
        weights = [Decimal(1)] * len(weights)
    whole = sum(weights, Decimal(0))
    exact = [total * w / whole for w in weights]
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    remainder = int((total - sum(shares, Decimal(0))) / CENT)
    order = sorted(range(len(shares)), key=lambda i: (-exact[i], i))
    for step in range(remainder):
        shares[order[step % len(order)]] += CENT
    return shares


def _child_scope(child: Person | OrgUnit) -> tuple[str, Person | None, OrgUnit | None]:
    if isinstance(child, Person):
        return ScopeKind.PERSON, child, None
    for scope_kind, unit_kind in UNIT_KIND_FOR_SCOPE.items():
        if child.kind == unit_kind:
            return scope_kind, None, child
    raise ValidationError({"children": _("%(unit)s cannot carry a goal.") % {"unit": child}})


def analytics_scope(*, person: Person | None, unit: OrgUnit | None) -> Any:
    from attain.analytics.selectors import Scope

    if person is not None:
        return Scope(person_id=person.pk)
    return Scope(unit_path=unit.path if unit is not None else None)


def goal_filters(goal: Goal | GoalInput) -> Any:
    from attain.analytics.selectors import Filters

    return Filters(
        product_line_id=goal.product_line.pk if goal.product_line else None,
        product_id=goal.product.pk if goal.product else None,
        territory_id=goal.territory.pk if goal.territory else None,
        segment=goal.segment or None,
    )


def _weight_for(weights: dict[Any, Any], child: Person | OrgUnit) -> Decimal:
    for key in (child, child.pk, str(child.pk)):
        if key in weights:
            try:
                value = Decimal(str(weights[key]))
            except Exception:
                raise ValidationError({"weights": _("Weights must be numbers.")}) from None
            if not value.is_finite() or value < 0:
                raise ValidationError({"weights": _("Weights cannot be negative.")})
            return value
    raise ValidationError({"weights": _("No weight given for %(child)s.") % {"child": child}})


def _seasonal_milestones(
    *, goal: Goal, person: Person | None, unit: OrgUnit | None
) -> list[Milestone]:
    """Monthly milestones following last year's monthly shape of the same scope and filters."""
    from attain.analytics.selectors import metric_series

    ly_start, ly_end = same_period_last_year(goal.start, goal.end)
    series = metric_series(
        metric=goal.metric,
        scope=analytics_scope(person=person, unit=unit),
        start=ly_start,
        end=ly_end,
        grain="month",
        filters=goal_filters(goal),
    )
    months: list[dt.date] = []
    cursor = goal.start
    while cursor <= goal.end:
        months.append(min(month_of(cursor).end, goal.end))
        cursor = month_of(cursor).end + dt.timedelta(days=1)
    values = [Decimal(0)] * len(months)
    for bucket, value in series:
        index = (bucket.year - ly_start.year) * 12 + bucket.month - ly_start.month
        if 0 <= index < len(values):
            values[index] += value or Decimal(0)
    monthly = split_exactly(goal.target, values)
    milestones, running = [], Decimal(0)
    for due_on, share in zip(months, monthly, strict=True):
        running += share
        milestones.append(
            Milestone(goal=goal, due_on=due_on, target=running, label=f"{due_on:%Y-%m}")
        )
    return milestones


@transaction.atomic
def goal_cascade(
    *,
    parent: Goal,
    method: str,
    children: Sequence[Person | OrgUnit],
    weights: dict[Any, Any] | None = None,
    seasonality: bool = False,
    set_by: Person,
) -> list[Goal]:
    """Split a parent goal over children (people or units) for the same metric, period and
    filters: evenly, by last year's actual per child, or by given weights. Shares are exact to
    the cent and add up to the parent. With `seasonality`, each child gets monthly milestones
    shaped like last year's months."""
    found = _metric(parent.metric)
    if not is_sum_metric(found):
        raise ValidationError(
            {"method": _("Only metrics that add up (money, counts) can be cascaded.")}
        )
    if method not in {"even", "last_year", "weights"}:
        raise ValidationError({"method": _("Choose even, last_year or weights.")})
    if not children:
        raise ValidationError({"children": _("Choose at least one child.")})
    if len({(type(c).__name__, c.pk) for c in children}) != len(children):
        raise ValidationError({"children": _("A child is listed twice.")})
    _check_may_set(set_by, person=parent.person, unit=parent.unit)
    scopes = [_child_scope(child) for child in children]
    if parent.unit is None:
        raise ValidationError({"parent": _("Only unit goals can be cascaded.")})
    for child, (_kind, person, unit) in zip(children, scopes, strict=True):
        if unit is not None:
            inside = unit.path.startswith(parent.unit.path) and unit.pk != parent.unit.pk
        else:
            inside = any(
                path.startswith(parent.unit.path)
                for path in member_unit_paths(person.pk if person else 0, today())
            )
        if not inside:
            raise ValidationError(
                {
                    "children": _("%(child)s is not below %(parent)s.")
                    % {"child": child, "parent": parent.subject_name}
                }
            )
    if method == "even":
        shares = [Decimal(1)] * len(children)
    elif method == "weights":
        if not weights:
            raise ValidationError({"weights": _("Give a weight for each child.")})
        shares = [_weight_for(weights, child) for child in children]
    else:
        from attain.analytics.selectors import metric_value

        ly_start, ly_end = same_period_last_year(parent.start, parent.end)
        shares = [
            max(
                metric_value(
                    metric=parent.metric,
                    scope=analytics_scope(person=person, unit=unit),
                    start=ly_start,
                    end=ly_end,
                    filters=goal_filters(parent),
                )
                or Decimal(0),
                Decimal(0),
            )
            for _kind, person, unit in scopes
        ]
    amounts = split_exactly(parent.target, shares)
    created: list[Goal] = []
    for (scope_kind, person, unit), amount in zip(scopes, amounts, strict=True):
        child_goal = goal_create(
            scope_kind=scope_kind,
            metric=parent.metric,
            period_kind=parent.period_kind,
            start=parent.start,
            end=parent.end,
            target=amount,
            set_by=set_by,
            person=person,
            unit=unit,
            product_line=parent.product_line,
            product=parent.product,
            territory=parent.territory,
            segment=parent.segment,
            notes=_("Cascaded from goal %(id)s (%(method)s).")
            % {"id": parent.pk, "method": method},
            parent=parent,
        )
        if seasonality:
            Milestone.objects.bulk_create(
                _seasonal_milestones(goal=child_goal, person=person, unit=unit)
            )
        created.append(child_goal)
    return created


# --- raise the bar -----------------------------------------------------------------------------


@dataclass
class GoalProposal:
    """An unsaved next-period goal proposed from this period's actual × (1 + uplift)."""

    source: Goal
    actual: Decimal
    goal: GoalInput
    clashes: bool = False
    notes: list[str] = field(default_factory=list)


def goal_raise_the_bar(
    *, goal_ids: Sequence[int], uplift_pct: Decimal, set_by: Person
) -> list[GoalProposal]:
    """Propose next period's goals from this period's results; nothing is saved (see
    `goal_create_many`). Goals the person may not set are refused (PermissionDenied)."""
    from attain.analytics.selectors import metric_value

    try:
        uplift = Decimal(str(uplift_pct))
    except Exception:
        raise ValidationError({"uplift_pct": _("The uplift must be a number.")}) from None
    if not uplift.is_finite() or uplift < -100 or uplift > 1000:
        raise ValidationError({"uplift_pct": _("The uplift must be between -100 and 1000 %.")})
    if not goal_ids:
        raise ValidationError({"goal_ids": _("Choose at least one goal.")})
    goals = list(Goal.objects.with_related().filter(pk__in=goal_ids).order_by("pk"))
    if len(goals) != len(set(goal_ids)):
        raise ValidationError({"goal_ids": _("Some of these goals do not exist.")})
    proposals = []
    for goal in goals:
        found = _metric(goal.metric)
        _check_may_set(set_by, person=goal.person, unit=goal.unit)
        actual = metric_value(
            metric=goal.metric,
            scope=analytics_scope(person=goal.person, unit=goal.unit),
            start=goal.start,
            end=goal.end,
            filters=goal_filters(goal),
        ) or Decimal(0)
        target = quantize_money(actual * (Decimal(1) + uplift / Decimal(100)))
        if found.unit == "percent":
            target = min(target, Decimal(100))
        start, end = next_period(goal)
        item = GoalInput(
            scope_kind=goal.scope_kind,
            metric=goal.metric,
            period_kind=goal.period_kind,
            start=start,
            end=end,
            target=max(target, Decimal(0)),
            person=goal.person,
            unit=goal.unit,
            product_line=goal.product_line,
            product=goal.product,
            territory=goal.territory,
            segment=goal.segment,
            notes=_("Raised the bar from goal %(id)s: actual %(actual)s + %(uplift)s %%.")
            % {"id": goal.pk, "actual": actual, "uplift": uplift},
        )
        clash = _overlapping(
            person=goal.person,
            unit=goal.unit,
            metric=goal.metric,
            start=start,
            end=end,
            product_line=goal.product_line,
            product=goal.product,
            territory=goal.territory,
            segment=goal.segment,
        )
        proposals.append(
            GoalProposal(source=goal, actual=actual, goal=item, clashes=clash is not None)
        )
    return proposals


# --- goals reached -----------------------------------------------------------------------------

#: Fact kind (attain.core.facts) → the sources of the metrics its rows feed: a write of that
#: kind can only push up goals on those metrics.
FACT_SOURCES: dict[str, frozenset[str]] = {
    "order": frozenset({"SalesDay", "orders"}),
    "deal": frozenset({"DealDay"}),
    "activity": frozenset({"ActivityDay"}),
}
ATTAINMENT_PLACES = Decimal("0.1")


def reachable_metrics(sources: frozenset[str] | None = None) -> list[str]:
    """Metrics whose goals can be *reached*: summable, higher is better (a ratio or a
    lower-is-better figure can cross its target and fall back; it is not an achievement)."""
    return sorted(
        key
        for key, metric in METRICS.items()
        if metric.is_sum
        and metric.higher_is_better
        and (sources is None or metric.source in sources)
    )


def _reached_on(goal: Goal, target: Decimal, as_of: dt.date) -> dt.date:
    """The first day the running total of the goal's metric reached `target` (one read of the
    day series); `as_of` when the metric has no series."""
    series = metric_compute(goal.metric).series(
        scope=analytics_scope(person=goal.person, unit=goal.unit),
        start=goal.start,
        end=as_of,
        grain="day",
        filters=goal_filters(goal),
    )
    if not series:
        return as_of
    running = Decimal(0)
    for day in sorted(series):
        running += series[day] or 0
        if quantize_money(running) >= target:
            return day
    return as_of


def _reached_payload(achievement: GoalAchievement) -> dict[str, Any]:
    goal = achievement.goal
    return record_payload(
        goal,
        "metric",
        "scope_kind",
        "person_id",
        "unit_id",
        "period_kind",
        "start",
        "end",
        target=achievement.target,
        actual=achievement.actual,
        attainment_pct=(achievement.actual * 100 / achievement.target).quantize(
            ATTAINMENT_PLACES, rounding=ROUND_HALF_UP
        ),
        reached_on=achievement.reached_on,
    )


#: Above this many distinct days, candidates are the goals overlapping the days' whole span
#: (one range condition instead of one per day); the actuals then decide, as for any candidate.
_MANY_DAYS = 31


# No savepoint: this runs inside every sales write (after the rollup upkeep), and a savepoint
# would cost two statements per write; the one insert that may conflict has its own below.
@transaction.atomic(savepoint=False)
def goals_check_reached(
    *,
    person_ids: Iterable[int],
    days: Iterable[dt.date],
    unit_paths: Iterable[str] | None = None,
    metrics: Iterable[str] | None = None,
    on: dt.date | None = None,
) -> list[GoalAchievement]:
    """Record (and emit `goal.reached` for) every goal that the sales facts of these people on
    these days have just brought to its target.

    Candidates, in ONE query: the goals without an achievement on a reachable metric (`metrics`
    narrows them) whose period covers one of the days up to `on` (today), of the people, or of
    a unit whose subtree holds one of `unit_paths` — the paths stamped on the facts (the units
    the people belonged to on those days when not given; one more query). Only for candidates:
    the revisions (one query), the actuals as the progress pages read them (`goal_actuals`,
    batched), and for each goal now at or above the target in force on min(on, end): the day
    series to find the day its running total reached the target. A goal is recorded once;
    two writers reaching it together record it once (the unique goal decides)."""
    from attain.goals.selectors import goal_actuals, goal_target_on  # selectors import us

    day = on or today()
    people = sorted({int(pk) for pk in person_ids if pk is not None})
    covered = sorted({d for d in days if d is not None and d <= day})
    if not covered or not people:
        return []
    if unit_paths is None:
        held = Q(pk__in=[])
        for d in covered:
            held |= valid_on_q(d)
        unit_paths = Membership.objects.filter(held, person_id__in=people).values_list(
            "unit__path", flat=True
        )
    paths = sorted(ancestor_paths([p for p in unit_paths if p]))
    keys = reachable_metrics()
    if metrics is not None:
        keys = sorted(set(keys) & set(metrics))
    if len(covered) > _MANY_DAYS:  # a bulk load: the goals overlapping the span (a superset)
        period = Q(start__lte=covered[-1], end__gte=covered[0])
    else:
        period = Q(pk__in=[])
        for d in covered:
            period |= Q(start__lte=d, end__gte=d)
    subject = (
        Q(person_id__in=people) | Q(unit__path__in=paths) if paths else Q(person_id__in=people)
    )
    candidates = list(
        Goal.objects.filter(subject, period, metric__in=keys, achievement__isnull=True)
        .select_related("person", "unit", "product_line", "product", "territory")
        .prefetch_related(
            Prefetch("revisions", queryset=GoalRevision.objects.order_by("revised_at", "pk"))
        )
        .order_by("pk")
    )
    if not candidates:
        return []
    actuals = goal_actuals(goals=candidates, on=day)
    reached: list[GoalAchievement] = []
    for goal in candidates:
        value = actuals.get(goal.pk)
        if value is None:
            continue
        as_of = min(day, goal.end)
        target = goal_target_on(goal=goal, on=max(goal.start, as_of))
        actual = quantize_money(value)
        if target <= 0 or actual < target:
            continue
        try:
            with transaction.atomic():  # a concurrent writer may have recorded it: skip then
                achievement = GoalAchievement.objects.create(
                    goal=goal,
                    reached_on=_reached_on(goal, target, as_of),
                    actual=actual,
                    target=target,
                )
        except IntegrityError:
            continue
        event_emit("goal.reached", payload=_reached_payload(achievement))
        reached.append(achievement)
    return reached


def _fact_rows(kind: str, ids: list[int]) -> list[tuple[int, dt.date, str]]:
    """(owner, day, stamped unit path) of the facts — one query."""
    if kind == "order":
        return list(
            Order.objects.filter(pk__in=ids).values_list("owner_id", "ordered_on", "unit_path")
        )
    if kind == "deal":
        rows: list[tuple[int, dt.date, str]] = []
        for owner, created, closed, path in Deal.objects.filter(pk__in=ids).values_list(
            "owner_id", "created_on", "closed_on", "unit_path"
        ):
            rows += [(owner, d, path) for d in (created, closed) if d is not None]
        return rows
    return [
        (owner, timezone.localdate(at), path)
        for owner, at, path in Activity.objects.filter(pk__in=ids).values_list(
            "owner_id", "occurred_at", "unit_path"
        )
    ]


def goals_reached_handler(kind: str) -> Callable[..., None]:
    """The fact handler of `kind` (order, deal, activity): after a write, check the goals its
    facts feed (`goals_check_reached`). Two queries per write when no goal is close: the facts'
    owners, days and paths, and the candidate goals."""
    sources = FACT_SOURCES[kind]

    def handler(ids: list[int], *, before: bool) -> None:
        if before:
            return
        rows = _fact_rows(kind, ids)
        if rows:
            goals_check_reached(
                person_ids=[owner for owner, _day, _path in rows],
                days=[day for _owner, day, _path in rows],
                unit_paths=[path for _owner, _day, path in rows],
                metrics=reachable_metrics(sources),
            )

    handler.__name__ = f"goals_{kind}_changed"
    return handler


def goals_reached_range_handler(kind: str) -> Callable[..., None]:
    """The range handler of `kind`: after a bulk load (an order import), check the goals of
    the people and units the loaded facts are stamped with (`stamps`: owner, day, path)."""
    sources = FACT_SOURCES[kind]

    def handler(
        start: dt.date, end: dt.date, *, stamps: Sequence[tuple[int, dt.date, str]]
    ) -> None:
        if stamps:
            goals_check_reached(
                person_ids=[owner for owner, _day, _path in stamps],
                days=[day for _owner, day, _path in stamps],
                unit_paths=[path for _owner, _day, path in stamps],
                metrics=reachable_metrics(sources),
            )

    handler.__name__ = f"goals_{kind}_written_between"
    return handler
