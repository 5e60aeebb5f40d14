"""Reference data: every signed-in role reads the catalog; only admins write (403 otherwise)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.tests.factories import make_line, make_price, make_product

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog"
ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep2",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]


@pytest.fixture
def catalog():
    line = make_line(code="HW", name="Hardware")
    product = make_product(line=line, sku="HW-1", name="Server")
    make_price(product=product, valid_from=dt.date(2024, 1, 1))
    return line, product


def _snapshot():
    return (
        list(ProductLine.objects.order_by("pk").values_list("code", "name", "is_active")),
        list(Product.objects.order_by("pk").values_list("sku", "name", "is_active", "line_id")),
        list(ProductPrice.objects.order_by("pk").values_list("currency", "list_price")),
    )


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_pages_and_api(world, login_as, catalog, role):
    line, product = catalog
    client = login_as(getattr(world, role))
    for url in (
        reverse("catalog:product_list"),
        reverse("catalog:product_detail", args=[product.pk]),
        reverse("catalog:productline_list"),
        reverse("catalog:productline_detail", args=[line.pk]),
        f"{API}/lines",
        f"{API}/lines/{line.pk}",
        f"{API}/products",
        f"{API}/products/{product.pk}",
        f"{API}/products/{product.pk}/prices",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_non_admin_writes_are_403_on_pages(world, login_as, catalog, role):
    line, product = catalog
    client = login_as(getattr(world, role))
    before = _snapshot()
    pages = [
        (reverse("catalog:productline_create"), {"code": "X", "name": "X"}),
        (reverse("catalog:productline_edit", args=[line.pk]), {"name": "X"}),
        (reverse("catalog:product_create"), {"line": line.pk, "sku": "X", "name": "X"}),
        (reverse("catalog:product_edit", args=[product.pk]), {"line": line.pk, "name": "X"}),
        (
            reverse("catalog:product_price_add", args=[product.pk]),
            {"valid_from": "2024-01-01", "currency": "EUR", "list_price": "1", "unit_cost": "1"},
        ),
    ]
    for url, data in pages:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert _snapshot() == before


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_non_admin_writes_are_403_on_api(world, login_as, catalog, role):
    line, product = catalog
    client = login_as(getattr(world, role))
    before = _snapshot()
    calls = [
        ("post", f"{API}/lines", {"code": "X", "name": "X"}),
        ("put", f"{API}/lines/{line.pk}", {"name": "X", "is_active": False}),
        ("post", f"{API}/products", {"line_id": line.pk, "sku": "X", "name": "X"}),
        ("put", f"{API}/products/{product.pk}", {"line_id": line.pk, "name": "X"}),
        (
            "post",
            f"{API}/products/{product.pk}/prices",
            {"valid_from": "2024-01-01", "currency": "EUR", "list_price": "1", "unit_cost": "1"},
        ),
    ]
    for method, url, data in calls:
        r = getattr(client, method)(url, data, content_type="application/json")
        assert r.status_code == 403, (method, url, r.content)
    assert _snapshot() == before


def test_admin_sees_write_links_and_others_do_not(world, login_as, catalog):
    _line, product = catalog
    edit_url = reverse("catalog:product_edit", args=[product.pk])
    body = login_as(world.admin).get(product.get_absolute_url()).content.decode()
    assert edit_url in body
    body = login_as(world.manager).get(product.get_absolute_url()).content.decode()
    assert edit_url not in body
