"""HTTP API of performance figures: the metric registry, values, series, breakdowns, funnel.

Mounted at /api/v1/performance/. A caller may only ask about scopes they may see: a person they
cover (leaders: people who are or were in their units, figures limited to records stamped in
their subtree; others: only themselves), a unit inside their paths; the whole company only as
an admin. Anything else is a 404 (a person or unit they cannot see) or a 403 (company scope).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from attain.analytics import selectors
from attain.analytics.metrics import METRICS
from attain.analytics.selectors import Filters, Scope
from attain.core.periods import month_of, today
from attain.organization.models import Membership, OrgUnit, Person
from attain.organization.visibility import scope_for

router = Router(tags=["performance"])


def scope_for_request(request: HttpRequest, *, person_id: int | None, unit_id: int | None) -> Scope:
    """The figure scope asked for, after checking the caller may see it."""
    seen = scope_for(request.user)
    unit_path: str | None = None
    if unit_id is not None:
        path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
        if path is None or not seen.covers_path(path):
            raise Http404("No such unit.")
        unit_path = path
    if person_id is not None:
        if not Person.objects.filter(pk=person_id).exists():
            raise Http404("No such person.")
        if seen.everything or person_id == seen.person_id:
            return Scope(person_id=person_id, unit_path=unit_path)
        led = [
            p
            for p in seen.paths
            if Membership.objects.filter(person_id=person_id, unit__path__startswith=p).exists()
        ]
        if not led:
            raise Http404("No such person.")
        # a leader sees the person's records stamped inside the leader's subtree only
        return Scope(person_id=person_id, unit_path=unit_path or led[0])
    if unit_path is None and not seen.everything:
        raise PermissionDenied(
            _("Only admins may see company-wide figures; choose a person or unit.")
        )
    return Scope(unit_path=unit_path)


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    month = month_of(today())
    start = start or month.start
    end = end or (month.end if start == month.start else start)
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    return start, end


def _filters(
    product_line_id: int | None,
    product_id: int | None,
    territory_id: int | None,
    segment: str | None,
) -> Filters:
    return Filters(
        product_line_id=product_line_id,
        product_id=product_id,
        territory_id=territory_id,
        segment=segment or None,
    )


# --- schemas -----------------------------------------------------------------------------------


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    higher_is_better: bool
    filters: list[str]
    formula: str
    aggregation: str


class ValueOut(Schema):
    metric: str
    unit: str
    person_id: int | None
    unit_path: str | None
    start: dt.date
    end: dt.date
    value: Decimal | None


class PointOut(Schema):
    start: dt.date
    value: Decimal | None


class SeriesOut(Schema):
    metric: str
    unit: str
    grain: str
    start: dt.date
    end: dt.date
    points: list[PointOut]


class BreakdownRowOut(Schema):
    key: str
    label: str
    id: int | None
    value: Decimal | None


class BreakdownOut(Schema):
    metric: str
    unit: str
    by: str
    start: dt.date
    end: dt.date
    rows: list[BreakdownRowOut]


class FunnelStageOut(Schema):
    stage_id: int
    code: str
    name: str
    entered: int
    advanced: int
    conversion: Decimal | None


class FunnelOut(Schema):
    start: dt.date
    end: dt.date
    won: int
    lost: int
    open: int
    win_rate: Decimal | None
    win_rate_by_value: Decimal | None
    won_value: Decimal
    average_deal_size: Decimal | None
    average_cycle_days: Decimal | None
    open_pipeline: Decimal
    weighted_pipeline: Decimal
    stages: list[FunnelStageOut]


class FigureQuery(Schema):
    """Which figure: the metric, whose (a person, a unit's subtree, or the company), when, filters."""

    metric: str
    person_id: int | None = None
    unit_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    product_line_id: int | None = None
    product_id: int | None = None
    territory_id: int | None = None
    segment: str | None = None


@dataclass(frozen=True)
class _Figure:
    metric: str
    unit: str
    scope: Any
    start: dt.date
    end: dt.date
    filters: Any


def _figure(request: HttpRequest, q: FigureQuery) -> _Figure:
    """Check the metric and the caller's right to the scope; resolve the period and filters."""
    unit = _metric_unit(q.metric)
    scope = scope_for_request(request, person_id=q.person_id, unit_id=q.unit_id)
    start, end = _period(q.start, q.end)
    filters = _filters(q.product_line_id, q.product_id, q.territory_id, q.segment)
    return _Figure(q.metric, unit, scope, start, end, filters)


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/metrics", response=list[MetricOut], operation_id="metric_list")
def metric_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every registered metric with its unit, the filters it takes and how it is computed."""
    return [
        {
            "key": m.key,
            "label": str(m.label),
            "unit": m.unit,
            "higher_is_better": m.higher_is_better,
            "filters": sorted(m.filters),
            "formula": str(m.formula),
            "aggregation": m.aggregation,
        }
        for m in METRICS.values()
    ]


def _metric_unit(metric: str) -> str:
    found = METRICS.get(metric)
    if found is None:
        raise ValidationError(
            {"metric": _("“%(metric)s” is not a known metric.") % {"metric": metric}}
        )
    return found.unit


@router.get("/value", response=ValueOut, operation_id="performance_value_get")
def performance_value(request: HttpRequest, q: Query[FigureQuery]) -> dict[str, Any]:
    """The metric for a person, a unit (its subtree) or the company over [start, end]."""
    f = _figure(request, q)
    value = selectors.metric_value(
        metric=f.metric, scope=f.scope, start=f.start, end=f.end, filters=f.filters
    )
    return {
        "metric": f.metric,
        "unit": f.unit,
        "person_id": f.scope.person_id,
        "unit_path": f.scope.unit_path,
        "start": f.start,
        "end": f.end,
        "value": value,
    }


@router.get("/series", response=SeriesOut, operation_id="performance_series_get")
def performance_series(
    request: HttpRequest, q: Query[FigureQuery], grain: str = "month"
) -> dict[str, Any]:
    """The metric per day / week (from Monday) / month / quarter / year; keys are bucket starts."""
    f = _figure(request, q)
    points = selectors.metric_series(
        metric=f.metric, scope=f.scope, start=f.start, end=f.end, grain=grain, filters=f.filters
    )
    return {
        "metric": f.metric,
        "unit": f.unit,
        "grain": grain,
        "start": f.start,
        "end": f.end,
        "points": [{"start": b, "value": v} for b, v in points],
    }


@router.get("/breakdown", response=BreakdownOut, operation_id="performance_breakdown_get")
def performance_breakdown(request: HttpRequest, q: Query[FigureQuery], by: str) -> dict[str, Any]:
    """The metric per seller, unit, team, territory, product line, product or segment."""
    f = _figure(request, q)
    rows = selectors.metric_breakdown(
        metric=f.metric, scope=f.scope, start=f.start, end=f.end, by=by, filters=f.filters
    )
    return {
        "metric": f.metric,
        "unit": f.unit,
        "by": by,
        "start": f.start,
        "end": f.end,
        "rows": [{"key": r.key, "label": r.label, "id": r.id, "value": r.value} for r in rows],
    }


@router.get("/funnel", response=FunnelOut, operation_id="performance_funnel_get")
def performance_funnel(
    request: HttpRequest,
    person_id: int | None = None,
    unit_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """Win rate, deal size, cycle length, pipeline and stage-to-stage conversion."""
    scope = scope_for_request(request, person_id=person_id, unit_id=unit_id)
    start, end = _period(start, end)
    summary = selectors.funnel_summary(scope=scope, start=start, end=end)
    return {"start": start, "end": end, **summary.__dict__}
