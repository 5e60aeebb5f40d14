"""What a dashboard shows: figures, trend against the goal line, breakdown, funnel, leaderboard
and early warnings for one subject (the company, a unit or a seller) and period.

Everything is composed from the analytics selectors (which read the rollup tables) and the goals
selectors; this module adds no arithmetic of its own beyond cumulating series and the trend test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from attain.analytics.alerts import Alerts, alerts_list
from attain.analytics.metrics import metric_get
from attain.analytics.selectors import (
    Filters,
    FunnelSummary,
    Scope,
    funnel_summary,
    metric_series,
    metric_value,
)
from attain.core.periods import today
from attain.core.visibility import scope_for
from attain.dashboards.periods import ChosenPeriod
from attain.goals.models import Goal
from attain.goals.selectors import LeaderboardRow, leaderboard_list
from attain.goals.selectors import goal_by_day as _goal_by_day
from attain.organization.models import Membership, OrgUnit, Person, UnitKind

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
        known: dict[tuple[dt.date, dt.date], Decimal | None] = {}
        for p in (period, prev, yoy):  # a year's previous period is also the year before
            if (p.start, p.end) not in known:
                known[(p.start, p.end)] = metric_value(
                    metric=key, scope=subject.scope, start=p.start, end=p.end, filters=applicable
                )
        values = [known[(p.start, p.end)] for p in (period, prev, yoy)]
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

#: Long leaderboards show this many rows at the top and at the bottom of the ranking.
BOARD_EDGE = 10
#: Top performers and laggards marked at each end of the ranking by attainment.
BOARD_MARKED = 3


def leaderboard(
    *, subject: Subject, period: ChosenPeriod, metric: str = "revenue", level: str = "seller"
) -> list[LeaderboardRow]:
    """Sellers (or teams) of the subject ranked by attainment of their goal to date for the
    metric (fair across different goals); those without a goal follow, ranked by the metric.
    See `goals.selectors.leaderboard_list`. A seller has no teams: their team board is empty."""
    if level == "team" and subject.person is not None:
        return []
    return leaderboard_list(
        scope=subject.scope,
        start=period.start,
        end=period.end,
        on=min(today(), period.end),
        metric=metric,
        level=level,
    )


def shows_team_leaderboard(subject: Subject) -> bool:
    """The company and units above team level rank their teams; a team or a seller does not."""
    if subject.kind == "company":
        return True
    return subject.unit is not None and subject.unit.kind != UnitKind.TEAM


@dataclass(frozen=True)
class BoardLine:
    """A line of a leaderboard as shown: a row with its mark ("top", "laggard" or ""), or a gap
    standing for `skipped` rows left out (they are in the full list and the export)."""

    row: LeaderboardRow | None
    mark: str = ""
    skipped: int = 0


def board_lines(rows: list[LeaderboardRow], *, full: bool = False) -> list[BoardLine]:
    """The rows to show: those ranked by attainment — all of them when there are at most
    2 × BOARD_EDGE (or `full`), else the top and the bottom BOARD_EDGE with a gap between —
    then those without a goal (at most BOARD_EDGE unless `full`). The first BOARD_MARKED ranked
    rows are marked top performers and the last BOARD_MARKED laggards (fewer on short boards:
    never more than half of the ranked rows each, so no row is both)."""
    ranked = [r for r in rows if r.attainment is not None]
    unranked = [r for r in rows if r.attainment is None]
    marked = min(BOARD_MARKED, len(ranked) // 2)
    top = {r.rank for r in ranked[:marked]}
    laggards = {r.rank for r in ranked[len(ranked) - marked :]}

    def line(row: LeaderboardRow) -> BoardLine:
        mark = "top" if row.rank in top else "laggard" if row.rank in laggards else ""
        return BoardLine(row, mark)

    lines: list[BoardLine] = []
    if full or len(ranked) <= 2 * BOARD_EDGE:
        lines += [line(r) for r in ranked]
    else:
        lines += [line(r) for r in ranked[:BOARD_EDGE]]
        lines.append(BoardLine(None, skipped=len(ranked) - 2 * BOARD_EDGE))
        lines += [line(r) for r in ranked[-BOARD_EDGE:]]
    if full or len(unranked) <= BOARD_EDGE:
        lines += [line(r) for r in unranked]
    else:
        lines += [line(r) for r in unranked[:BOARD_EDGE]]
        lines.append(BoardLine(None, skipped=len(unranked) - BOARD_EDGE))
    return lines


# --- early warnings ---------------------------------------------------------------------------


def alerts(*, subject: Subject, on: dt.date | None = None) -> Alerts:
    """Flat or declining weekly revenue per seller, team and product line of the subject (see
    `analytics.alerts`)."""
    return alerts_list(scope=subject.scope, on=on or today())


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
