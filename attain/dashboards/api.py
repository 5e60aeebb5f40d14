"""The dashboards in the API: every figure a dashboard page shows, its early warnings and the
records behind each figure — under the same visibility as the pages (404 for a subject the user
may not see, exactly like one that does not exist).

Mounted on the API at start-up by `DashboardsConfig.ready()`: the dashboards sit above the API
app in the layers, so the API cannot import them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from attain.analytics.metrics import METRICS, metric_get
from attain.analytics.selectors import Filters, metric_breakdown
from attain.core.periods import today
from attain.dashboards import selectors
from attain.dashboards.periods import choose_period
from attain.dashboards.records import FAMILIES, PAGE_SIZE, Figure, filters_from

router = Router(tags=["dashboards"])


class DashboardQuery(Schema):
    pk: int | None = None
    period: str = "this_month"
    start: dt.date | None = None
    end: dt.date | None = None
    grain: str = ""
    metric: str = "revenue"
    by: str = ""
    product_line: int | None = None
    territory: int | None = None
    segment: str = ""


def _params(query: DashboardQuery) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in query.dict().items()}


def _subject(request: HttpRequest, kind: str, pk: int | None) -> selectors.Subject:
    return selectors.subject_for(user=request.user, kind=kind, pk=pk)


def _board(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "rank": line.row.rank,
            "id": line.row.id,
            "name": line.row.name,
            "value": line.row.value,
            "goal_to_date": line.row.target,
            "attainment_pct": line.row.attainment,
            "mark": line.mark,
        }
        for line in selectors.board_lines(rows, full=True)
        if line.row is not None
    ]


def _alert(a: Any) -> dict[str, Any]:
    return {
        "dimension": a.dimension,
        "key": str(a.key),
        "label": a.label,
        "verdict": a.verdict,
        "weeks": [w.isoformat() for w in a.weeks],
        "values": [str(v) for v in a.values],
        "s": a.s,
        "z": a.z,
        "p_value": a.p_value,
        "slope_per_week": str(a.slope_per_week),
    }


@router.get("/{kind}", response=dict[str, Any], operation_id="dashboard_get")
def dashboard_get(request: HttpRequest, kind: str, query: Query[DashboardQuery]) -> dict[str, Any]:
    """Everything the dashboard page of the company, a unit or a seller shows (kind: company |
    unit | seller; pk for a unit or a seller): figures with previous period and year before,
    the trend against the goal line, a breakdown, the funnel with velocity and coverage, the
    seller and team leaderboards (every row, with top / laggard marks) and the early warnings."""
    subject = _subject(request, kind, query.pk)
    period = choose_period(_params(query), today=today())
    filters = filters_from(_params(query))
    metric_key = query.metric if query.metric in METRICS else "revenue"
    metric = metric_get(metric_key)
    if not metric.is_sum or any(name not in metric.filters for name in filters.given()):
        filters = Filters()
    by = query.by or (
        "product_line" if kind == "seller" else "seller" if kind == "unit" else "team"
    )
    cards = selectors.cards(subject=subject, period=period, filters=filters)
    trend = selectors.trend(subject=subject, period=period, metric=metric_key, filters=filters)
    funnel = selectors.funnel(subject=subject, period=period)
    health = selectors.pipeline_health(
        funnel=funnel,
        goal_total=trend.goal_total if metric_key == "revenue" else None,
        actual=next((c.value for c in cards if c.key == "revenue"), None),
    )
    warnings = selectors.alerts(subject=subject)
    return {
        "subject": {"kind": subject.kind, "label": subject.label, "pk": query.pk},
        "period": {
            "key": period.key,
            "start": period.start,
            "end": period.end,
            "grain": period.grain,
        },
        "cards": [
            {
                "metric": c.key,
                "label": c.label,
                "unit": c.unit,
                "value": c.value,
                "previous": c.previous,
                "year_before": c.year_before,
                "change_pct": c.change_pct,
                "year_over_year_pct": c.yoy_pct,
                "formula": c.formula,
            }
            for c in cards
        ],
        "trend": {
            "metric": trend.metric,
            "buckets": trend.buckets,
            "actual": trend.actual,
            "cumulative": trend.cumulative,
            "year_before_cumulative": trend.year_before_cumulative,
            "goal_cumulative": trend.goal_cumulative,
            "goal_total": trend.goal_total,
        },
        "breakdown": {
            "by": by,
            "rows": [
                {"key": r.key, "label": r.label, "value": r.value, "id": r.id}
                for r in metric_breakdown(
                    metric=metric_key,
                    scope=subject.scope,
                    start=period.start,
                    end=period.end,
                    by=by,
                    filters=filters,
                )
            ],
        },
        "funnel": {
            "won": funnel.won,
            "lost": funnel.lost,
            "open": funnel.open,
            "win_rate_pct": funnel.win_rate,
            "win_rate_by_value_pct": funnel.win_rate_by_value,
            "won_value": funnel.won_value,
            "average_deal_size": funnel.average_deal_size,
            "average_cycle_days": funnel.average_cycle_days,
            "open_pipeline": funnel.open_pipeline,
            "weighted_pipeline": funnel.weighted_pipeline,
            "velocity_per_day": health.velocity_per_day,
            "coverage": health.coverage,
            "remaining_goal": health.remaining_goal,
            "stages": [
                {
                    "code": s.code,
                    "name": s.name,
                    "entered": s.entered,
                    "advanced": s.advanced,
                    "conversion_pct": s.conversion,
                }
                for s in funnel.stages
            ],
        },
        "leaderboard": _board(selectors.leaderboard(subject=subject, period=period)),
        "team_leaderboard": _board(
            selectors.leaderboard(subject=subject, period=period, level="team")
        )
        if selectors.shows_team_leaderboard(subject)
        else [],
        "alerts": {
            "weeks": [w.isoformat() for w in warnings.weeks],
            "count": len(warnings.items),
            "items": [_alert(a) for a in warnings.items],
        },
    }


def _record(row: Any) -> dict[str, Any]:
    """A record behind a figure, as plain fields (each family's rows are another model)."""
    name = type(row).__name__
    if name == "OrderLine":
        return {
            "kind": "order_line",
            "id": row.pk,
            "order": row.order.number,
            "order_id": row.order_id,
            "ordered_on": row.order.ordered_on,
            "owner": str(row.order.owner),
            "account": str(row.order.account),
            "product": row.product.sku,
            "quantity": row.quantity,
            "net_amount_reporting": row.net_amount_reporting,
            "cost_reporting": row.cost_reporting,
            "margin": getattr(row, "margin", None),
        }
    if name == "Deal":
        return {
            "kind": "deal",
            "id": row.pk,
            "name": row.name,
            "owner": str(row.owner),
            "account": str(row.account) if row.account else None,
            "status": row.status,
            "created_on": row.created_on,
            "closed_on": row.closed_on,
            "amount_reporting": row.amount_reporting,
        }
    if name == "Activity":
        return {
            "kind": "activity",
            "id": row.pk,
            "owner": str(row.owner),
            "type": row.kind,
            "occurred_at": row.occurred_at,
            "minutes": row.minutes,
            "subject": row.subject,
        }
    if name == "Order":
        return {
            "kind": "first_order",
            "id": row.pk,
            "order": row.number,
            "account": str(row.account),
            "owner": str(row.owner),
            "ordered_on": row.ordered_on,
            "net_total_reporting": row.net_total_reporting,
        }
    if name == "OrderReturn":
        return {
            "kind": "return",
            "id": row.pk,
            "order": row.line.order.number,
            "product": row.line.product.sku,
            "returned_on": row.returned_on,
            "quantity": row.quantity,
            "amount_reporting": row.amount_reporting,
        }
    if name == "CustomerOrders":
        return {
            "kind": "customer",
            "account_id": row.account_id,
            "account": row.name,
            "orders": row.orders,
            "repeat": row.repeat,
            "sellers": [str(p) for p in row.sellers],
        }
    return {"kind": name}


def _total(name: str, value: Any) -> Any:
    """Totals as the page shows them: money to the cent, units to the thousandth."""
    if isinstance(value, (Decimal, float)):
        places = Decimal("0.001") if name == "units" else Decimal("0.01")
        return Decimal(repr(value) if isinstance(value, float) else value).quantize(places)
    return value


@router.get("/{kind}/records", response=dict[str, Any], operation_id="dashboard_records")
def dashboard_records(
    request: HttpRequest, kind: str, query: Query[DashboardQuery], page: int = 1
) -> dict[str, Any]:
    """The records that add up to a figure (`metric`) of the dashboard, 50 a page, with their
    totals — the same number the figure shows."""
    subject = _subject(request, kind, query.pk)
    metric_key = query.metric if query.metric in METRICS else "revenue"
    figure = Figure(
        user=request.user,
        subject=subject,
        period=choose_period(_params(query), today=today()),
        metric=metric_get(metric_key),
        filters=filters_from(_params(query)),
    )
    family = FAMILIES.get(metric_key)
    if family is None:
        return {"metric": metric_key, "count": 0, "totals": {}, "rows": [], "pages": 0}
    listing = family(figure)
    found = Paginator(listing.rows, PAGE_SIZE).get_page(page)
    rows: Any = list(found.object_list)
    if listing.present is not None:
        rows = listing.present(rows)
    return {
        "metric": metric_key,
        "count": found.paginator.count,
        "pages": found.paginator.num_pages,
        "page": found.number,
        "totals": {k: _total(k, v) for k, v in listing.totals.items()},
        "rows": [_record(r) for r in rows],
    }
