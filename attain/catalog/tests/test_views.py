"""Catalog pages render, forms show field errors, and admins can write through them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.tests.factories import make_line, make_price, make_product

pytestmark = pytest.mark.django_db


def test_pages_render_for_a_rep(world, login_as, django_assert_max_num_queries):
    line = make_line(name="Hardware")
    product = make_product(line=line, sku="HW-1", name="Server")
    make_price(product=product, valid_from=dt.date(2024, 1, 1), list_price="1234.50")
    for _ in range(5):
        make_product(line=line)
    client = login_as(world.rep)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("catalog:product_list"))
    assert r.status_code == 200
    assert "Server" in r.content.decode()
    for url in (
        reverse("catalog:product_detail", args=[product.pk]),
        reverse("catalog:productline_list"),
        reverse("catalog:productline_detail", args=[line.pk]),
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    body = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "1,234.50" in body or "1.234,50" in body or "1 234,50" in body
    assert reverse("catalog:product_edit", args=[product.pk]) not in body


def test_product_list_search_filter_and_sort(world, login_as):
    hw, sw = make_line(name="Hardware"), make_line(name="Software")
    make_product(line=hw, sku="HW-1", name="Server")
    make_product(line=sw, sku="SW-1", name="Licence")
    client = login_as(world.rep)
    body = client.get(reverse("catalog:product_list"), {"q": "sw-"}).content.decode()
    assert "Licence" in body and "Server" not in body
    body = client.get(reverse("catalog:product_list"), {"line": hw.pk}).content.decode()
    assert "Server" in body and "Licence" not in body
    body = client.get(reverse("catalog:product_list"), {"active": "0"}).content.decode()
    assert "Server" not in body
    r = client.get(reverse("catalog:product_list"), {"sort": "-sku"})
    body = r.content.decode()
    assert body.index("SW-1") < body.index("HW-1")
    assert client.get(reverse("catalog:product_list"), {"sort": "bogus"}).status_code == 200


def test_admin_creates_and_edits_through_pages(world, login_as):
    client = login_as(world.admin)
    r = client.post(reverse("catalog:productline_create"), {"code": "HW", "name": "Hardware"})
    line = ProductLine.objects.get(code="HW")
    assert r.status_code == 302 and r.url == line.get_absolute_url()
    r = client.post(
        reverse("catalog:product_create"),
        {"line": line.pk, "sku": "HW-1", "name": "Server", "description": ""},
    )
    product = Product.objects.get(sku="HW-1")
    assert r.status_code == 302 and r.url == product.get_absolute_url()
    r = client.post(
        reverse("catalog:product_price_add", args=[product.pk]),
        {"valid_from": "2024-02-01", "currency": "EUR", "list_price": "10.50", "unit_cost": "4"},
    )
    assert r.status_code == 302
    price = ProductPrice.objects.get()
    assert (price.list_price, price.unit_cost) == (Decimal("10.50"), Decimal("4.00"))
    r = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        {"line": line.pk, "name": "Big server", "description": "d"},
    )
    product.refresh_from_db()
    assert (product.name, product.is_active) == ("Big server", False)
    r = client.post(
        reverse("catalog:productline_edit", args=[line.pk]),
        {"name": "Hardware", "is_active": "on"},
    )
    assert r.status_code == 302


def test_forms_show_field_errors_and_save_nothing(world, login_as):
    make_line(code="HW", name="Hardware")
    product = make_product()
    client = login_as(world.admin)
    r = client.post(reverse("catalog:productline_create"), {"code": "hw", "name": "Other"})
    assert r.status_code == 200
    assert "already exists" in r.context["form"].errors["code"][0]
    r = client.post(
        reverse("catalog:product_price_add", args=[product.pk]),
        {"valid_from": "2024-02-01", "currency": "EUR", "list_price": "-1", "unit_cost": "4"},
    )
    assert r.status_code == 200
    assert "negative" in r.context["form"].errors["list_price"][0]
    r = client.post(reverse("catalog:product_create"), {"sku": "", "name": ""})
    assert set(r.context["form"].errors) >= {"line", "sku", "name"}
    assert ProductLine.objects.count() == 2
    assert ProductPrice.objects.count() == 0
    assert Product.objects.count() == 1


def test_missing_ids_are_404(world, login_as):
    client = login_as(world.admin)
    for name in ("product_detail", "product_edit", "product_price_add"):
        assert client.get(reverse(f"catalog:{name}", args=[999999])).status_code == 404
    for name in ("productline_detail", "productline_edit"):
        assert client.get(reverse(f"catalog:{name}", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get(reverse("catalog:product_list"))
    assert r.status_code == 302 and "login" in r.url


def test_admin_screens_are_read_only_for_admins(world, login_as):
    world.admin.user.is_staff = True
    world.admin.user.save(update_fields=["is_staff"])
    make_price(product=make_product())
    client = login_as(world.admin)
    for model in ("productline", "product", "productprice"):
        assert client.get(f"/admin/catalog/{model}/").status_code == 200, model
        assert client.get(f"/admin/catalog/{model}/add/").status_code == 403, model
    assert login_as(world.rep).get("/admin/catalog/product/").status_code in (302, 403)
