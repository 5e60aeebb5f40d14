"""Reads about orders: lists, one order with everything on it, its lifecycle, period summaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from attain.core.money import quantize_money
from attain.core.periods import Period, today
from attain.orders.models import LIFECYCLE, Order, OrderLine, OrderReturn, OrderStatus
from attain.orders.querysets import OrderQuerySet, OrderReturnQuerySet
from attain.orders.services import STEP_FIELDS

ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))


def orders_live() -> QuerySet[Order]:
    """Every order that counts as a sale: all but the cancelled ones (no visibility applied)."""
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def orders_first_of_customers() -> QuerySet[Order]:
    """Each customer's first live order (earliest date, then lowest id), whoever took it: the
    order that made them a new customer (no visibility applied)."""
    earlier = orders_live().filter(
        Q(ordered_on__lt=OuterRef("ordered_on"))
        | Q(ordered_on=OuterRef("ordered_on"), pk__lt=OuterRef("pk")),
        account_id=OuterRef("account_id"),
    )
    return orders_live().filter(~Exists(earlier))


def order_list(
    *,
    user: Any,
    search: str = "",
    status: str = "",
    late: bool = False,
    account_id: int | None = None,
    owner_id: int | None = None,
    ordered_from: dt.date | None = None,
    ordered_to: dt.date | None = None,
) -> OrderQuerySet:
    """Visible orders with their account and owner, filtered as asked."""
    qs = (
        Order.objects.visible_to(user)
        .search(search)
        .select_related("account", "owner")
        .with_late_flag()
    )
    if status:
        qs = qs.in_status(status)
    if late:
        qs = qs.late()
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if ordered_from is not None:
        qs = qs.filter(ordered_on__gte=ordered_from)
    if ordered_to is not None:
        qs = qs.filter(ordered_on__lte=ordered_to)
    return qs


def order_detail(*, user: Any, order_id: Any) -> Order:
    """One visible order with its lines (and their returns), cancellation, account and owner.

    Raises Order.DoesNotExist for an id the user cannot see, exactly as for a missing one.
    """
    returns = OrderReturn.objects.select_related("recorded_by").order_by("returned_on", "pk")
    lines = (
        OrderLine.objects.select_related("product", "product_line")
        .annotate(
            returned_quantity=Coalesce(
                Sum("returns__quantity"),
                Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3)),
            )
        )
        .prefetch_related(Prefetch("returns", queryset=returns))
        .order_by("pk")
    )
    return (
        Order.objects.visible_to(user)
        .select_related(
            "account", "owner", "unit", "territory", "deal", "cancellation__cancelled_by"
        )
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=order_id)
    )


def return_list(
    *, user: Any, search: str = "", order_id: int | None = None, reason: str = ""
) -> OrderReturnQuerySet:
    qs = (
        OrderReturn.objects.visible_to(user)
        .search(search)
        .select_related("line__order__account", "line__product", "recorded_by")
    )
    if order_id is not None:
        qs = qs.filter(line__order_id=order_id)
    if reason:
        qs = qs.filter(reason=reason)
    return qs


@dataclass(frozen=True)
class LifecycleStep:
    """One step of an order's lifecycle, promised against actual."""

    step: str
    label: str
    promised: dt.date | None
    actual: dt.date | None
    done: bool
    late: bool
    days_late: int


def order_lifecycle(*, order: Order, on: dt.date | None = None) -> list[LifecycleStep]:
    """Every step with its promised and actual date; a step is late when it was done after its
    promised date, or is still not done after it (not for cancelled orders). `days_late` counts
    days past the promise (to the actual date, or to `on`/today while still pending)."""
    day = on or today()
    cancelled = order.status == OrderStatus.CANCELLED
    steps = []
    for status in LIFECYCLE:
        promised_field, actual_field = STEP_FIELDS[status]
        promised = getattr(order, promised_field) if promised_field else None
        actual = getattr(order, actual_field)
        days_late = 0
        if promised is not None:
            if actual is not None:
                days_late = max((actual - promised).days, 0)
            elif not cancelled:
                days_late = max((day - promised).days, 0)
        steps.append(
            LifecycleStep(
                step=str(status),
                label=str(status.label),
                promised=promised,
                actual=actual,
                done=actual is not None,
                late=days_late > 0,
                days_late=days_late,
            )
        )
    return steps


def order_next_step(*, order: Order) -> str | None:
    """The step the order would advance to next (None when finished or cancelled)."""
    if order.status == OrderStatus.CANCELLED:
        return None
    steps = [str(s) for s in LIFECYCLE]
    index = steps.index(order.status)
    return steps[index + 1] if index + 1 < len(steps) else None


@dataclass(frozen=True)
class OrdersSummary:
    """Orders taken in a period and deliveries made in it, for what the user may see.

    `on_time_rate` is the share (percent, 1 decimal) of orders delivered in the period on or
    before their promised delivery date; an order delivered without a promised date does not
    count as on time. None when nothing was delivered.
    """

    period: Period
    count: int
    cancelled: int
    net_total_reporting: Decimal
    delivered: int
    delivered_on_time: int
    on_time_rate: Decimal | None
    returns_reporting: Decimal


def orders_summary(*, user: Any, period: Period) -> OrdersSummary:
    visible = Order.objects.visible_to(user)
    taken = visible.ordered_between(period.start, period.end).aggregate(
        count=Count("pk", filter=~Q(status=OrderStatus.CANCELLED)),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
        net=Coalesce(
            Sum("net_total_reporting", filter=~Q(status=OrderStatus.CANCELLED)), ZERO_MONEY
        ),
    )
    delivered = visible.filter(
        delivered_on__gte=period.start, delivered_on__lte=period.end
    ).aggregate(
        delivered=Count("pk"),
        on_time=Count("pk", filter=Q(delivered_on__lte=F("delivery_promised_on"))),
    )
    returned = (
        OrderReturn.objects.visible_to(user)
        .returned_between(period.start, period.end)
        .aggregate(total=Coalesce(Sum("amount_reporting"), ZERO_MONEY))
    )
    rate = None
    if delivered["delivered"]:
        rate = (Decimal(delivered["on_time"]) * 100 / Decimal(delivered["delivered"])).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return OrdersSummary(
        period=period,
        count=taken["count"],
        cancelled=taken["cancelled"],
        net_total_reporting=quantize_money(taken["net"]),
        delivered=delivered["delivered"],
        delivered_on_time=delivered["on_time"],
        on_time_rate=rate,
        returns_reporting=quantize_money(returned["total"]),
    )
