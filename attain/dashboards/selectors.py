"""What a dashboard shows: figures, trend against the goal line, breakdown, funnel, leaderboard
and early warnings for one subject (the company, a unit or a seller) and period.

Everything is composed from the analytics selectors (which read the rollup tables) and the goals
selectors; this module adds no arithmetic of its own beyond cumulating series and the trend test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils.translation import gettext as _

from attain.analytics.metrics import metric_get
from attain.analytics.models import SalesDay
from attain.analytics.selectors import (
    Filters,
    FunnelSummary,
    Scope,
    bucket_starts,
    funnel_summary,
    metric_breakdown,
    metric_series,
    metric_value,
)
from attain.core.periods import today, valid_on_q
from attain.core.visibility import scope_for
from attain.dashboards.periods import ChosenPeriod
from attain.dashboards.trends import DECLINING, FLAT, mann_kendall
from attain.goals.models import Goal
from attain.organization.models import SELLING_ROLES, Membership, OrgUnit, Person

CENT = Decimal("0.01")
CARD_METRICS = (
    "revenue",
    "gross_margin",
    "deals_won",
    "new_customers",
    "activities",
    "repeat_customer_rate",
    "csat",
)
ALERT_WEEKS = 12
#: A series needs sales in at least this many of the weeks to be judged (sparse series are noise).
ALERT_MIN_ACTIVE_WEEKS = 8


@dataclass(frozen=True)
class Subject:
    """Who the dashboard is about."""

    kind: str  # company | unit | seller
    label: str
    scope: Scope
    unit: OrgUnit | None = None
    person: Person | None = None

    @property
    def goal_filter(self) -> Q:
        if self.person is not None:
            return Q(person=self.person)
        if self.unit is not None:
            return Q(unit=self.unit)
        return Q(scope_kind="company")


def subject_for(*, user: Any, kind: str, pk: int | None) -> Subject:
    """The subject, if the user may see it; otherwise Http404 (exactly like a missing one)."""
    scope = scope_for(user)
    if kind == "company":
        if not scope.everything:
            raise Http404
        root = OrgUnit.objects.filter(depth=1).first()
        return Subject("company", root.name if root else _("Company"), Scope(), unit=None)
    if pk is None:
        raise Http404
    if kind == "unit":
        unit = OrgUnit.objects.filter(pk=pk).first()
        if unit is None or not scope.covers_path(unit.path):
            raise Http404
        return Subject("unit", unit.name, Scope(unit_path=unit.path), unit=unit)
    if kind == "seller":
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise Http404
        visible = scope.everything or person.pk == scope.person_id
        if not visible:
            paths = Membership.objects.filter(person=person).values_list("unit__path", flat=True)
            visible = any(scope.covers_path(path) for path in paths)
        if not visible:
            raise Http404
        return Subject("seller", str(person), Scope(person_id=person.pk), person=person)
    raise Http404


def default_subject(*, user: Any) -> tuple[str, int | None]:
    """Sales ops → the company; leaders → the (first) unit they lead; everyone else → themselves."""
    scope = scope_for(user)
    if scope.everything:
        return "company", None
    if scope.paths:
        unit = OrgUnit.objects.filter(path=scope.paths[0]).first()
        if unit is not None:
            return "unit", unit.pk
    if scope.person_id is not None:
        return "seller", scope.person_id
    raise Http404


# --- cards ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    unit: str
    value: Decimal | None
    previous: Decimal | None
    year_before: Decimal | None
    formula: str
    higher_is_better: bool = True

    @property
    def change_pct(self) -> Decimal | None:
        """Period over period change in %, when both values exist and the previous is not zero."""
        if self.value is None or not self.previous:
            return None
        return ((self.value - self.previous) * 100 / abs(self.previous)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )

    @property
    def yoy_pct(self) -> Decimal | None:
        if self.value is None or not self.year_before:
            return None
        return ((self.value - self.year_before) * 100 / abs(self.year_before)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def cards(*, subject: Subject, period: ChosenPeriod, filters: Filters) -> list[Card]:
    result = []
    prev, yoy = period.previous(), period.year_before()
    for key in CARD_METRICS:
        metric = metric_get(key)
        applicable = Filters(
            product_line_id=filters.product_line_id if "product_line" in metric.filters else None,
            product_id=filters.product_id if "product" in metric.filters else None,
            territory_id=filters.territory_id if "territory" in metric.filters else None,
            segment=filters.segment if "segment" in metric.filters else None,
        )
        values = [
            metric_value(
                metric=key, scope=subject.scope, start=p.start, end=p.end, filters=applicable
            )
            for p in (period, prev, yoy)
        ]
        result.append(
            Card(
                key,
                str(metric.label),
                metric.unit,
                values[0],
                values[1],
                values[2],
                str(metric.formula),
                metric.higher_is_better,
            )
        )
    return result


# --- trend against the goal line -----------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    metric: str
    label: str
    unit: str
    buckets: list[dt.date]
    actual: list[Decimal | None]
    cumulative: list[Decimal | None]
    year_before_cumulative: list[Decimal | None]
    goal_cumulative: list[Decimal] | None
    goal_total: Decimal | None


def _cumulate(values: list[Decimal | None]) -> list[Decimal | None]:
    total = Decimal(0)
    out: list[Decimal | None] = []
    for value in values:
        total += value or 0
        out.append(total)
    return out


def subject_goals(*, subject: Subject, metric: str, start: dt.date, end: dt.date) -> list[Goal]:
    """Goals for exactly this subject and metric, without filters, overlapping [start, end]."""
    return list(
        Goal.objects.filter(subject.goal_filter, metric=metric, start__lte=end, end__gte=start)
        .filter(product_line__isnull=True, product__isnull=True, territory__isnull=True, segment="")
        .order_by("start")
    )


def _goal_by_day(goals: list[Goal], start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
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


def trend(*, subject: Subject, period: ChosenPeriod, metric: str, filters: Filters) -> Trend:
    found = metric_get(metric)
    series = metric_series(
        metric=metric,
        scope=subject.scope,
        start=period.start,
        end=period.end,
        grain=period.grain,
        filters=filters,
    )
    buckets = [b for b, _v in series]
    actual = [v for _b, v in series]
    yoy = period.year_before()
    before = metric_series(
        metric=metric,
        scope=subject.scope,
        start=yoy.start,
        end=yoy.end,
        grain=period.grain,
        filters=filters,
    )
    cumulative = _cumulate(actual) if found.is_sum else actual
    year_before = _cumulate([v for _b, v in before]) if found.is_sum else [v for _b, v in before]
    year_before = (year_before + [None] * len(buckets))[: len(buckets)]
    goal_cumulative = None
    goal_total = None
    goals = (
        subject_goals(subject=subject, metric=metric, start=period.start, end=period.end)
        if not filters.given()
        else []
    )
    if goals and found.is_sum:
        per_day = _goal_by_day(goals, period.start, period.end)
        goal_cumulative = []
        running = Decimal(0)
        ends = [*buckets[1:], period.end + dt.timedelta(days=1)]
        day = period.start
        for bucket_end in ends:
            while day < bucket_end and day <= period.end:
                running += per_day.get(day, Decimal(0))
                day += dt.timedelta(days=1)
            goal_cumulative.append(running.quantize(CENT, ROUND_HALF_UP))
        goal_total = goal_cumulative[-1] if goal_cumulative else None
    return Trend(
        metric,
        str(found.label),
        found.unit,
        buckets,
        actual,
        cumulative,
        year_before,
        goal_cumulative,
        goal_total,
    )


# --- leaderboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    person_id: int
    name: str
    value: Decimal | None
    target: Decimal | None
    attainment: Decimal | None


def sellers_in(subject: Subject, on: dt.date) -> list[Person]:
    if subject.person is not None:
        return [subject.person]
    qs = Membership.objects.filter(valid_on_q(on), role__in=list(SELLING_ROLES))
    if subject.unit is not None:
        qs = qs.filter(unit__path__startswith=subject.unit.path)
    ids = qs.values_list("person_id", flat=True)
    return list(Person.objects.filter(pk__in=ids).order_by("last_name", "first_name"))


def leaderboard(
    *, subject: Subject, period: ChosenPeriod, metric: str = "revenue"
) -> list[LeaderRow]:
    """Sellers ranked by attainment of their goal for the metric (fair across different goals);
    sellers without a goal follow, ranked by the metric itself."""
    on = min(today(), period.end)
    people = sellers_in(subject, on)
    values = {
        row.id: row.value
        for row in metric_breakdown(
            metric=metric, scope=subject.scope, start=period.start, end=period.end, by="seller"
        )
        if row.id is not None
    }
    goals: dict[int, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(
        person__in=people, metric=metric, start__lte=period.end, end__gte=period.start
    ).filter(product_line__isnull=True, product__isnull=True, territory__isnull=True, segment=""):
        goals[goal.person_id].append(goal)  # type: ignore[index]
    rows = []
    for person in people:
        value = values.get(person.pk, Decimal(0))
        person_goals = goals.get(person.pk, [])
        target: Decimal | None = None
        attainment: Decimal | None = None
        if person_goals:
            per_day = _goal_by_day(person_goals, period.start, min(period.end, on))
            target = sum(per_day.values(), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
            if target:
                attainment = ((value or 0) * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append((person, value, target, attainment))
    rows.sort(key=lambda r: (r[3] is None, -(r[3] or 0), -(r[1] or 0), str(r[0])))
    return [
        LeaderRow(i + 1, person.pk, str(person), value, target, attainment)
        for i, (person, value, target, attainment) in enumerate(rows)
    ]


# --- early warnings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    dimension: str  # seller | team | product_line
    key: Any
    label: str
    verdict: str  # declining | flat
    weeks: list[dt.date]
    values: list[Decimal]
    s: int
    z: float
    p_value: float
    slope_per_week: Decimal


@dataclass
class Alerts:
    weeks: list[dt.date] = field(default_factory=list)
    items: list[Alert] = field(default_factory=list)


def alerts(*, subject: Subject, on: dt.date | None = None) -> Alerts:
    """Weekly revenue over the last 12 complete weeks, per seller, team and product line inside the
    subject; a Mann–Kendall test flags declining (significant fall) and flat series. Series with
    sales in fewer than 8 of the weeks are not judged. One query per dimension over the day rollup."""
    on = on or today()
    last_monday = on - dt.timedelta(days=on.weekday())
    start = last_monday - dt.timedelta(weeks=ALERT_WEEKS)
    end = last_monday - dt.timedelta(days=1)
    weeks = bucket_starts(start, end, "week")
    base = SalesDay.objects.filter(day__gte=start, day__lte=end)
    if subject.scope.person_id is not None:
        base = base.filter(owner_id=subject.scope.person_id)
    if subject.scope.unit_path:
        base = base.filter(unit_path__startswith=subject.scope.unit_path)
    result = Alerts(weeks=weeks)
    dimensions = [("product_line", "product_line_id")]
    if subject.person is None:
        dimensions = [("seller", "owner_id"), ("team", "unit_path"), *dimensions]
    for dimension, group in dimensions:
        rows = (
            base.annotate(week=TruncWeek("day"))
            .values(group, "week")
            .annotate(revenue=Sum("revenue"))
            .order_by()
        )
        series: dict[Any, dict[dt.date, Decimal]] = defaultdict(dict)
        for row in rows:
            week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
            series[row[group]][week] = Decimal(str(row["revenue"] or 0))
        labels = _alert_labels(dimension, list(series))
        for key, by_week in series.items():
            values = [by_week.get(week, Decimal(0)) for week in weeks]
            if sum(1 for value in values if value) < ALERT_MIN_ACTIVE_WEEKS:
                continue
            test = mann_kendall(values)
            if test is None or test.verdict not in (DECLINING, FLAT):
                continue
            result.items.append(
                Alert(
                    dimension,
                    key,
                    labels.get(key, str(key)),
                    test.verdict,
                    weeks,
                    values,
                    test.s,
                    test.z,
                    test.p_value,
                    Decimal(str(test.sen_slope)).quantize(CENT, ROUND_HALF_UP),
                )
            )
    result.items.sort(key=lambda a: (a.verdict != DECLINING, a.p_value))
    return result


def _alert_labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    if dimension == "seller":
        return {p.pk: str(p) for p in Person.objects.filter(pk__in=keys)}
    if dimension == "team":
        return {u.path: u.name for u in OrgUnit.objects.filter(path__in=keys)}
    from attain.catalog.models import ProductLine

    return {pl.pk: pl.name for pl in ProductLine.objects.filter(pk__in=keys)}


def funnel(*, subject: Subject, period: ChosenPeriod) -> FunnelSummary:
    return funnel_summary(scope=subject.scope, start=period.start, end=period.end)


@dataclass(frozen=True)
class PipelineHealth:
    velocity_per_day: Decimal | None
    coverage: Decimal | None  # × (1.00 = the open pipeline exactly covers the remaining goal)
    remaining_goal: Decimal | None


def pipeline_health(
    *, funnel: FunnelSummary, goal_total: Decimal | None, actual: Decimal | None
) -> PipelineHealth:
    """Sales velocity = open opportunities × average deal size × win rate ÷ average cycle length
    (revenue per day); pipeline coverage = open pipeline closing in the period ÷ remaining goal."""
    velocity = None
    if (
        funnel.average_deal_size is not None
        and funnel.win_rate is not None
        and funnel.average_cycle_days
    ):
        velocity = (
            Decimal(funnel.open)
            * funnel.average_deal_size
            * funnel.win_rate
            / 100
            / funnel.average_cycle_days
        ).quantize(CENT, ROUND_HALF_UP)
    remaining = None
    coverage = None
    if goal_total is not None:
        remaining = max(goal_total - (actual or Decimal(0)), Decimal(0))
        if remaining:
            coverage = (funnel.open_pipeline / remaining).quantize(CENT, ROUND_HALF_UP)
    return PipelineHealth(velocity, coverage, remaining)
