"""The bulk order path (`orders_create_bulk`, used by order imports) against `order_create`: the
same orders, lines, stamps and conversions, and rollups equal to a rebuild from the raw rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.analytics.models import SalesDay
from attain.analytics.tests.factories import assert_rollups_fresh
from attain.orders.models import Order, OrderLine
from attain.orders.services import BulkOrder, OrderLineInput, order_create, orders_create_bulk
from attain.orders.tests.factories import DAY, make_account, make_product, make_rate

D = Decimal

ORDER_FIELDS = (
    "account_id",
    "owner_id",
    "unit_id",
    "unit_path",
    "territory_id",
    "currency",
    "ordered_on",
    "fx_rate",
    "net_total",
    "net_total_reporting",
    "status",
    "external_ref",
)
LINE_FIELDS = (
    "product_id",
    "quantity",
    "unit_price",
    "discount_pct",
    "net_amount",
    "net_amount_reporting",
    "cost_reporting",
    "product_line_id",
)


def _rows(orders: list[Order]) -> list[tuple[object, ...]]:
    out = []
    for order in sorted(orders, key=lambda o: o.external_ref):
        order.refresh_from_db()
        lines = OrderLine.objects.filter(order=order).order_by("product_id", "quantity")
        out.append(
            (
                tuple(getattr(order, f) for f in ORDER_FIELDS if f != "external_ref"),
                [tuple(getattr(line, f) for f in LINE_FIELDS) for line in lines],
            )
        )
    return out


@pytest.fixture
def goods(world):
    make_rate("USD", D("0.90000000"), DAY)
    widget = make_product(prices=[("EUR", "100.00", "40.00"), ("USD", "110.00", "44.00")])
    gadget = make_product(prices=[("EUR", "19.99", "8.00")])
    return widget, gadget, make_account(owner=world.rep)


def test_bulk_orders_equal_the_same_orders_taken_one_by_one(world, goods):
    widget, gadget, account = goods
    inputs = [
        ("EUR", [OrderLineInput(widget, D("2")), OrderLineInput(gadget, D("3"), None, D("10"))]),
        ("USD", [OrderLineInput(widget, D("1"), D("120.00"))]),
    ]
    single = [
        order_create(
            account=account,
            owner=world.rep,
            currency=currency,
            ordered_on=DAY,
            lines=lines,
            external_ref=f"single-{i}",
        )
        for i, (currency, lines) in enumerate(inputs)
    ]
    bulk = orders_create_bulk(
        orders=[
            BulkOrder(
                account_id=account.pk,
                owner_id=world.rep.pk,
                currency=currency,
                ordered_on=DAY,
                lines=lines,
                external_ref=f"bulk-{i}",
            )
            for i, (currency, lines) in enumerate(inputs)
        ]
    )
    assert _rows(bulk) == _rows(single)
    eur, usd = sorted(bulk, key=lambda o: o.external_ref)
    # 2 × 100.00 + 3 × 19.99 less 10 % (53.973 → 53.97) = 253.97 EUR; 120.00 USD × 0.9 = 108.00
    assert (eur.net_total, eur.net_total_reporting) == (D("253.97"), D("253.97"))
    assert (usd.net_total, usd.net_total_reporting) == (D("120.00"), D("108.00"))
    assert len({o.number for o in [*single, *bulk]}) == 4  # each order numbered once
    day = SalesDay.objects.filter(day=DAY, owner=world.rep)
    assert sum(row.revenue for row in day) == 2 * (D("253.97") + D("108.00"))
    assert_rollups_fresh()


def test_one_bad_order_names_its_place_and_nothing_is_written(world, goods):
    widget, _gadget, account = goods
    good = BulkOrder(
        account_id=account.pk,
        owner_id=world.rep.pk,
        currency="EUR",
        ordered_on=DAY,
        lines=[OrderLineInput(widget, D("1"))],
    )
    bad = BulkOrder(
        account_id=account.pk,
        owner_id=world.rep.pk,
        currency="XXX",
        ordered_on=dt.date(2025, 3, 4),
        lines=[OrderLineInput(widget, D("1"))],
    )
    negative = BulkOrder(
        account_id=account.pk,
        owner_id=world.rep.pk,
        currency="EUR",
        ordered_on=dt.date(2025, 3, 5),
        lines=[OrderLineInput(widget, D("1")), OrderLineInput(widget, D("-1"))],
    )
    with pytest.raises(ValidationError) as caught:
        orders_create_bulk(orders=[good, bad, negative])
    keys = set(caught.value.message_dict)
    assert keys == {"orders[1].currency", "orders[2].lines[1].quantity"}
    assert (Order.objects.count(), OrderLine.objects.count(), SalesDay.objects.count()) == (0, 0, 0)
