"""Reads of the catalog: lists with filters, and the price in force on a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.querysets import ProductLineQuerySet, ProductQuerySet


def product_price_on(*, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
    """The price row in force on `on`: the latest `valid_from` on or before that day."""
    return (
        ProductPrice.objects.filter(product_id=product_id, currency=currency, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )


def product_prices_current(*, product_id: int, on: dt.date) -> list[ProductPrice]:
    """For each currency the product is priced in, the row in force on `on` (by currency)."""
    rows = ProductPrice.objects.filter(product_id=product_id, valid_from__lte=on).order_by(
        "currency", "-valid_from"
    )
    current: dict[str, ProductPrice] = {}
    for row in rows:
        current.setdefault(row.currency, row)
    return list(current.values())


def product_price_history(*, product_id: int) -> QuerySet[ProductPrice]:
    return ProductPrice.objects.filter(product_id=product_id).order_by("-valid_from", "currency")


def product_list(
    *, search: str = "", line_id: int | None = None, is_active: bool | None = None
) -> ProductQuerySet:
    qs = Product.objects.select_related("line").search(search)
    if line_id is not None:
        qs = qs.in_line(line_id)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def product_line_list(*, search: str = "", is_active: bool | None = None) -> ProductLineQuerySet:
    qs = ProductLine.objects.search(search).annotate(product_count=Count("products"))
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs
