"""Reads on goals: the target in force on a date, progress (actual, attainment, pace,
projection) one goal at a time or for a whole page of goals, visible lists, a person's goals,
cascade consistency, and the leaderboards of sellers and teams by attainment."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Count, F, Prefetch, Q, Sum
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from attain.analytics.history import CACHE_ALIAS, CACHE_SECONDS
from attain.analytics.metrics import Metric, metric_get
from attain.analytics.selectors import (
    BreakdownRow,
    Filters,
    Scope,
    metric_breakdown,
    metric_totals_by,
    metric_value,
)
from attain.core.money import CENT, quantize_money
from attain.core.periods import today, valid_on_q
from attain.goals.models import Goal, GoalRevision, Milestone
from attain.goals.querysets import PATH_STEP, GoalQuerySet, ancestor_paths, member_unit_paths
from attain.goals.services import analytics_scope, goal_filters, is_sum_metric
from attain.organization.models import SELLING_ROLES, Membership, OrgUnit, Person, UnitKind

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
    return metric_value(
        metric=goal.metric,
        scope=analytics_scope(person=goal.person, unit=goal.unit),
        start=start,
        end=end,
        filters=goal_filters(goal),
    )


def _metric(goal: Goal) -> Metric | None:
    try:
        return metric_get(goal.metric)
    except KeyError:
        return None


def _actual_so_far(goal: Goal, day: dt.date) -> Decimal | None:
    """The goal's metric from its start to min(day, end): one query (none before the start)."""
    metric = _metric(goal)
    if metric is None:
        return None
    as_of = min(day, goal.end)
    if as_of < goal.start:
        return Decimal("0.00") if is_sum_metric(metric) else None
    return _metric_value(goal, goal.start, as_of)


def goal_progress(
    *, goal: Goal, on: dt.date | None = None, milestones: bool = True
) -> GoalProgress:
    """Actual vs target, attainment, elapsed share, pace, projection and milestone status."""
    day = on or today()
    return _progress(goal, day, _actual_so_far(goal, day), milestones=milestones)


def goal_progress_list(*, goals: Iterable[Goal], on: dt.date | None = None) -> list[GoalProgress]:
    """`goal_progress` (without milestones) for many goals, in their order, with a bounded number
    of queries (see `goal_actuals`); the figures are identical to one call per goal."""
    day = on or today()
    goals = list(goals)
    actuals = goal_actuals(goals=goals, on=day)
    return [_progress(goal, day, actuals[goal.pk], milestones=False) for goal in goals]


#: A group of goals this large or larger is read with one breakdown instead of one query each.
BATCH_MIN = 2


def goal_actuals(*, goals: Sequence[Goal], on: dt.date) -> dict[int, Decimal | None]:
    """Each goal's actual from its start to min(on, end), by goal id, as `goal_progress` reads it.

    Goals on a summable metric are grouped by (metric, start, as-of day, filters): a group of
    person goals is read with one breakdown by seller, a group of unit goals (team, business
    unit, division, company) with one breakdown by team over the units' common subtree, each
    unit's actual being the sum of the teams whose stamped path lies inside it. So a page costs
    a couple of queries per group, not one per goal. Ratios (repeat-customer rate, CSAT …) do
    not add up across people and units and are still read one goal at a time, as are metrics
    that cannot be broken down and groups of a single goal."""
    result: dict[int, Decimal | None] = {}
    groups: dict[tuple[str, dt.date, dt.date, Filters, str], list[Goal]] = defaultdict(list)
    for goal in goals:
        metric = _metric(goal)
        as_of = min(on, goal.end)
        if metric is None or as_of < goal.start or not metric.is_sum:
            result[goal.pk] = _actual_so_far(goal, on)
            continue
        by = "seller" if goal.person_id is not None else "team"
        groups[(goal.metric, goal.start, as_of, goal_filters(goal), by)].append(goal)
    for (metric_key, start, as_of, filters, by), members in groups.items():
        batched = None
        if len(members) >= BATCH_MIN:
            try:
                batched = _group_actuals(metric_key, start, as_of, filters, by, members)
            except ValidationError:  # a metric that cannot be broken down this way
                batched = None
        if batched is None:
            batched = {goal.pk: _actual_so_far(goal, on) for goal in members}
        result.update(batched)
    return result


def _common_path(paths: list[str]) -> str:
    """The deepest unit path all the given paths lie under ('' when they share no unit)."""
    if not paths:
        return ""
    first, last = min(paths), max(paths)  # what these two share, every path between shares
    size = 0
    while size + PATH_STEP <= min(len(first), len(last)) and (
        first[size : size + PATH_STEP] == last[size : size + PATH_STEP]
    ):
        size += PATH_STEP
    return first[:size]


def _group_actuals(
    metric: str, start: dt.date, end: dt.date, filters: Filters, by: str, goals: list[Goal]
) -> dict[int, Decimal | None]:
    if by == "seller":
        rows = metric_breakdown(
            metric=metric, scope=Scope(), start=start, end=end, by="seller", filters=filters
        )
        by_person: dict[int | None, Decimal | None] = {row.id: row.value for row in rows}
        return {goal.pk: by_person.get(goal.person_id, Decimal(0)) for goal in goals}
    paths = {goal.pk: goal.unit.path for goal in goals if goal.unit is not None}
    common = _common_path(list(paths.values()))
    rows = metric_breakdown(
        metric=metric,
        scope=Scope(unit_path=common or None),
        start=start,
        end=end,
        by="team",
        filters=filters,
    )
    return {pk: _inside(rows, path) for pk, path in paths.items()}


def _inside(rows: Iterable[BreakdownRow], path: str) -> Decimal:
    """Σ of the breakdown-by-team rows (keyed by stamped unit path) inside the unit at `path`."""
    return sum(
        (row.value for row in rows if row.value is not None and row.key.startswith(path)),
        Decimal(0),
    )


def _progress(
    goal: Goal, day: dt.date, actual: Decimal | None, *, milestones: bool
) -> GoalProgress:
    as_of = min(day, goal.end)
    period_days = (goal.end - goal.start).days + 1
    elapsed_days = max(0, (as_of - goal.start).days + 1)
    metric = _metric(goal)
    unit = metric.unit if metric else "count"
    formula = str(metric.formula) if metric else ""
    higher_is_better = metric.higher_is_better if metric else True
    sums = metric is not None and is_sum_metric(metric)
    target = goal_target_on(goal=goal, on=max(goal.start, as_of))
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
            Prefetch("children", queryset=_with_prefetch(Goal.objects.all()).order_by("pk")),
        )
        .get(pk=goal_id)
    )


def goals_for_person(*, person: Person, on: dt.date | None = None) -> GoalQuerySet:
    """The person's own goals and the goals of the units they belong to (and above), in force
    on `on` or later — short- and long-term."""
    day = on or today()
    paths = sorted(ancestor_paths(member_unit_paths(person.pk, day)))
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


# --- leaderboards -------------------------------------------------------------------------------

LEADERBOARD_LEVELS = ("seller", "team")
ATTAINMENT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class LeaderboardRow:
    """One seller or team: the metric, the goal to date and attainment = value ÷ goal × 100."""

    rank: int
    id: int  # the person (seller level) or the unit (team level)
    name: str
    value: Decimal | None
    target: Decimal | None  # None: no goal for the metric overlapping the period
    attainment: Decimal | None  # %, one decimal; None without a goal (or a zero goal to date)


class GoalSpan(NamedTuple):
    """What spreading a goal over its days needs (lighter than a Goal: boards read thousands)."""

    start: dt.date
    end: dt.date
    target: Decimal


def goal_to_date(goals: Iterable[Goal | GoalSpan], start: dt.date, end: dt.date) -> Decimal:
    """Σ over the goals of target ÷ goal days × the goal's days inside [start, end] — the sum of
    `goal_by_day` without walking the days (a leaderboard has thousands of goals)."""
    total = Decimal(0)
    for goal in goals:
        days = (goal.end - goal.start).days + 1
        inside = (min(goal.end, end) - max(goal.start, start)).days + 1
        if inside > 0:
            total += goal.target / days * inside
    return total


def goal_by_day(goals: Iterable[Goal], start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    """Each goal's target spread evenly over its days; the share of each day in [start, end]."""
    per_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    for goal in goals:
        days = (goal.end - goal.start).days + 1
        daily = goal.target / days
        day = max(goal.start, start)
        while day <= min(goal.end, end):
            per_day[day] += daily
            day += dt.timedelta(days=1)
    return per_day


def _plain_goals(metric: str, start: dt.date, end: dt.date) -> GoalQuerySet:
    """Goals on the metric without filters (the whole figure) overlapping [start, end]."""
    return Goal.objects.filter(
        metric=metric,
        start__lte=end,
        end__gte=start,
        product_line__isnull=True,
        product__isnull=True,
        territory__isnull=True,
        segment="",
    )


def goals_to_date(
    spans: GoalQuerySet, key: str, start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    """Σ `goal_to_date` over [start, end] per `key` (person_id or unit_id) of the goals in
    `spans`: goals wholly inside the window count in full, summed by the database in whole
    cents (exact on every engine); only the few that straddle its edges are spread over their
    days here. A key whose goals all lie after `end` has a goal to date of 0."""
    inside = Q(start__gte=start, end__lte=end)
    cents = Cast(Round(F("target") * 100), BigIntegerField())
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for owner, whole in (
        spans.filter(inside).order_by().values(key).annotate(c=Sum(cents)).values_list(key, "c")
    ):
        totals[owner] += Decimal(whole) / 100
    edges: dict[int, list[GoalSpan]] = defaultdict(list)
    for owner, g_start, g_end, g_target in (
        spans.exclude(inside).order_by().values_list(key, "start", "end", "target")
    ):
        edges[owner].append(GoalSpan(g_start, g_end, g_target))
    for owner, found in edges.items():
        totals[owner] += goal_to_date(found, start, end)
    return dict(totals)


def goals_fingerprint() -> str:
    """A value that changes whenever any goal is created, changed or deleted: the newest row of
    the goals' history (every save and delete, one by one or in bulk with history, writes one),
    by id and time — the time too, because SQLite hands out the ids of rolled-back rows again.
    One index lookup."""
    newest = Goal.history.order_by("-history_id").values_list("history_id", "history_date")
    found = newest.first()
    return "-" if found is None else f"{found[0]}@{found[1].isoformat()}"


def _targets_to_date(
    metric: str, key: str, start: dt.date, end: dt.date, to_date: dt.date
) -> dict[int, Decimal]:
    """`goals_to_date` of every person's (or unit's) plain goals on the metric overlapping
    [start, end], counted from `start` to `to_date` — cached under `goals_fingerprint()`: the
    answer depends on the goals and the dates alone, and a leaderboard of 2,000 sellers reads
    25,000 goals for it. Callers pick the people or teams of their scope from it."""
    spans = _plain_goals(metric, start, end).filter(**{f"{key}__isnull": False})
    question = ("targets_to_date", metric, key, start, end, to_date)
    digest = hashlib.sha1(repr(question).encode(), usedforsecurity=False).hexdigest()
    cache_key = f"attain:goals:{goals_fingerprint()}:{digest}"
    cache = caches[CACHE_ALIAS]
    found = cache.get(cache_key)
    if found is None:
        found = goals_to_date(spans, key, start, to_date)
        cache.set(cache_key, found, CACHE_SECONDS)
    return found


def leaderboard_sellers(*, scope: Scope, on: dt.date) -> Any:
    """The sellers of a scope: the one seller, or everyone holding a selling role (sales rep,
    team leader) on `on` in a unit of the subtree (the whole company when no path is given)."""
    if scope.person_id is not None:
        return Person.objects.filter(pk=scope.person_id)
    memberships = Membership.objects.filter(valid_on_q(on), role__in=sorted(SELLING_ROLES))
    if scope.unit_path:
        memberships = memberships.filter(unit__path__startswith=scope.unit_path)
    return Person.objects.filter(pk__in=memberships.values("person_id")).order_by(
        "last_name", "first_name"
    )


def leaderboard_teams(*, scope: Scope) -> Any:
    """The active units of the team kind inside the scope's subtree (all of them for the company)."""
    teams = OrgUnit.objects.filter(kind=UnitKind.TEAM, is_active=True)
    if scope.unit_path:
        teams = teams.filter(path__startswith=scope.unit_path)
    return teams.order_by("name", "path")


def leaderboard_list(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    on: dt.date,
    metric: str = "revenue",
    level: str = "seller",
) -> list[LeaderboardRow]:
    """Sellers or teams of a scope ranked by attainment of their goal to date — fair across
    different goals — for a summable metric over [start, end]; those without a goal follow,
    ranked by the metric itself (then by name).

    Value: the metric over [start, end] for the scope (sellers: their records inside the scope;
    teams: the records stamped with a path inside the team). Goal to date: each overlapping goal
    of the seller (person goals) or the team (unit goals) on the metric without filters, spread
    evenly over its days and summed from `start` to min(end, on). A few queries whatever the size:
    the sellers or teams, the breakdown (sellers: without labels, the names come with the
    sellers; teams: with their labels), the goals' fingerprint, and the goals to date on a cache
    miss (two)."""
    try:
        found: Metric | None = metric_get(metric)
    except KeyError:
        found = None
    if found is None or not found.is_sum:
        raise ValidationError(
            {"metric": _("Leaderboards rank summable metrics (revenue, units, deals won …).")}
        )
    if level not in LEADERBOARD_LEVELS:
        raise ValidationError({"level": _("Choose the level: seller or team.")})
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    entries: list[tuple[int, str, Decimal]] = []
    to_date = min(end, on)
    if level == "seller":
        people = leaderboard_sellers(scope=scope, on=on)
        values = metric_totals_by(metric=metric, scope=scope, start=start, end=end, by="seller")
        for pk, first, last in people.values_list("pk", "first_name", "last_name"):
            value = values.get(pk)
            entries.append((pk, f"{first} {last}", Decimal(0) if value is None else value))
        targets = _targets_to_date(metric, "person_id", start, end, to_date)
    else:
        if scope.person_id is not None:
            raise ValidationError({"level": _("A seller has no teams to rank.")})
        teams = leaderboard_teams(scope=scope)
        rows = metric_breakdown(metric=metric, scope=scope, start=start, end=end, by="team")
        for team in teams:
            entries.append((team.pk, team.name, _inside(rows, team.path)))
        targets = _targets_to_date(metric, "unit_id", start, end, to_date)
    ranked = []
    for pk, name, value in entries:
        target: Decimal | None = None
        attainment: Decimal | None = None
        if pk in targets:
            target = targets[pk].quantize(CENT, ROUND_HALF_UP)
            if target:
                attainment = (value * 100 / target).quantize(ATTAINMENT_PLACES, ROUND_HALF_UP)
        ranked.append((pk, name, value, target, attainment))
    ranked.sort(key=lambda r: (r[4] is None, -(r[4] or 0), -(r[2] or 0), r[1]))
    return [
        LeaderboardRow(i + 1, pk, name, value, target, attainment)
        for i, (pk, name, value, target, attainment) in enumerate(ranked)
    ]
