"""Catalog API: reads for everyone signed in, writes for admins, errors name the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.tests.factories import make_line, make_price, make_product

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog"


def _fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/products").status_code == 401


def test_admin_creates_line_product_and_price(world, login_as):
    client = login_as(world.admin)
    r = client.post(
        f"{API}/lines", {"code": "HW", "name": "Hardware"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    line_id = r.json()["id"]
    assert r.json() == {
        "id": line_id,
        "code": "HW",
        "name": "Hardware",
        "description": "",
        "is_active": True,
    }
    r = client.post(
        f"{API}/products",
        {"line_id": line_id, "sku": "HW-1", "name": "Server", "external_ref": "E1"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    product_id = r.json()["id"]
    assert r.json()["line_code"] == "HW"
    r = client.post(
        f"{API}/products/{product_id}/prices",
        {"valid_from": "2024-01-01", "currency": "EUR", "list_price": "999.90", "unit_cost": "500"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["list_price"] == "999.90"
    assert r.json()["unit_cost"] == "500.00"
    price = ProductPrice.objects.get()
    assert (price.list_price, price.unit_cost) == (Decimal("999.90"), Decimal("500.00"))


def test_update_line_and_product(world, login_as):
    client = login_as(world.admin)
    line, other = make_line(), make_line()
    product = make_product(line=line)
    r = client.put(
        f"{API}/lines/{line.pk}",
        {"name": "Renamed", "description": "x", "is_active": False},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["is_active"] is False
    r = client.put(
        f"{API}/products/{product.pk}",
        {"line_id": other.pk, "name": "New", "is_active": False},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    product.refresh_from_db()
    assert (product.line_id, product.name, product.is_active) == (other.pk, "New", False)


def test_validation_errors_are_422_naming_the_field(world, login_as):
    client = login_as(world.admin)
    make_line(code="HW", name="Hardware")
    r = client.post(f"{API}/lines", {"code": "HW", "name": "X"}, content_type="application/json")
    assert r.status_code == 422
    assert _fields(r) == {"code"}
    r = client.post(f"{API}/lines", {"name": "X"}, content_type="application/json")
    assert r.status_code == 422
    assert "code" in _fields(r)
    r = client.post(
        f"{API}/products",
        {"line_id": 999999, "sku": "A", "name": "B"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _fields(r) == {"line_id"}
    product = make_product()
    r = client.post(
        f"{API}/products/{product.pk}/prices",
        {"valid_from": "2024-01-01", "currency": "XXX", "list_price": "-1", "unit_cost": "1"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _fields(r) == {"currency", "list_price"}
    r = client.post(
        f"{API}/products/{product.pk}/prices",
        {"valid_from": "not a date", "currency": "EUR", "list_price": "1", "unit_cost": "1"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _fields(r) == {"valid_from"}
    assert ProductLine.objects.count() == 2
    assert Product.objects.count() == 1
    assert ProductPrice.objects.count() == 0


def test_missing_ids_are_404(world, login_as):
    client = login_as(world.rep)
    for url in (f"{API}/lines/999999", f"{API}/products/999999", f"{API}/products/999999/prices"):
        assert client.get(url).status_code == 404


def test_lists_filter_and_paginate(world, login_as, django_assert_max_num_queries):
    hw, sw = make_line(name="Hardware"), make_line(name="Software")
    for n in range(3):
        make_product(line=hw, sku=f"HW-{n}", name=f"Box {n}")
    make_product(line=sw, sku="SW-1", name="Licence")
    client = login_as(world.rep)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/products", {"line_id": hw.pk, "limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    assert [item["sku"] for item in body["items"]] == ["HW-0", "HW-1"]
    r = client.get(f"{API}/products", {"q": "licence"})
    assert [item["sku"] for item in r.json()["items"]] == ["SW-1"]
    r = client.get(f"{API}/lines")
    assert [item["name"] for item in r.json()["items"]] == ["Hardware", "Software"]


def test_price_list_and_price_on_a_day(world, login_as):
    product = make_product()
    make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="100.00")
    make_price(product=product, valid_from=dt.date(2024, 6, 1), list_price="105.00")
    client = login_as(world.rep_b)
    r = client.get(f"{API}/products/{product.pk}/prices")
    assert [i["list_price"] for i in r.json()["items"]] == ["105.00", "100.00"]
    r = client.get(f"{API}/products/{product.pk}/price", {"currency": "EUR", "on": "2024-05-31"})
    assert r.status_code == 200
    assert r.json()["list_price"] == "100.00"
    r = client.get(f"{API}/products/{product.pk}/price", {"currency": "EUR", "on": "2023-12-31"})
    assert r.status_code == 404
