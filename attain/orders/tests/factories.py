"""Order test data: catalog, customer and pipeline rows built directly with the ORM (those apps'
services are written concurrently), and orders built through the order services."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.models import ExchangeRate
from attain.customers.models import Account, Segment
from attain.orders.models import Order
from attain.orders.services import OrderLineInput, order_advance, order_create
from attain.organization.models import Person
from attain.organization.selectors import person_placement_at
from attain.pipeline.models import Deal, DealStatus, Stage

_seq = itertools.count(1)
DAY = dt.date(2025, 3, 3)
USD_RATE = Decimal("0.91234567")


def stamp(owner: Person, on: dt.date) -> dict[str, Any]:
    placement = person_placement_at(person_id=owner.pk, on=on)
    return {
        "owner": owner,
        "unit_id": placement.unit_id,
        "unit_path": placement.unit_path,
        "territory_id": placement.territory_id,
    }


def make_rate(currency: str = "USD", rate: Decimal = USD_RATE, on: dt.date = DAY) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, valid_on=on, rate=rate)


def make_product(
    *,
    sku: str | None = None,
    line: ProductLine | None = None,
    prices: Sequence[tuple[str, str, str]] = (("EUR", "19.99", "8.00"),),
    valid_from: dt.date = dt.date(2024, 1, 1),
) -> Product:
    """A product with price rows: (currency, list price, unit cost) valid from `valid_from`."""
    n = next(_seq)
    if line is None:
        line = ProductLine.objects.create(code=f"PL{n}", name=f"Line {n}")
    product = Product.objects.create(line=line, sku=sku or f"SKU-{n}", name=f"Widget {n}")
    for currency, list_price, unit_cost in prices:
        ProductPrice.objects.create(
            product=product,
            valid_from=valid_from,
            currency=currency,
            list_price=Decimal(list_price),
            unit_cost=Decimal(unit_cost),
        )
    return product


def make_account(*, owner: Person, name: str | None = None, on: dt.date = DAY) -> Account:
    return Account.objects.create(
        name=name or f"Customer {next(_seq)}", segment=Segment.MID_MARKET, **stamp(owner, on)
    )


def stage(code: str) -> Stage:
    defaults = {
        "won": {"name": "Won", "position": 90, "probability": 100, "is_won": True},
        "lost": {"name": "Lost", "position": 100, "probability": 0, "is_lost": True},
        "proposal": {"name": "Proposal", "position": 40, "probability": 50},
    }[code]
    found, _ = Stage.objects.get_or_create(code=code, defaults=defaults)
    return found


def make_deal(
    *,
    account: Account,
    owner: Person | None = None,
    status: str = DealStatus.WON,
    currency: str = "EUR",
    amount: Decimal = Decimal("1000.00"),
    on: dt.date = DAY,
) -> Deal:
    owner = owner or account.owner
    won = status == DealStatus.WON
    return Deal.objects.create(
        name=f"Deal {next(_seq)}",
        account=account,
        currency=currency,
        amount=amount,
        fx_rate=Decimal("1"),
        amount_reporting=amount,
        stage=stage("won" if won else "proposal"),
        probability=100 if won else 50,
        status=status,
        created_on=on,
        expected_close_on=on,
        closed_on=on if won else None,
        **stamp(owner, on),
    )


def make_order(
    *,
    owner: Person,
    account: Account | None = None,
    product: Product | None = None,
    quantity: str = "3",
    unit_price: str | None = None,
    discount_pct: str = "0",
    currency: str = "EUR",
    ordered_on: dt.date = DAY,
    **fields: Any,
) -> Order:
    account = account or make_account(owner=owner)
    product = product or make_product()
    line = OrderLineInput(
        product=product,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price) if unit_price is not None else None,
        discount_pct=Decimal(discount_pct),
    )
    return order_create(
        account=account,
        owner=owner,
        currency=currency,
        ordered_on=ordered_on,
        lines=[line],
        **fields,
    )


def make_delivered_order(*, owner: Person, delivered_on: dt.date | None = None, **kw: Any) -> Order:
    order = make_order(owner=owner, **kw)
    return order_advance(
        order=order, to_status="delivered", on=delivered_on or order.ordered_on + dt.timedelta(5)
    )
