"""The home page's figures: what the signed-in person's part of the business looks like now."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from attain.core.periods import month_of, today
from attain.orders.models import Order, OrderStatus
from attain.organization.visibility import visible
from attain.pipeline.selectors import pipeline_summary

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))


@dataclass(frozen=True)
class HomeSummary:
    open_deals: int
    open_pipeline: Decimal
    won_this_month: int
    won_value_this_month: Decimal
    orders_this_month: int
    order_value_this_month: Decimal


def home_summary(*, user: Any) -> HomeSummary:
    month = month_of(today())
    deals = pipeline_summary(user=user)  # open deals now, won this month (indexed queries)
    orders = (
        visible(Order.objects.all(), user)
        .filter(ordered_on__gte=month.start)
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(n=Count("pk"), value=Coalesce(Sum("net_total_reporting"), ZERO))
    )
    return HomeSummary(
        open_deals=deals.open_count,
        open_pipeline=deals.open_amount,
        won_this_month=deals.won_count,
        won_value_this_month=deals.won_amount,
        orders_this_month=orders["n"],
        order_value_this_month=orders["value"],
    )
