"""Reads on goals: the target in force on a date, progress (actual, attainment, pace,
projection), visible lists, a person's goals, and cascade consistency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Sum

from attain.core.money import quantize_money
from attain.core.periods import today
from attain.goals.models import Goal, GoalRevision, Milestone
from attain.goals.querysets import GoalQuerySet, ancestor_paths, member_unit_paths
from attain.goals.services import analytics_scope, goal_filters, is_sum_metric
from attain.organization.models import Person

ONE_DECIMAL = Decimal("0.1")
SHARE_PLACES = Decimal("0.0001")

#: The formulas shown next to each figure (KPIS.md).
FORMULAS = {
    "actual": "Σ metric over the goal's scope and filters, from the start to min(today, end)",
    "attainment": "actual ÷ target in force × 100",
    "elapsed": "days elapsed ÷ days in the period",
    "pace": "actual so far ÷ elapsed share of the period",
    "projection": "pace (sums) or the value so far (ratios) at the end of the period",
    "on_track": "projection ≥ target (≤ when lower is better)",
    "remaining": "target − actual (not below 0)",
}


def goal_target_on(*, goal: Goal, on: dt.date) -> Decimal:
    """The target in force on `on`: the latest revision effective by then, else the original."""
    revisions = list(goal.revisions.all())  # prefetched in lists; ordered by revised_at
    if not revisions:
        return goal.target
    in_force = [r for r in revisions if r.effective_from <= on]
    if not in_force:
        return revisions[0].old_target
    latest = max(in_force, key=lambda r: (r.effective_from, r.revised_at, r.pk))
    return latest.new_target


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    actual: Decimal | None
    status: str  # "hit" | "missed" | "upcoming"

    @property
    def hit(self) -> bool:
        return self.status == "hit"


@dataclass(frozen=True)
class GoalProgress:
    """Where a goal stands on a day. Money figures are rounded to cents, attainment to 0.1."""

    goal: Goal
    on: dt.date
    as_of: dt.date
    actual: Decimal | None  # None: no data for this metric
    target: Decimal
    attainment_pct: Decimal | None
    elapsed_days: int
    period_days: int
    elapsed_share: Decimal  # 0..1, 4 places (display); the exact fraction is used for pace
    pace: Decimal | None
    projected: Decimal | None
    on_track: bool | None
    remaining: Decimal | None
    milestones: tuple[MilestoneStatus, ...]
    unit: str
    formula: str
    has_data: bool

    @property
    def elapsed_pct(self) -> Decimal:
        return (self.elapsed_share * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def bar_value(self) -> Decimal:
        """Attainment clipped to 0–100 for a <progress> element."""
        if self.attainment_pct is None:
            return Decimal(0)
        return max(Decimal(0), min(self.attainment_pct, Decimal(100)))


def _metric_value(goal: Goal, start: dt.date, end: dt.date) -> Decimal | None:
    from attain.analytics.selectors import metric_value

    return metric_value(
        metric=goal.metric,
        scope=analytics_scope(person=goal.person, unit=goal.unit),
        start=start,
        end=end,
        filters=goal_filters(goal),
    )


def _metric(goal: Goal) -> Any:
    from attain.analytics.metrics import metric_get

    try:
        return metric_get(goal.metric)
    except KeyError:
        return None


def goal_progress(
    *, goal: Goal, on: dt.date | None = None, milestones: bool = True
) -> GoalProgress:
    """Actual vs target, attainment, elapsed share, pace, projection and milestone status."""
    day = on or today()
    as_of = min(day, goal.end)
    period_days = (goal.end - goal.start).days + 1
    elapsed_days = max(0, (as_of - goal.start).days + 1)
    metric = _metric(goal)
    unit = metric.unit if metric else "count"
    formula = str(metric.formula) if metric else ""
    higher_is_better = metric.higher_is_better if metric else True
    sums = metric is not None and is_sum_metric(metric)
    target = goal_target_on(goal=goal, on=max(goal.start, as_of))
    actual: Decimal | None
    if elapsed_days == 0:
        actual = Decimal("0.00") if sums else None
    else:
        actual = _metric_value(goal, goal.start, as_of) if metric else None
    has_data = actual is not None
    attainment = pace = projected = remaining = None
    on_track: bool | None = None
    if actual is not None:
        actual = quantize_money(actual)
        if target > 0:
            attainment = (actual / target * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
        if sums:
            pace = quantize_money(actual * period_days / elapsed_days) if elapsed_days else None
            projected = pace
            remaining = max(target - actual, Decimal("0.00"))
        else:
            projected = actual
            remaining = max(target - actual, Decimal("0.00")) if higher_is_better else None
        if projected is not None and elapsed_days:
            on_track = projected >= target if higher_is_better else projected <= target
    statuses: list[MilestoneStatus] = []
    if milestones:
        for milestone in goal.milestones.all():
            if milestone.due_on > as_of or milestone.due_on > day:
                statuses.append(MilestoneStatus(milestone, None, "upcoming"))
                continue
            reached = _metric_value(goal, goal.start, milestone.due_on) if metric else None
            hit = reached is not None and (
                reached >= milestone.target if higher_is_better else reached <= milestone.target
            )
            statuses.append(MilestoneStatus(milestone, reached, "hit" if hit else "missed"))
    share = Decimal(elapsed_days) / Decimal(period_days)
    return GoalProgress(
        goal=goal,
        on=day,
        as_of=as_of,
        actual=actual,
        target=target,
        attainment_pct=attainment,
        elapsed_days=elapsed_days,
        period_days=period_days,
        elapsed_share=share.quantize(SHARE_PLACES, rounding=ROUND_HALF_UP),
        pace=pace,
        projected=projected,
        on_track=on_track,
        remaining=remaining,
        milestones=tuple(statuses),
        unit=unit,
        formula=formula,
        has_data=has_data,
    )


def _with_prefetch(qs: GoalQuerySet) -> GoalQuerySet:
    return qs.with_related().prefetch_related(
        Prefetch("revisions", queryset=GoalRevision.objects.order_by("revised_at", "pk"))
    )


def goal_list(
    *,
    user: Any,
    metric: str = "",
    scope_kind: str = "",
    person_id: int | None = None,
    unit_id: int | None = None,
    active_on: dt.date | None = None,
) -> GoalQuerySet:
    """Goals the user may see, optionally filtered."""
    qs = Goal.objects.visible_to(user)
    if metric:
        qs = qs.filter(metric=metric)
    if scope_kind:
        qs = qs.filter(scope_kind=scope_kind)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if active_on is not None:
        qs = qs.active_on(active_on)
    return _with_prefetch(qs).annotate(children_count=Count("children", distinct=True))


def goal_get(*, user: Any, goal_id: int) -> Goal:
    """One visible goal with everything its page shows (Goal.DoesNotExist when not visible)."""
    return (
        _with_prefetch(Goal.objects.visible_to(user))
        .prefetch_related(
            "milestones",
            "acknowledgements__person",
            "revisions__revised_by",
            Prefetch("children", queryset=Goal.objects.with_related().order_by("pk")),
        )
        .get(pk=goal_id)
    )


def goals_for_person(*, person: Person, on: dt.date | None = None) -> GoalQuerySet:
    """The person's own goals and the goals of the units they belong to (and above), in force
    on `on` or later — short- and long-term."""
    day = on or today()
    paths = sorted(ancestor_paths(member_unit_paths(person.pk, day)))
    from django.db.models import Q

    return (
        _with_prefetch(
            Goal.objects.filter(Q(person=person) | Q(unit__path__in=paths)).filter(end__gte=day)
        )
        .prefetch_related("milestones", "acknowledgements")
        .order_by("start", "end", "metric", "pk")
    )


@dataclass(frozen=True)
class CascadeCheck:
    children_total: Decimal
    parent_target: Decimal
    difference: Decimal  # children − parent

    @property
    def adds_up(self) -> bool:
        return self.difference == 0


def goal_cascade_check(*, goal: Goal) -> CascadeCheck | None:
    """Whether a goal's cascaded children add up to it (None when it has no children)."""
    total = goal.children.aggregate(total=Sum("target"))["total"]
    if total is None:
        return None
    total = quantize_money(total)
    return CascadeCheck(
        children_total=total,
        parent_target=goal.target,
        difference=quantize_money(total - goal.target),
    )


@dataclass(frozen=True)
class BudgetShare:
    """What a unit's budget means for one member: their own goal and their contribution."""

    goal: Goal
    progress: GoalProgress
    own_goal: Goal | None
    own_share_pct: Decimal | None  # own goal target ÷ unit target × 100
    own_actual: Decimal | None
    contribution_pct: Decimal | None  # own actual ÷ unit actual × 100


def budget_share(*, goal: Goal, person: Person, on: dt.date | None = None) -> BudgetShare:
    progress = goal_progress(goal=goal, on=on, milestones=False)
    own = (
        Goal.objects.filter(
            person=person,
            metric=goal.metric,
            product_line=goal.product_line,
            product=goal.product,
            territory=goal.territory,
            segment=goal.segment,
        )
        .overlapping(goal.start, goal.end)
        .order_by("start")
        .first()
    )
    share = None
    if own is not None and goal.target > 0:
        share = (own.target / goal.target * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    own_actual = None
    contribution = None
    if progress.elapsed_days:
        from attain.analytics.selectors import Scope, metric_value

        value = metric_value(
            metric=goal.metric,
            scope=Scope(person_id=person.pk),
            start=goal.start,
            end=progress.as_of,
            filters=goal_filters(goal),
        )
        own_actual = quantize_money(value) if value is not None else None
        if own_actual is not None and progress.actual:
            contribution = (own_actual / progress.actual * 100).quantize(
                ONE_DECIMAL, rounding=ROUND_HALF_UP
            )
    return BudgetShare(goal, progress, own, share, own_actual, contribution)
