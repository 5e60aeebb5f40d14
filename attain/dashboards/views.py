"""Dashboards for the company, a unit or a seller: figures against goals, live from the rollups."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attain.analytics.metrics import METRICS, metric_get
from attain.analytics.selectors import Filters, metric_breakdown
from attain.catalog.models import ProductLine
from attain.core.export import EXPORT_FORMATS, export_response
from attain.core.periods import today
from attain.customers.models import Segment
from attain.dashboards import selectors
from attain.dashboards.periods import GRAIN_CHOICES, PERIOD_CHOICES, choose_period
from attain.dashboards.records import filters_from as _filters
from attain.organization.models import OrgUnit, Territory

BREAKDOWNS = [
    ("seller", _("Seller")),
    ("team", _("Team")),
    ("unit", _("Unit below")),
    ("territory", _("Territory")),
    ("product_line", _("Product line")),
    ("product", _("Product")),
    ("segment", _("Customer segment")),
]


def _chart(
    labels: list[str], datasets: list[dict[str, Any]], links: list[str] | None = None
) -> str:
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return json.dumps(
        {
            "labels": labels,
            "datasets": [{**ds, "values": [plain(v) for v in ds["values"]]} for ds in datasets],
            "links": links or [],
        }
    )


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    kind, pk = selectors.default_subject(user=request.user)
    if kind == "company":
        return redirect("dashboards:company")
    return redirect(f"dashboards:{kind}", pk=pk)


@login_required
def company(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, "company", None)


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, "unit", pk)


@login_required
def seller(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, "seller", pk)


def _dashboard(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    subject = selectors.subject_for(user=request.user, kind=kind, pk=pk)
    period = choose_period(request.GET, today=today())
    filters = _filters(request.GET)
    metric_key = request.GET.get("metric", "revenue")
    if metric_key not in METRICS or not metric_get(metric_key).is_sum:
        metric_key = "revenue"
    metric = metric_get(metric_key)
    if any(name not in metric.filters for name in filters.given()):
        filters = Filters()
    default_by = (
        "product_line"
        if kind == "seller"
        else "seller"
        if kind == "unit" and subject.unit and subject.unit.kind == "team"
        else "unit"
        if kind == "unit"
        else "team"
    )
    by = request.GET.get("by", default_by)
    if by not in dict(BREAKDOWNS):
        by = default_by
    breakdown = metric_breakdown(
        metric=metric_key,
        scope=subject.scope,
        start=period.start,
        end=period.end,
        by=by,
        filters=filters,
    )

    export = request.GET.get("export", "")
    if export in EXPORT_FORMATS:
        return _export(request, export, subject, period, metric_key, by, breakdown)

    trend = selectors.trend(subject=subject, period=period, metric=metric_key, filters=filters)
    leaders = selectors.leaderboard(subject=subject, period=period)
    show_teams = selectors.shows_team_leaderboard(subject)
    teams = (
        selectors.leaderboard(subject=subject, period=period, level="team") if show_teams else []
    )
    full = request.GET.get("full", "")
    funnel = selectors.funnel(subject=subject, period=period)
    warnings = selectors.alerts(subject=subject)
    cards = selectors.cards(subject=subject, period=period, filters=filters)

    label_fmt = "j M" if period.grain in ("day", "week") else "M Y"
    trend_labels = [date_format(b, label_fmt) for b in trend.buckets]
    trend_sets: list[dict[str, Any]] = [
        {
            "label": _("Actual (cumulative)") if metric.is_sum else _("Actual"),
            "values": trend.cumulative,
        }
    ]
    if trend.goal_cumulative is not None:
        trend_sets.append(
            {
                "label": _("Goal line"),
                "values": trend.goal_cumulative,
                "dashed": True,
                "color": "#c53030",
            }
        )
    trend_sets.append(
        {
            "label": _("Same period last year"),
            "values": trend.year_before_cumulative,
            "color": "#a0aec0",
        }
    )
    breakdown_links = [_drill_link(kind, pk, by, row) for row in breakdown]
    params = request.GET.copy()
    params.pop("export", None)
    params.pop("full", None)
    context = {
        "subject": subject,
        "subject_pk": pk or "",
        "period": period,
        "metric": metric,
        "metric_choices": [(m.key, m.label) for m in METRICS.values() if m.is_sum],
        "period_choices": PERIOD_CHOICES,
        "grain_choices": GRAIN_CHOICES,
        "breakdown_choices": BREAKDOWNS,
        "by": by,
        "filters": filters,
        "product_lines": ProductLine.objects.filter(is_active=True).order_by("name"),
        "territories": Territory.objects.order_by("name"),
        "segments": Segment.choices,
        "cards": cards,
        "trend": trend,
        "trend_json": _chart(trend_labels, trend_sets),
        "breakdown": breakdown,
        "breakdown_links": list(zip(breakdown, breakdown_links, strict=True)),
        "breakdown_json": _chart(
            [r.label for r in breakdown[:15]],
            [{"label": str(metric.label), "values": [r.value for r in breakdown[:15]]}],
            breakdown_links[:15],
        ),
        "funnel": funnel,
        "health": selectors.pipeline_health(
            funnel=funnel,
            goal_total=trend.goal_total if metric_key == "revenue" else None,
            actual=next((c.value for c in cards if c.key == "revenue"), None),
        ),
        "funnel_json": _chart(
            [s.name for s in funnel.stages],
            [
                {
                    "label": _("Deals entering the stage"),
                    "values": [s.entered for s in funnel.stages],
                }
            ],
        ),
        "leaders": leaders,
        "leader_lines": selectors.board_lines(leaders, full=full == "sellers"),
        "show_teams": show_teams,
        "teams": teams,
        "team_lines": selectors.board_lines(teams, full=full == "teams"),
        "alerts": warnings,
        "alerts_shown": warnings.items[:ALERTS_SHOWN],
        "children": OrgUnit.objects.get_children(subject.unit)
        if subject.unit is not None
        else OrgUnit.objects.filter(depth=2)
        if subject.kind == "company"
        else [],
        "query": params.urlencode(),
        "records_url": reverse("dashboards:records"),
    }
    return render(request, "dashboards/dashboard.html", context)


#: the page lists the most significant warnings; the export has them all
ALERTS_SHOWN = 12


def _drill_link(kind: str, pk: int | None, by: str, row: Any) -> str:
    if by == "seller" and row.id:
        return reverse("dashboards:seller", args=[row.id])
    if by in ("unit", "team") and row.id:
        return reverse("dashboards:unit", args=[row.id])
    return ""


def _export(
    request: HttpRequest,
    fmt: str,
    subject: Any,
    period: Any,
    metric_key: str,
    by: str,
    breakdown: list[Any],
) -> HttpResponse:
    table = request.GET.get("table", "breakdown")
    metric = metric_get(metric_key)
    if table in ("leaderboard", "team_leaderboard"):
        level = "team" if table == "team_leaderboard" else "seller"
        rows = selectors.leaderboard(subject=subject, period=period, level=level)
        return export_response(
            title=f"{subject.label} {table.replace('_', ' ')} {period.start}–{period.end}",
            headers=[
                _("Rank"),
                _("Team") if level == "team" else _("Seller"),
                str(metric_get("revenue").label),
                _("Goal to date"),
                _("Attainment %"),
            ],
            rows=([r.rank, r.name, r.value, r.target, r.attainment] for r in rows),
            fmt=fmt,
        )
    if table == "alerts":
        found = selectors.alerts(subject=subject)
        return export_response(
            title=f"{subject.label} early warnings",
            headers=[
                _("Dimension"),
                _("Name"),
                _("Verdict"),
                "S",
                "z",
                "p",
                _("Trend per week"),
                *(week.isoformat() for week in found.weeks),
            ],
            rows=(
                [a.dimension, a.label, a.verdict, a.s, a.z, a.p_value, a.slope_per_week, *a.values]
                for a in found.items
            ),
            fmt=fmt,
        )
    return export_response(
        title=f"{subject.label} {metric.label} by {by} {period.start}–{period.end}",
        headers=[dict(BREAKDOWNS)[by], str(metric.label)],
        rows=([r.label, r.value] for r in breakdown),
        fmt=fmt,
    )
