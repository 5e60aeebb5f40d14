"""Dashboards for the company, a unit or a seller: figures against goals, live from the rollups."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attain.analytics.metrics import METRICS, metric_get
from attain.analytics.selectors import Filters, metric_breakdown
from attain.catalog.models import ProductLine
from attain.core.export import EXPORT_FORMATS, export_response
from attain.core.periods import today
from attain.customers.models import Segment
from attain.dashboards import selectors
from attain.dashboards.periods import GRAIN_CHOICES, PERIOD_CHOICES, choose_period
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


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filters(params: Any) -> Filters:
    segment = params.get("segment") or None
    return Filters(
        product_line_id=_int(params.get("product_line")),
        territory_id=_int(params.get("territory")),
        segment=segment if segment in Segment.values else None,
    )


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
    funnel = selectors.funnel(subject=subject, period=period)
    warnings = selectors.alerts(subject=subject)
    cards = selectors.cards(subject=subject, period=period, filters=filters)

    label_fmt = "%d %b" if period.grain in ("day", "week") else "%b %Y"
    trend_labels = [b.strftime(label_fmt) for b in trend.buckets]
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
        "alerts": warnings,
        "children": OrgUnit.objects.get_children(subject.unit)
        if subject.unit is not None
        else OrgUnit.objects.filter(depth=2)
        if subject.kind == "company"
        else [],
        "query": params.urlencode(),
        "records_url": reverse("dashboards:records"),
    }
    return render(request, "dashboards/dashboard.html", context)


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
    if table == "leaderboard":
        rows = selectors.leaderboard(subject=subject, period=period)
        return export_response(
            title=f"{subject.label} leaderboard {period.start}–{period.end}",
            headers=[
                _("Rank"),
                _("Seller"),
                str(metric_get("revenue").label),
                _("Goal to date"),
                _("Attainment %"),
            ],
            rows=([r.rank, r.name, r.value, r.target, r.attainment] for r in rows),
            fmt=fmt,
        )
    return export_response(
        title=f"{subject.label} {metric.label} by {by} {period.start}–{period.end}",
        headers=[dict(BREAKDOWNS)[by], str(metric.label)],
        rows=([r.label, r.value] for r in breakdown),
        fmt=fmt,
    )


# --- the records behind a figure ---------------------------------------------------------------

SALES_METRICS = {"revenue", "gross_margin", "units"}
DEAL_METRICS = {"deals_won", "won_value", "deals_lost", "deals_created"}
ACTIVITY_METRICS = {"activities", "activity_minutes"}


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """The raw rows that add up to a dashboard figure, with their total (the same number)."""
    from django.core.paginator import Paginator
    from django.db.models import DecimalField, ExpressionWrapper, F, Sum

    from attain.core.visibility import visible
    from attain.orders.models import OrderLine, OrderStatus
    from attain.pipeline.models import Activity, Deal, DealStatus

    kind = request.GET.get("kind", "company")
    subject = selectors.subject_for(user=request.user, kind=kind, pk=_int(request.GET.get("pk")))
    period = choose_period(request.GET, today=today())
    filters = _filters(request.GET)
    metric_key = request.GET.get("metric", "revenue")
    if metric_key not in METRICS:
        metric_key = "revenue"
    metric = metric_get(metric_key)
    scope = subject.scope
    money = DecimalField(max_digits=18, decimal_places=2)
    rows: Any
    totals: dict[str, Any]
    if metric_key in SALES_METRICS:
        rows = OrderLine.objects.filter(
            order__ordered_on__gte=period.start, order__ordered_on__lte=period.end
        ).exclude(order__status=OrderStatus.CANCELLED)
        rows = visible(
            rows, request.user, owner_field="order__owner", path_field="order__unit_path"
        )
        if scope.person_id:
            rows = rows.filter(order__owner_id=scope.person_id)
        if scope.unit_path:
            rows = rows.filter(order__unit_path__startswith=scope.unit_path)
        if filters.product_line_id:
            rows = rows.filter(product_line_id=filters.product_line_id)
        if filters.territory_id:
            rows = rows.filter(order__territory_id=filters.territory_id)
        if filters.segment:
            rows = rows.filter(order__account__segment=filters.segment)
        rows = (
            rows.select_related(
                "order", "order__owner", "order__account", "product", "product_line"
            )
            .annotate(
                margin=ExpressionWrapper(
                    F("net_amount_reporting") - F("cost_reporting"), output_field=money
                )
            )
            .order_by("-order__ordered_on", "order_id", "pk")
        )
        totals = rows.aggregate(
            revenue=Sum("net_amount_reporting"), cost=Sum("cost_reporting"), units=Sum("quantity")
        )
        template = "dashboards/records_sales.html"
    elif metric_key in DEAL_METRICS:
        rows = visible(Deal.objects.all(), request.user)
        if metric_key == "deals_created":
            rows = rows.filter(created_on__gte=period.start, created_on__lte=period.end)
        else:
            status = DealStatus.LOST if metric_key == "deals_lost" else DealStatus.WON
            rows = rows.filter(
                status=status, closed_on__gte=period.start, closed_on__lte=period.end
            )
        if scope.person_id:
            rows = rows.filter(owner_id=scope.person_id)
        if scope.unit_path:
            rows = rows.filter(unit_path__startswith=scope.unit_path)
        if filters.segment:
            rows = rows.filter(account__segment=filters.segment)
        rows = rows.select_related("owner", "account", "stage").order_by(
            "-closed_on", "-created_on", "pk"
        )
        totals = rows.aggregate(value=Sum("amount_reporting"))
        template = "dashboards/records_deals.html"
    elif metric_key in ACTIVITY_METRICS:
        rows = visible(Activity.objects.all(), request.user).filter(
            occurred_at__date__gte=period.start, occurred_at__date__lte=period.end
        )
        if scope.person_id:
            rows = rows.filter(owner_id=scope.person_id)
        if scope.unit_path:
            rows = rows.filter(unit_path__startswith=scope.unit_path)
        rows = rows.select_related("owner", "deal", "account").order_by("-occurred_at", "pk")
        totals = rows.aggregate(minutes=Sum("minutes"))
        template = "dashboards/records_activities.html"
    else:
        return render(
            request,
            "dashboards/records_none.html",
            {"metric": metric, "subject": subject, "period": period},
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        template,
        {
            "subject": subject,
            "period": period,
            "metric": metric,
            "page_obj": page,
            "rows": page.object_list,
            "count": page.paginator.count,
            "totals": totals,
            "query": params.urlencode(),
        },
    )
