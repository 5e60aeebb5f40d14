"""The pieces of `manage.py run_bench`: timing helpers and the four benchmark sections.

pages       p50/p95 server time of the main list pages and API lists
dashboards  p50/p95 of each dashboard and of the performance API summary endpoints
rollup      the same sales figures by a direct GROUP BY over the raw order lines, over the
            SalesDay day table and through the performance selectors (the cube): timings, equality
latency     saving an order (order_create) until the dashboard's number shows it, rolled back

Everything runs in-process (django.test.Client with force_login): server time, no network.
These are measurements, never pass/fail checks.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, reset_queries, transaction
from django.db.models import DateField, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attain.analytics.models import SalesDay
from attain.analytics.selectors import Scope, metric_breakdown, metric_series, metric_value
from attain.catalog.models import ProductPrice
from attain.core.periods import add_months, month_of, today, valid_on_q
from attain.customers.models import Account
from attain.orders.models import Order, OrderLine, OrderStatus
from attain.orders.services import OrderLineInput, order_create
from attain.organization.models import SELLING_ROLES, Membership, OrgUnit, Person, UnitKind
from attain.pipeline.models import Deal

CENT = Decimal("0.01")

#: the list pages and API lists timed since the first benchmark (kept for comparison)
PAGE_URLS = [
    "/",
    "/pipeline/deals/",
    "/pipeline/deals/?status=open&sort=-amount_reporting",
    "/orders/",
    "/customers/accounts/",
    "/organization/people/",
    "/api/v1/pipeline/deals?limit=50",
    "/api/v1/orders/orders?limit=50",
    "/api/v1/customers/accounts?limit=50",
]
PERIODS = ("this_year", "last_12_months")


# --- timing ------------------------------------------------------------------------------------


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def percentiles(samples: Iterable[float]) -> dict[str, float]:
    """p50 (median) and p95 (nearest rank) of the samples, in ms rounded to 0.01."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    rank = max(1, math.ceil(len(ordered) * 0.95))
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[rank - 1], 2),
    }


def time_get(client: Client, url: str, repeat: int) -> dict[str, Any]:
    """One untimed warm-up GET (counting its SQL queries), then `repeat` timed GETs."""
    reset_queries()  # the log is capped: a full one would count nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    status = response.status_code
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(ms_since(start))
        status = response.status_code
    return {"status": status, "queries": len(queries), **percentiles(timings)}


def time_call(function: Callable[[], Any], repeat: int) -> tuple[Any, dict[str, float]]:
    """The result of one untimed call, then p50/p95 of `repeat` timed calls."""
    result = function()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(ms_since(start))
    return result, percentiles(timings)


# --- the environment ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def database_bytes() -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])
    return None


def database() -> dict[str, Any]:
    return {
        "vendor": connection.vendor,
        "version": _server_version(),
        "bytes": database_bytes(),
        "rows": {
            "orders": Order.objects.count(),
            "order_lines": OrderLine.objects.count(),
            "deals": Deal.objects.count(),
            "sales_days": SalesDay.objects.count(),
            "people": Person.objects.count(),
        },
    }


def _server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return str(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return str(cursor.fetchone()[0])
    return ""


# --- periods and subjects ----------------------------------------------------------------------


def period_bounds(key: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """The dashboards' named periods (see attain.dashboards.periods.choose_period)."""
    if key == "this_year":
        return dt.date(on.year, 1, 1), dt.date(on.year, 12, 31)
    if key == "last_12_months":
        return add_months(on.replace(day=1), -11), month_of(on).end
    raise ValueError(f"unknown period {key!r}")


@dataclass(frozen=True)
class Subjects:
    """Real ids from the data: the demo logins' division, team and person when they exist."""

    division: OrgUnit
    team: OrgUnit
    seller: Person

    def as_json(self) -> dict[str, Any]:
        return {
            "division": {"id": self.division.pk, "name": self.division.name},
            "team": {"id": self.team.pk, "name": self.team.name},
            "seller": {"id": self.seller.pk, "name": str(self.seller)},
        }


def _login_unit(username: str, kind: str, on: dt.date) -> OrgUnit | None:
    membership = (
        Membership.objects.filter(valid_on_q(on), person__user__username=username, unit__kind=kind)
        .select_related("unit")
        .order_by("-valid_from", "pk")
        .first()
    )
    if membership is not None:
        return membership.unit
    return OrgUnit.objects.filter(kind=kind).order_by("path").first()


def find_subjects(on: dt.date) -> Subjects | None:
    division = _login_unit("manager", UnitKind.DIVISION, on)
    team = _login_unit("leader", UnitKind.TEAM, on)
    seller = (
        Person.objects.filter(user__username="rep").first()
        or Person.objects.filter(memberships__role__in=SELLING_ROLES).order_by("pk").first()
    )
    if division is None or team is None or seller is None:
        return None
    return Subjects(division=division, team=team, seller=seller)


# --- dashboards and the performance API --------------------------------------------------------


def dashboard_urls(subjects: Subjects, period: str) -> dict[str, str]:
    query = f"?period={period}"
    return {
        "company": f"/dashboards/company/{query}",
        "division": f"/dashboards/units/{subjects.division.pk}/{query}",
        "team": f"/dashboards/units/{subjects.team.pk}/{query}",
        "seller": f"/dashboards/sellers/{subjects.seller.pk}/{query}",
    }


def api_urls(subjects: Subjects, start: dt.date, end: dt.date) -> dict[str, str]:
    base = "/api/v1/performance"
    urls = {}
    for scope, extra, by in (
        ("company", {}, "team"),
        ("team", {"unit_id": subjects.team.pk}, "seller"),
    ):
        span = {"start": start.isoformat(), "end": end.isoformat(), **extra}
        urls[f"{scope} value"] = f"{base}/value?" + urlencode({"metric": "revenue", **span})
        urls[f"{scope} series"] = f"{base}/series?" + urlencode(
            {"metric": "revenue", "grain": "month", **span}
        )
        urls[f"{scope} breakdown"] = f"{base}/breakdown?" + urlencode(
            {"metric": "revenue", "by": by, **span}
        )
        urls[f"{scope} funnel"] = f"{base}/funnel?" + urlencode(span)
    return urls


def bench_dashboards(client: Client, subjects: Subjects, repeat: int) -> dict[str, Any]:
    on = today()
    dashboards: list[dict[str, Any]] = []
    api: list[dict[str, Any]] = []
    for period in PERIODS:
        start, end = period_bounds(period, on)
        for name, url in dashboard_urls(subjects, period).items():
            dashboards.append(
                {"name": name, "period": period, "url": url, **time_get(client, url, repeat)}
            )
        for name, url in api_urls(subjects, start, end).items():
            api.append(
                {"name": name, "period": period, "url": url, **time_get(client, url, repeat)}
            )
    return {"dashboards": dashboards, "api": api}


# --- raw order lines vs the rollup -------------------------------------------------------------

Groups = dict[str, Decimal]


def _plain(groups: Iterable[tuple[Any, Any]]) -> Groups:
    """{group key as text: value in cents}, zero groups dropped (series are zero-filled)."""
    out: Groups = {}
    for key, value in groups:
        amount = Decimal(repr(value) if isinstance(value, float) else (value or 0)).quantize(CENT)
        if amount:
            label = key.isoformat()[:7] if isinstance(key, dt.date) else str(key)
            out[label] = amount
    return out


def _raw(start: dt.date, end: dt.date, unit_path: str | None = None) -> QuerySet[Any]:
    """Order lines of non-cancelled orders taken in [start, end] (in the unit's subtree)."""
    qs = OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED).filter(
        order__ordered_on__gte=start, order__ordered_on__lte=end
    )
    if unit_path:
        qs = qs.filter(order__unit_path__startswith=unit_path)
    return qs.order_by()


def _rollup(start: dt.date, end: dt.date, unit_path: str | None = None) -> QuerySet[Any]:
    qs = SalesDay.objects.filter(day__gte=start, day__lte=end)
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    return qs.order_by()


def _grouped(qs: QuerySet[Any], group: Any, measure: str) -> Groups:
    rows = qs.values(g=group).annotate(v=Sum(measure)).values_list("g", "v")
    return _plain(rows)


def rollup_figures(
    team: OrgUnit, start: dt.date, end: dt.date
) -> dict[str, dict[str, Callable[[], Groups]]]:
    """figure → {raw, rollup, selector} → a function computing {group: revenue}."""
    company = Scope()
    team_scope = Scope(unit_path=team.path)
    raw_month = TruncMonth("order__ordered_on", output_field=DateField())
    rollup_month = TruncMonth("day", output_field=DateField())
    return {
        "revenue_per_seller": {
            "raw": lambda: _grouped(_raw(start, end), F("order__owner_id"), "net_amount_reporting"),
            "rollup": lambda: _grouped(_rollup(start, end), F("owner_id"), "revenue"),
            "selector": lambda: _plain(
                (r.id, r.value)
                for r in metric_breakdown(
                    metric="revenue", scope=company, by="seller", start=start, end=end
                )
            ),
        },
        "revenue_per_month_company": {
            "raw": lambda: _grouped(_raw(start, end), raw_month, "net_amount_reporting"),
            "rollup": lambda: _grouped(_rollup(start, end), rollup_month, "revenue"),
            "selector": lambda: _plain(
                metric_series(metric="revenue", scope=company, grain="month", start=start, end=end)
            ),
        },
        "revenue_per_product_line_team": {
            "raw": lambda: _grouped(
                _raw(start, end, team.path), F("product_line_id"), "net_amount_reporting"
            ),
            "rollup": lambda: _grouped(
                _rollup(start, end, team.path), F("product_line_id"), "revenue"
            ),
            "selector": lambda: _plain(
                (r.id, r.value)
                for r in metric_breakdown(
                    metric="revenue", scope=team_scope, by="product_line", start=start, end=end
                )
            ),
        },
    }


def bench_rollup(subjects: Subjects, repeat: int) -> dict[str, Any]:
    start, end = period_bounds("last_12_months", today())
    figures: dict[str, Any] = {}
    for name, ways in rollup_figures(subjects.team, start, end).items():
        results: dict[str, Groups] = {}
        timings: dict[str, dict[str, float]] = {}
        for way, function in ways.items():
            results[way], timings[way] = time_call(function, repeat)
        raw_p50, day_p50 = timings["raw"]["p50_ms"], timings["rollup"]["p50_ms"]
        selector_p50 = timings["selector"]["p50_ms"]
        figures[name] = {
            "period": "last_12_months",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "groups": len(results["raw"]),
            "total": str(sum(results["raw"].values(), Decimal("0.00"))),
            "raw_p50_ms": raw_p50,
            # the day table alone (SalesDay), and the selectors the dashboards use, which read
            # the smallest cube slice through the query router
            "day_table_p50_ms": day_p50,
            "selector_p50_ms": selector_p50,
            "ratio_raw_to_day_table": round(raw_p50 / day_p50, 2) if day_p50 else None,
            "ratio_raw_to_rollup": round(raw_p50 / selector_p50, 2) if selector_p50 else None,
            "equal": results["raw"] == results["rollup"],
            "selector_equal": results["raw"] == results["selector"],
        }
    return figures


# --- from saving an order to seeing it ---------------------------------------------------------


def _order_inputs(seller: Person, on: dt.date) -> tuple[Account, ProductPrice] | None:
    currency = settings.REPORTING_CURRENCY
    price = (
        ProductPrice.objects.filter(currency=currency, valid_from__lte=on, product__is_active=True)
        .select_related("product")
        .order_by("product_id", "-valid_from")
        .first()
    )
    last = Order.objects.filter(owner=seller).order_by("-ordered_on", "-pk").first()
    account = last.account if last is not None else Account.objects.order_by("pk").first()
    if price is None or account is None:
        return None
    return account, price


def bench_latency(client: Client, seller: Person, repeat: int) -> dict[str, Any]:
    """Per run, in a transaction rolled back at the end: the seller's revenue this year, then
    order_create (timed), then metric_value (timed) and the API value (timed); the value must
    grow by exactly the order's reporting-currency net total."""
    on = today()
    inputs = _order_inputs(seller, on)
    if inputs is None:
        return {"error": "no account or no product priced in the reporting currency"}
    account, price = inputs
    start, end = period_bounds("this_year", on)
    scope = Scope(person_id=seller.pk)
    api_url = "/api/v1/performance/value?" + urlencode(
        {
            "metric": "revenue",
            "person_id": seller.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    )
    counts_before = (Order.objects.count(), OrderLine.objects.count(), SalesDay.objects.count())
    service, read, api_read, total = [], [], [], []
    exact = True
    api_exact = True
    amount = Decimal(0)
    try:
        for _ in range(max(1, repeat)):
            with transaction.atomic():
                before = metric_value(metric="revenue", scope=scope, start=start, end=end) or 0
                began = time.perf_counter()
                order = order_create(
                    account=account,
                    owner=seller,
                    currency=settings.REPORTING_CURRENCY,
                    ordered_on=on,
                    lines=[OrderLineInput(product=price.product, quantity=Decimal("3"))],
                    notes="run_bench: rolled back",
                )
                service.append(ms_since(began))
                began_read = time.perf_counter()
                after = metric_value(metric="revenue", scope=scope, start=start, end=end) or 0
                read.append(ms_since(began_read))
                total.append(ms_since(began))
                began_api = time.perf_counter()
                response = client.get(api_url)
                api_read.append(ms_since(began_api))
                amount = order.net_total_reporting
                exact = exact and after - before == amount and amount > 0
                api_value = response.json().get("value") if response.status_code == 200 else None
                api_exact = api_exact and api_value is not None and Decimal(api_value) == after
                transaction.set_rollback(True)
    except ValidationError as exc:  # e.g. a catalog without prices today: report, do not crash
        return {"error": f"order_create refused the benchmark order: {exc.messages}"}
    counts_after = (Order.objects.count(), OrderLine.objects.count(), SalesDay.objects.count())
    return {
        "seller_id": seller.pk,
        "metric": "revenue",
        "period": "this_year",
        "order_net_reporting": str(amount),
        "service_order_create": percentiles(service),
        "next_metric_value": percentiles(read),
        "save_to_visible": percentiles(total),
        "next_api_value": percentiles(api_read),
        "increase_exact": exact,
        "api_shows_it": api_exact,
        "left_nothing_behind": counts_before == counts_after,
    }


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers against the issue's aims (p95 ≤ 150 ms, rollups ≥ 20× faster)."""
    out: dict[str, Any] = {}
    for section in ("dashboards", "api"):
        rows = report.get(section) or []
        if rows:
            worst = max(rows, key=lambda r: r["p95_ms"])
            out[f"{section}_worst_p95_ms"] = worst["p95_ms"]
            out[f"{section}_worst"] = f"{worst['name']} {worst['period']}"
    figures = report.get("rollup_vs_raw") or {}
    if figures:
        ratios = [f["ratio_raw_to_rollup"] for f in figures.values() if f["ratio_raw_to_rollup"]]
        out["min_ratio_raw_to_rollup"] = min(ratios) if ratios else None
        out["all_equal"] = all(f["equal"] and f["selector_equal"] for f in figures.values())
    latency = report.get("order_to_dashboard") or {}
    if "save_to_visible" in latency:
        out["save_to_visible_p50_ms"] = latency["save_to_visible"]["p50_ms"]
    return out
