"""Catalog test data, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.catalog.services import product_create, product_line_create, product_price_set

_seq = itertools.count(1)


def make_line(*, code: str | None = None, name: str | None = None) -> ProductLine:
    n = next(_seq)
    return product_line_create(code=code or f"L{n}", name=name or f"Line {n}")


def make_product(
    *, line: ProductLine | None = None, sku: str | None = None, name: str | None = None
) -> Product:
    n = next(_seq)
    return product_create(
        line=line or make_line(), sku=sku or f"SKU-{n}", name=name or f"Product {n}"
    )


def make_price(
    *,
    product: Product,
    valid_from: dt.date = dt.date(2024, 1, 1),
    currency: str = "EUR",
    list_price: str = "100.00",
    unit_cost: str = "60.00",
) -> ProductPrice:
    return product_price_set(
        product=product,
        valid_from=valid_from,
        currency=currency,
        list_price=Decimal(list_price),
        unit_cost=Decimal(unit_cost),
    )
