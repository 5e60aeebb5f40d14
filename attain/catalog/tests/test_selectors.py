"""Catalog reads: the price in force on a day, lists with filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.catalog.selectors import (
    product_line_list,
    product_list,
    product_price_history,
    product_price_on,
    product_prices_current,
)
from attain.catalog.services import product_line_update, product_update
from attain.catalog.tests.factories import make_line, make_price, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced():
    product = make_product()
    make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="100.00")
    make_price(product=product, valid_from=dt.date(2024, 7, 1), list_price="110.00")
    make_price(product=product, valid_from=dt.date(2024, 3, 1), currency="USD", list_price="120.00")
    return product


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2023, 12, 31), None),
        (dt.date(2024, 1, 1), Decimal("100.00")),
        (dt.date(2024, 6, 30), Decimal("100.00")),
        (dt.date(2024, 7, 1), Decimal("110.00")),
        (dt.date(2030, 1, 1), Decimal("110.00")),
    ],
)
def test_product_price_on_takes_latest_valid_from_on_or_before(priced, on, expected):
    price = product_price_on(product_id=priced.pk, currency="EUR", on=on)
    assert (price.list_price if price else None) == expected


def test_product_price_on_is_per_currency(priced):
    assert product_price_on(product_id=priced.pk, currency="USD", on=dt.date(2024, 2, 1)) is None
    usd = product_price_on(product_id=priced.pk, currency="USD", on=dt.date(2024, 3, 1))
    assert usd is not None and usd.list_price == Decimal("120.00")
    assert product_price_on(product_id=priced.pk, currency="GBP", on=dt.date(2025, 1, 1)) is None


def test_product_prices_current_one_row_per_currency(priced):
    rows = product_prices_current(product_id=priced.pk, on=dt.date(2024, 8, 1))
    assert [(r.currency, r.list_price) for r in rows] == [
        ("EUR", Decimal("110.00")),
        ("USD", Decimal("120.00")),
    ]
    assert product_prices_current(product_id=priced.pk, on=dt.date(2024, 2, 1))[0].list_price == (
        Decimal("100.00")
    )


def test_product_price_history_newest_first(priced):
    assert [p.valid_from for p in product_price_history(product_id=priced.pk)] == [
        dt.date(2024, 7, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 1, 1),
    ]


def test_product_list_filters():
    hw, sw = make_line(name="Hardware"), make_line(name="Software")
    a = make_product(line=hw, sku="HW-1", name="Server")
    b = make_product(line=sw, sku="SW-1", name="Licence")
    c = make_product(line=hw, sku="HW-2", name="Rack")
    product_update(product=c, line=hw, name="Rack", is_active=False)
    assert set(product_list(search="hw-")) == {a, c}
    assert set(product_list(search="licen")) == {b}
    assert set(product_list(line_id=hw.pk, is_active=True)) == {a}
    assert set(product_list(is_active=False)) == {c}


def test_product_line_list_counts_products_and_filters():
    hw = make_line(code="HW", name="Hardware")
    sw = make_line(code="SW", name="Software")
    make_product(line=hw)
    make_product(line=hw)
    product_line_update(line=sw, name="Software", is_active=False)
    rows = {line.code: line.product_count for line in product_line_list()}
    assert rows == {"HW": 2, "SW": 0}
    assert [line.code for line in product_line_list(is_active=True)] == ["HW"]
    assert [line.code for line in product_line_list(search="soft")] == ["SW"]
