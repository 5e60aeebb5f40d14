"""Fixtures of the dashboards tests: hand-made March orders of two sellers of team A1."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.analytics.tests.factories import line, make_account, make_product
from attain.catalog.models import ProductLine
from attain.orders.services import order_create


@pytest.fixture
def sales(world):
    l1 = ProductLine.objects.create(code="L1", name="Line one")
    p1 = make_product(sku="P1", line=l1, prices=[("EUR", "250", "100")])
    acc_rep = make_account(owner=world.rep, name="Acme", segment="mid_market")
    acc_rep2 = make_account(owner=world.rep2, name="Bolt", segment="enterprise")
    # rep: 3 × 250.00 = 750.00 and 2 × 50.00 at 10 % off = 90.00 → 840.00 (cost 300 + 200 = 500)
    order_create(
        account=acc_rep,
        owner=world.rep,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 10),
        lines=[line(p1, "3", "250.00"), line(p1, "2", "50.00", "10")],
    )
    # rep2: 1 × 100.00 (cost 100)
    order_create(
        account=acc_rep2,
        owner=world.rep2,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 20),
        lines=[line(p1, "1", "100.00")],
    )
    return {"line": l1, "product": p1, "acc_rep": acc_rep}
