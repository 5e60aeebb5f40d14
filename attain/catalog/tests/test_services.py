"""Catalog writes: exact values stored; invalid input rejected with nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.services import (
    product_create,
    product_line_create,
    product_line_update,
    product_price_set,
    product_update,
)
from attain.catalog.tests.factories import make_line, make_price, make_product

pytestmark = pytest.mark.django_db


def test_product_line_create_stores_trimmed_values():
    line = product_line_create(code=" HW ", name=" Hardware ", description="Boxes")
    line.refresh_from_db()
    assert (line.code, line.name, line.description, line.is_active) == (
        "HW",
        "Hardware",
        "Boxes",
        True,
    )


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [("", "Hardware", "code"), ("HW", "  ", "name"), ("X" * 31, "Too long code", "code")],
)
def test_product_line_create_rejects_missing_or_bad_fields(code, name, field):
    with pytest.raises(ValidationError) as exc:
        product_line_create(code=code, name=name)
    assert field in exc.value.message_dict
    assert ProductLine.objects.count() == 0


def test_product_line_create_rejects_duplicate_code_and_name_case_insensitively():
    product_line_create(code="HW", name="Hardware")
    with pytest.raises(ValidationError) as exc:
        product_line_create(code="hw", name="hardware")
    assert set(exc.value.message_dict) == {"code", "name"}
    assert "already exists" in exc.value.message_dict["code"][0]
    assert ProductLine.objects.count() == 1


def test_product_line_update_deactivates_instead_of_deleting():
    line = make_line(code="SW", name="Software")
    product_line_update(line=line, name="Software & licences", description="d", is_active=False)
    line.refresh_from_db()
    assert (line.code, line.name, line.description, line.is_active) == (
        "SW",
        "Software & licences",
        "d",
        False,
    )


def test_product_line_update_rejects_name_of_another_line_and_keeps_old_values():
    make_line(code="A", name="Alpha")
    line = make_line(code="B", name="Beta")
    with pytest.raises(ValidationError) as exc:
        product_line_update(line=line, name="ALPHA", is_active=False)
    assert "name" in exc.value.message_dict
    line.refresh_from_db()
    assert (line.name, line.is_active) == ("Beta", True)


def test_product_create_and_update():
    line = make_line()
    other = make_line()
    product = product_create(
        line=line, sku=" P-1 ", name=" Widget ", description="w", external_ref="ext-1"
    )
    product.refresh_from_db()
    assert (product.line_id, product.sku, product.name, product.external_ref) == (
        line.pk,
        "P-1",
        "Widget",
        "ext-1",
    )
    product_update(product=product, line=other, name="Widget 2", is_active=False)
    product.refresh_from_db()
    assert (product.line_id, product.name, product.sku, product.is_active) == (
        other.pk,
        "Widget 2",
        "P-1",
        False,
    )


def test_product_create_rejects_duplicate_sku_and_inactive_line():
    line = make_line()
    make_product(line=line, sku="DUP")
    inactive = make_line()
    product_line_update(line=inactive, name=inactive.name, is_active=False)
    with pytest.raises(ValidationError) as exc:
        product_create(line=inactive, sku="dup", name="")
    assert set(exc.value.message_dict) == {"line", "sku", "name"}
    assert Product.objects.count() == 1


def test_product_update_rejects_move_to_inactive_line():
    product = make_product()
    inactive = make_line()
    product_line_update(line=inactive, name=inactive.name, is_active=False)
    with pytest.raises(ValidationError) as exc:
        product_update(product=product, line=inactive, name="New name")
    assert "line" in exc.value.message_dict
    product.refresh_from_db()
    assert product.name != "New name"


def test_product_price_set_stores_exact_amounts():
    product = make_product()
    price = product_price_set(
        product=product,
        valid_from=dt.date(2024, 3, 1),
        currency="eur",
        list_price=Decimal("1299.90"),
        unit_cost=Decimal("812.5"),
    )
    price.refresh_from_db()
    assert (price.currency, price.valid_from, price.list_price, price.unit_cost) == (
        "EUR",
        dt.date(2024, 3, 1),
        Decimal("1299.90"),
        Decimal("812.50"),
    )


def test_product_price_set_upserts_same_product_currency_day():
    product = make_product()
    first = make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="10.00")
    second = make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="12.00")
    assert first.pk == second.pk
    assert ProductPrice.objects.filter(product=product).count() == 1
    assert ProductPrice.objects.get(product=product).list_price == Decimal("12.00")
    make_price(product=product, valid_from=dt.date(2024, 1, 1), currency="USD")
    assert ProductPrice.objects.filter(product=product).count() == 2


@pytest.mark.parametrize(
    ("currency", "list_price", "unit_cost", "fields"),
    [
        ("XXX", "10", "5", {"currency"}),
        ("EUR", "-0.01", "5", {"list_price"}),
        ("EUR", "10", "-1", {"unit_cost"}),
        ("EUR", "10.001", "5", {"list_price"}),
        ("ZZZ", "-1", "-1", {"currency", "list_price", "unit_cost"}),
    ],
)
def test_product_price_set_rejects_bad_input_and_saves_nothing(
    currency, list_price, unit_cost, fields
):
    product = make_product()
    make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="10.00")
    with pytest.raises(ValidationError) as exc:
        product_price_set(
            product=product,
            valid_from=dt.date(2024, 1, 1),
            currency=currency,
            list_price=Decimal(list_price),
            unit_cost=Decimal(unit_cost),
        )
    assert set(exc.value.message_dict) == fields
    assert list(ProductPrice.objects.values_list("currency", "list_price", "unit_cost")) == [
        ("EUR", Decimal("10.00"), Decimal("60.00"))
    ]


def test_product_price_set_rejects_float():
    product = make_product()
    with pytest.raises(ValidationError) as exc:
        product_price_set(
            product=product,
            valid_from=dt.date(2024, 1, 1),
            currency="EUR",
            list_price=10.5,  # type: ignore[arg-type]
            unit_cost=Decimal("1"),
        )
    assert "list_price" in exc.value.message_dict
    assert ProductPrice.objects.count() == 0
