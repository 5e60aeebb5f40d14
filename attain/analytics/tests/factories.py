"""Hand-made sales data for the analytics tests, built through the services (so the rollups are
maintained by the fact hooks): two currencies, a cancellation, a return, deals won / lost /
open, activities, owners in two teams and a seller (world.rep) who moves team mid-March."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model

from attain.analytics.models import (
    ActivityCube,
    ActivityDay,
    DealCube,
    DealDay,
    FirstOrderCube,
    FirstOrderDay,
    ReturnDay,
    SalesCube,
    SalesDay,
    StageCube,
    StageDay,
)
from attain.analytics.services import rollups_rebuild
from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.models import ExchangeRate
from attain.customers.models import Account
from attain.orders import services as orders
from attain.orders.models import Order
from attain.orders.services import OrderLineInput
from attain.organization import services as org
from attain.organization.models import Person, Role, Territory
from attain.organization.selectors import person_placement_at
from attain.pipeline import services as pipeline
from attain.pipeline.models import Activity, Deal, LostReason, Stage

TZ = ZoneInfo("Europe/Amsterdam")
MOVE_DAY = dt.date(2026, 3, 15)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def make_account(*, owner: Person, name: str, segment: str) -> Account:
    placement = person_placement_at(person_id=owner.pk, on=dt.date(2026, 1, 1))
    return Account.objects.create(
        name=name,
        segment=segment,
        owner=owner,
        unit_id=placement.unit_id,
        unit_path=placement.unit_path,
        territory_id=placement.territory_id,
    )


def make_product(*, sku: str, line: ProductLine, prices: list[tuple[str, str, str]]) -> Product:
    product = Product.objects.create(line=line, sku=sku, name=f"Widget {sku}")
    for currency, list_price, cost in prices:
        ProductPrice.objects.create(
            product=product,
            valid_from=dt.date(2025, 1, 1),
            currency=currency,
            list_price=Decimal(list_price),
            unit_cost=Decimal(cost),
        )
    return product


def line(product: Product, quantity: str, price: str, discount: str = "0") -> OrderLineInput:
    return OrderLineInput(
        product=product,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        discount_pct=Decimal(discount),
    )


@dataclass
class Data:
    world: Any
    north: Territory
    l1: ProductLine
    l2: ProductLine
    p1: Product
    p2: Product
    acc1: Account
    acc2: Account
    acc3: Account
    acc4: Account
    orders: dict[str, Order] = field(default_factory=dict)
    deals: dict[str, Deal] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)


def make_base(world: Any) -> Data:
    ExchangeRate.objects.create(currency="USD", valid_on=dt.date(2026, 1, 1), rate=Decimal("0.5"))
    north = org.territory_create(name="North", kind="region", region="North")
    org.territory_assign(territory=north, person=world.rep, valid_from=dt.date(2020, 1, 1))
    l1 = ProductLine.objects.create(code="L1", name="Line one")
    l2 = ProductLine.objects.create(code="L2", name="Line two")
    p1 = make_product(sku="P1", line=l1, prices=[("EUR", "250", "100"), ("USD", "500", "200")])
    p2 = make_product(sku="P2", line=l2, prices=[("EUR", "50", "20")])
    return Data(
        world=world,
        north=north,
        l1=l1,
        l2=l2,
        p1=p1,
        p2=p2,
        acc1=make_account(owner=world.rep, name="Acme", segment="mid_market"),
        acc2=make_account(owner=world.rep2, name="Bolt", segment="enterprise"),
        acc3=make_account(owner=world.rep_a2, name="Cogs", segment="small_business"),
        acc4=make_account(owner=world.rep, name="Dyna", segment="mid_market"),
    )


def make_data(world: Any) -> Data:
    """The full data set (see the module docstring); every write goes through a service."""
    d = make_base(world)
    w = world
    o = d.orders
    # rep, team A1, EUR: 750.00 + 90.00 (10 % off); cost 300.00 + 40.00
    o["o1"] = orders.order_create(
        account=d.acc1,
        owner=w.rep,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 10),
        lines=[line(d.p1, "3", "250.00"), line(d.p2, "2", "50.00", "10")],
    )
    org.person_move(person=w.rep, unit=w.team_a2, role=Role.SALES_REP, on=MOVE_DAY)
    # rep, now team A2, USD 789.12 × 0.5 = 394.56; cost 200 USD × 0.5 = 100.00
    o["o2"] = orders.order_create(
        account=d.acc1,
        owner=w.rep,
        currency="USD",
        ordered_on=dt.date(2026, 3, 20),
        lines=[line(d.p1, "1", "789.12")],
    )
    # rep2, cancelled: excluded everywhere
    o["o3"] = orders.order_create(
        account=d.acc2,
        owner=w.rep2,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 12),
        lines=[line(d.p1, "2", "250.00")],
    )
    orders.order_cancel(order=o["o3"], on=dt.date(2026, 3, 13), reason="Budget cut", by=w.rep2)
    # rep2: 4 × 50 = 200.00, delivered, one unit returned in April (refund 50.00)
    o["o4"] = orders.order_create(
        account=d.acc2,
        owner=w.rep2,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 25),
        lines=[line(d.p2, "4", "50.00")],
    )
    orders.order_advance(order=o["o4"], to_status="delivered", on=dt.date(2026, 3, 27))
    orders.order_return_record(
        line=o["o4"].lines.get(),
        quantity=Decimal("1"),
        returned_on=dt.date(2026, 4, 2),
        reason="defective",
        by=w.rep2,
    )
    # rep_a2 in February: 250.00
    o["o5"] = orders.order_create(
        account=d.acc3,
        owner=w.rep_a2,
        currency="EUR",
        ordered_on=dt.date(2026, 2, 10),
        lines=[line(d.p1, "1", "250.00")],
    )
    # rep_b (division B) sells to rep_a2's customer in March: 3 × 50 = 150.00
    o["o7"] = orders.order_create(
        account=d.acc3,
        owner=w.rep_b,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 16),
        lines=[line(d.p2, "3", "50.00")],
    )
    # rep in April: 50.00
    o["o6"] = orders.order_create(
        account=d.acc4,
        owner=w.rep,
        currency="EUR",
        ordered_on=dt.date(2026, 4, 5),
        lines=[line(d.p2, "1", "50.00")],
    )
    _deals(d)
    _activities(d)
    return d


def _deals(d: Data) -> None:
    w = d.world
    proposal = Stage.objects.get(code="proposal")
    price = LostReason.objects.get(code="price")

    def deal(
        name: str, owner: Person, account: Account, amount: str, cur: str, on: dt.date, **kw: Any
    ) -> Deal:
        return pipeline.deal_create(
            name=name,
            account=account,
            owner=owner,
            amount=Decimal(amount),
            currency=cur,
            created_on=on,
            expected_close_on=dt.date(2026, 3, 30),
            **kw,
        )

    d.deals["d1"] = deal("d1", w.rep, d.acc1, "1000.00", "EUR", dt.date(2026, 3, 1))
    pipeline.deal_close_won(deal=d.deals["d1"], closed_on=dt.date(2026, 3, 5))
    d.deals["d2"] = deal("d2", w.rep, d.acc1, "400.00", "USD", dt.date(2026, 3, 2))
    pipeline.deal_move_stage(deal=d.deals["d2"], stage=proposal, at=at(dt.date(2026, 3, 6), 10))
    pipeline.deal_close_won(deal=d.deals["d2"], closed_on=dt.date(2026, 3, 12))
    d.deals["d3"] = deal("d3", w.rep2, d.acc2, "300.00", "EUR", dt.date(2026, 3, 3))
    pipeline.deal_close_lost(deal=d.deals["d3"], reason=price, closed_on=dt.date(2026, 3, 20))
    d.deals["d4"] = deal(
        "d4", w.rep_a2, d.acc3, "500.00", "EUR", dt.date(2026, 3, 4), stage=proposal
    )


def _activities(d: Data) -> None:
    w = d.world
    log = pipeline.activity_log
    d.activities["call"] = log(
        owner=w.rep,
        kind="call",
        occurred_at=at(dt.date(2026, 3, 10), 10),
        minutes=30,
        outcome="completed",
        subject="Call Acme",
    )
    # 00:30 local on 11 March is still 10 March in UTC: the local day counts
    d.activities["meeting"] = log(
        owner=w.rep,
        kind="meeting",
        occurred_at=at(dt.date(2026, 3, 11), 0, 30),
        minutes=60,
        outcome="positive",
        subject="Late meeting",
    )
    d.activities["email"] = log(
        owner=w.rep2,
        kind="email",
        occurred_at=at(dt.date(2026, 3, 12), 15),
        minutes=15,
        outcome="completed",
        subject="Mail Bolt",
    )


ROLLUP_MODELS: tuple[type[Model], ...] = (
    SalesDay,
    ReturnDay,
    DealDay,
    ActivityDay,
    StageDay,
    FirstOrderDay,
    SalesCube,
    DealCube,
    ActivityCube,
    StageCube,
    FirstOrderCube,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Full contents of every rollup table (without ids), sorted, money rounded to cents."""
    out = {}
    for model in ROLLUP_MODELS:
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = [
            tuple(v.quantize(Decimal("0.001")) if isinstance(v, Decimal) else v for v in row)
            for row in model.objects.values_list(*names)
        ]
        out[model.__name__] = sorted(rows, key=repr)
    return out


def assert_rollups_fresh() -> None:
    """The incrementally kept tables equal a rebuild from scratch."""
    kept = snapshot()
    rollups_rebuild()
    assert snapshot() == kept
