"""The records behind a dashboard figure: the raw rows whose count or total is that figure.

One function per metric family builds the rows and their totals; they share how the request is
read (subject, period, filters) and how rows are narrowed: the user's visibility, the subject's
scope (one seller, or a unit's subtree by stamped path) and the filters the metric supports.
Metrics without a family (CSAT, metrics registered by plug-ins) say that no list exists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attain.analytics.metrics import METRICS, Metric, metric_get
from attain.analytics.selectors import Filters
from attain.core.periods import today
from attain.core.visibility import visible
from attain.customers.models import Segment
from attain.dashboards import selectors
from attain.dashboards.periods import ChosenPeriod, choose_period
from attain.dashboards.selectors import Subject
from attain.orders.models import OrderLine, OrderReturn, OrderStatus
from attain.orders.selectors import orders_first_of_customers, orders_live
from attain.organization.models import Person
from attain.pipeline.models import Activity, Deal, DealStatus

PAGE_SIZE = 50
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MONEY = DecimalField(max_digits=18, decimal_places=2)


def int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def filters_from(params: Any) -> Filters:
    segment = params.get("segment") or None
    return Filters(
        product_line_id=int_param(params.get("product_line")),
        territory_id=int_param(params.get("territory")),
        segment=segment if segment in Segment.values else None,
    )


# --- what the records are behind, and how rows are narrowed to it -------------------------------


@dataclass(frozen=True)
class Fields:
    """Where a family's rows hold the day, the owner (a foreign key), the stamped unit path and
    each filter the family can apply (filter name → lookup)."""

    day: str
    owner: str
    unit_path: str
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A dashboard figure: who it is about, for whom, which period, metric and filters."""

    user: Any
    subject: Subject
    period: ChosenPeriod
    metric: Metric
    filters: Filters

    def narrow(self, queryset: QuerySet[Any], fields: Fields) -> QuerySet[Any]:
        """The rows of the period the user may see, inside the subject, with the filters the
        metric supports (others are ignored, as on the dashboard cards)."""
        rows = queryset.filter(
            **{f"{fields.day}__gte": self.period.start, f"{fields.day}__lte": self.period.end}
        )
        rows = visible(rows, self.user, owner_field=fields.owner, path_field=fields.unit_path)
        scope = self.subject.scope
        if scope.person_id:
            rows = rows.filter(**{f"{fields.owner}_id": scope.person_id})
        if scope.unit_path:
            rows = rows.filter(**{f"{fields.unit_path}__startswith": scope.unit_path})
        for name, value in self.filters.given().items():
            if name in self.metric.filters:
                rows = rows.filter(**{fields.filters[name]: value})
        return rows


@dataclass(frozen=True)
class Listing:
    """A family's answer: the rows (paginated by the view), their totals, and the template.

    `present` turns one page of rows into what the template shows (for rows that need a second
    look-up per page, e.g. the sellers of each customer)."""

    template: str
    rows: QuerySet[Any]
    totals: dict[str, Any]
    present: Callable[[list[Any]], list[Any]] | None = None


# --- the families -------------------------------------------------------------------------------

SALES_METRICS = frozenset({"revenue", "gross_margin", "units"})
DEAL_METRICS = frozenset({"deals_won", "won_value", "deals_lost", "deals_created"})
ACTIVITY_METRICS = frozenset({"activities", "activity_minutes"})

LINE_FIELDS = Fields(
    day="order__ordered_on",
    owner="order__owner",
    unit_path="order__unit_path",
    filters={
        "product_line": "product_line_id",
        "product": "product_id",
        "territory": "order__territory_id",
        "segment": "order__account__segment",
    },
)
ORDER_FIELDS = Fields(
    day="ordered_on",
    owner="owner",
    unit_path="unit_path",
    filters={"territory": "territory_id", "segment": "account__segment"},
)
RETURN_FIELDS = Fields(
    day="returned_on",
    owner="line__order__owner",
    unit_path="line__order__unit_path",
    filters={
        "product_line": "line__product_line_id",
        "territory": "line__order__territory_id",
        "segment": "line__order__account__segment",
    },
)


def sales_records(figure: Figure) -> Listing:
    """Order lines of non-cancelled orders taken in the period (revenue, margin, units)."""
    lines = OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED)
    rows = (
        figure.narrow(lines, LINE_FIELDS)
        .select_related("order", "order__owner", "order__account", "product", "product_line")
        .annotate(
            margin=ExpressionWrapper(
                F("net_amount_reporting") - F("cost_reporting"), output_field=MONEY
            )
        )
        .order_by("-order__ordered_on", "order_id", "pk")
    )
    totals = rows.aggregate(
        revenue=Sum("net_amount_reporting"), cost=Sum("cost_reporting"), units=Sum("quantity")
    )
    return Listing("dashboards/records_sales.html", rows, totals)


def deal_records(figure: Figure) -> Listing:
    """Deals created in the period, or closed won / lost in it."""
    key = figure.metric.key
    deals = Deal.objects.all()
    if key != "deals_created":
        deals = deals.filter(status=DealStatus.LOST if key == "deals_lost" else DealStatus.WON)
    fields = Fields(
        day="created_on" if key == "deals_created" else "closed_on",
        owner="owner",
        unit_path="unit_path",
        filters={"segment": "account__segment"},
    )
    rows = (
        figure.narrow(deals, fields)
        .select_related("owner", "account", "stage")
        .order_by("-closed_on", "-created_on", "pk")
    )
    totals = rows.aggregate(value=Sum("amount_reporting"))
    return Listing("dashboards/records_deals.html", rows, totals)


def activity_records(figure: Figure) -> Listing:
    """Activities logged in the period (by the local day they happened)."""
    fields = Fields(day="occurred_at__date", owner="owner", unit_path="unit_path")
    rows = (
        figure.narrow(Activity.objects.all(), fields)
        .select_related("owner", "deal", "account")
        .order_by("-occurred_at", "pk")
    )
    totals = rows.aggregate(minutes=Sum("minutes"))
    return Listing("dashboards/records_activities.html", rows, totals)


def new_customer_records(figure: Figure) -> Listing:
    """One row per new customer: their first order, credited to its seller, unit and territory."""
    rows = (
        figure.narrow(orders_first_of_customers(), ORDER_FIELDS)
        .select_related("account", "owner", "territory")
        .order_by("-ordered_on", "pk")
    )
    totals = rows.aggregate(customers=Count("pk"), value=Sum("net_total_reporting"))
    return Listing("dashboards/records_new_customers.html", rows, totals)


@dataclass(frozen=True)
class CustomerOrders:
    """A customer with orders in the period: how many, and who took them."""

    account_id: int
    name: str
    orders: int
    sellers: list[Person]

    @property
    def repeat(self) -> bool:
        return self.orders > 1


def _rate(repeat: int, total: int) -> Decimal | None:
    """The same rounding as the metric: repeat × 100 ÷ total, to the cent."""
    if not total:
        return None
    return (Decimal(repeat) * HUNDRED / Decimal(total)).quantize(CENT)


def repeat_customer_records(figure: Figure) -> Listing:
    """One row per customer with a non-cancelled order in the period; repeat = more than one."""
    orders = figure.narrow(orders_live(), ORDER_FIELDS)
    per_customer = orders.order_by().values("account_id").annotate(n=Count("pk"))
    counts = per_customer.aggregate(
        customers=Count("account_id"), repeat=Count("account_id", filter=Q(n__gt=1))
    )
    totals = {
        "customers": counts["customers"] or 0,
        "repeat": counts["repeat"] or 0,
        "rate": _rate(counts["repeat"] or 0, counts["customers"] or 0),
    }
    rows = (
        orders.values("account_id", "account__name")
        .annotate(orders=Count("pk"))
        .order_by("-orders", "account__name", "account_id")
    )

    def present(page: list[dict[str, Any]]) -> list[CustomerOrders]:
        ids = [row["account_id"] for row in page]
        pairs = list(
            orders.filter(account_id__in=ids)
            .order_by()
            .values_list("account_id", "owner_id")
            .distinct()
        )
        people = Person.objects.in_bulk({owner_id for _, owner_id in pairs})
        sellers: dict[int, list[Person]] = defaultdict(list)
        for account_id, owner_id in pairs:
            sellers[account_id].append(people[owner_id])
        return [
            CustomerOrders(
                account_id=row["account_id"],
                name=row["account__name"],
                orders=row["orders"],
                sellers=sorted(sellers[row["account_id"]], key=str),
            )
            for row in page
        ]

    return Listing("dashboards/records_repeat_customers.html", rows, totals, present)


def return_records(figure: Figure) -> Listing:
    """Returns recorded in the period, keyed by the order's seller, unit and territory."""
    rows = (
        figure.narrow(OrderReturn.objects.all(), RETURN_FIELDS)
        .select_related("line__order__account", "line__order__owner", "line__product")
        .order_by("-returned_on", "pk")
    )
    totals = rows.aggregate(refunded=Sum("amount_reporting"), units=Sum("quantity"))
    return Listing("dashboards/records_returns.html", rows, totals)


FAMILIES: dict[str, Callable[[Figure], Listing]] = {
    **dict.fromkeys(SALES_METRICS, sales_records),
    **dict.fromkeys(DEAL_METRICS, deal_records),
    **dict.fromkeys(ACTIVITY_METRICS, activity_records),
    "new_customers": new_customer_records,
    "repeat_customer_rate": repeat_customer_records,
    "returns": return_records,
}


# --- the page -----------------------------------------------------------------------------------


def _figure(request: HttpRequest) -> Figure:
    kind = request.GET.get("kind", "company")
    subject = selectors.subject_for(
        user=request.user, kind=kind, pk=int_param(request.GET.get("pk"))
    )
    metric_key = request.GET.get("metric", "revenue")
    if metric_key not in METRICS:
        metric_key = "revenue"
    return Figure(
        user=request.user,
        subject=subject,
        period=choose_period(request.GET, today=today()),
        metric=metric_get(metric_key),
        filters=filters_from(request.GET),
    )


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """The raw rows that add up to a dashboard figure, with their total (the same number)."""
    figure = _figure(request)
    family = FAMILIES.get(figure.metric.key)
    if family is None:
        return render(
            request,
            "dashboards/records_none.html",
            {"metric": figure.metric, "subject": figure.subject, "period": figure.period},
        )
    listing = family(figure)
    page = Paginator(listing.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: Any = page.object_list
    if listing.present is not None:
        rows = listing.present(list(rows))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        listing.template,
        {
            "subject": figure.subject,
            "period": figure.period,
            "metric": figure.metric,
            "page_obj": page,
            "rows": rows,
            "count": page.paginator.count,
            "totals": listing.totals,
            "query": params.urlencode(),
        },
    )
