"""Settled history is read once: the cache under the history stamps, and when it is forgotten."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from attain.analytics.computes import split_settled
from attain.analytics.history import settled_before, stamps, stamps_memo
from attain.analytics.models import HistoryStamp
from attain.analytics.selectors import Scope, metric_breakdown, metric_value
from attain.analytics.services import rollups_rebuild
from attain.analytics.tests.factories import line, make_base, make_data
from attain.core.periods import today
from attain.orders import services as orders
from attain.orders.models import Order

d = dt.date
MARCH = {"start": d(2026, 3, 1), "end": d(2026, 3, 31)}


@pytest.fixture
def data(world):
    return make_data(world)


def _token(name: str = "salesday") -> str | None:
    return HistoryStamp.objects.filter(name=name).values_list("token", flat=True).first()


def _queries(function) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        result = function()
    return result, len(ctx.captured_queries)


def test_split_settled_cuts_each_grain_at_the_monday():
    monday = d(2026, 11, 30)
    # months: November ends on the 30th, after the Monday → live; October and before settled
    assert split_settled("m", d(2026, 1, 1), d(2026, 12, 1), monday) == (
        (d(2026, 1, 1), d(2026, 10, 1)),
        (d(2026, 11, 1), d(2026, 12, 1)),
    )
    # weeks (bucket starts): the week of 23 Nov ends on Sunday 29th → settled
    assert split_settled("w", d(2026, 11, 2), d(2026, 12, 7), monday) == (
        (d(2026, 11, 2), d(2026, 11, 23)),
        (d(2026, 11, 30), d(2026, 12, 7)),
    )
    assert split_settled("d", d(2026, 11, 28), d(2026, 12, 2), monday) == (
        (d(2026, 11, 28), d(2026, 11, 29)),
        (d(2026, 11, 30), d(2026, 12, 2)),
    )
    assert split_settled("d", d(2026, 12, 1), d(2026, 12, 2), monday) == (
        None,
        (d(2026, 12, 1), d(2026, 12, 2)),
    )
    assert split_settled("m", d(2025, 1, 1), d(2025, 12, 1), monday) == (
        (d(2025, 1, 1), d(2025, 12, 1)),
        None,
    )


def test_a_settled_figure_is_read_once_then_from_the_cache(data):
    first, queries = _queries(lambda: metric_value(metric="revenue", scope=Scope(), **MARCH))
    again, cached_queries = _queries(lambda: metric_value(metric="revenue", scope=Scope(), **MARCH))
    # o1 750.00 + 90.00 (2 × 50.00, 10 % off), o2 394.56, o4 200.00, o7 150.00 (o3 cancelled)
    assert first == again == Decimal("1584.56")
    assert queries == 2  # the stamps and the cube slice
    assert cached_queries == 1  # the stamps only
    with stamps_memo():
        metric_value(metric="revenue", scope=Scope(), **MARCH)
        _value, inside = _queries(lambda: metric_value(metric="revenue", scope=Scope(), **MARCH))
    assert inside == 0  # a request reads the stamps once


def test_a_back_dated_order_renews_the_stamp_and_shows_at_once(data):
    w = data.world
    before_value = metric_value(metric="revenue", scope=Scope(), **MARCH)
    token = _token()
    orders.order_create(
        account=data.acc4,
        owner=w.rep,
        currency="EUR",
        ordered_on=d(2026, 3, 18),
        lines=[line(data.p2, "2", "50.00")],
    )
    assert _token() != token
    assert metric_value(metric="revenue", scope=Scope(), **MARCH) == before_value + Decimal(
        "100.00"
    )
    by_seller = {
        row.id: row.value
        for row in metric_breakdown(metric="revenue", scope=Scope(), by="seller", **MARCH)
    }
    assert by_seller[w.rep.pk] == Decimal("840.00") + Decimal("394.56") + Decimal("100.00")


def test_writes_that_change_no_settled_rollup_row_keep_the_stamp(data):
    token = _token()
    o1 = data.orders["o1"]
    orders.order_advance(order=o1, to_status="confirmed", on=d(2026, 3, 11))
    assert _token() == token  # the lifecycle does not change sales figures
    orders.order_create(
        account=data.acc4,
        owner=data.world.rep,
        currency="EUR",
        ordered_on=today(),
        lines=[line(data.p2, "1", "50.00")],
    )
    assert _token() == token  # this week is read live, never cached


def test_a_period_spanning_this_week_adds_the_live_days_to_the_cached_ones(world):
    base = make_base(world)
    monday = settled_before()
    start = monday - dt.timedelta(days=14)
    end = monday + dt.timedelta(days=6)

    def order(on: dt.date, amount: str, account=None) -> Order:
        return orders.order_create(
            account=account or base.acc1,
            owner=world.rep,
            currency="EUR",
            ordered_on=on,
            lines=[line(base.p2, "1", amount)],
        )

    order(start, "10.00")
    assert metric_value(metric="revenue", scope=Scope(), start=start, end=end) == Decimal("10.00")
    order(today(), "5.00")
    assert metric_value(metric="revenue", scope=Scope(), start=start, end=end) == Decimal("15.00")


def test_repeat_rate_across_settled_and_live_days_counts_each_customer_once(world):
    base = make_base(world)
    monday = settled_before()
    start = monday - dt.timedelta(days=21)
    end = today()

    def order(on: dt.date, account) -> None:
        orders.order_create(
            account=account,
            owner=world.rep,
            currency="EUR",
            ordered_on=on,
            lines=[line(base.p2, "1", "10.00")],
        )

    order(start, base.acc1)  # acc1: once settled, once live → repeat
    order(today(), base.acc1)
    order(start, base.acc2)  # acc2: twice settled → repeat
    order(start + dt.timedelta(days=1), base.acc2)
    order(start, base.acc3)  # acc3: once settled only
    order(today(), base.acc4)  # acc4: once live only
    rate = metric_value(metric="repeat_customer_rate", scope=Scope(), start=start, end=end)
    assert rate == Decimal("50.00")  # 2 of 4 customers
    order(today(), base.acc3)  # acc3 now also live → repeat
    rate = metric_value(metric="repeat_customer_rate", scope=Scope(), start=start, end=end)
    assert rate == Decimal("75.00")
    order(today(), base.acc4)  # acc4 twice live → repeat
    rate = metric_value(metric="repeat_customer_rate", scope=Scope(), start=start, end=end)
    assert rate == Decimal("100.00")


def test_repeat_rate_of_a_settled_window_is_forgotten_when_an_order_is_cancelled(data):
    w = data.world
    # March: acc1 (o1, o2) repeat; acc2 (o4; o3 cancelled), acc3 (o7) once → 1 of 3
    assert metric_value(metric="repeat_customer_rate", scope=Scope(), **MARCH) == Decimal("33.33")
    orders.order_cancel(order=data.orders["o2"], on=d(2026, 3, 21), reason="Duplicate", by=w.rep)
    assert metric_value(metric="repeat_customer_rate", scope=Scope(), **MARCH) == Decimal("0.00")


def test_a_rebuild_renews_every_stamp(data):
    before = dict(HistoryStamp.objects.values_list("name", "token"))
    rollups_rebuild()
    after = dict(HistoryStamp.objects.values_list("name", "token"))
    assert set(after) == {
        "salesday",
        "returnday",
        "dealday",
        "activityday",
        "stageday",
        "firstorderday",
    }
    assert all(after[name] != before.get(name) for name in after)


def test_a_rolled_back_write_leaves_the_stamp_it_found(data):
    token = _token()
    with pytest.raises(RuntimeError), transaction.atomic():
        orders.order_create(
            account=data.acc4,
            owner=data.world.rep,
            currency="EUR",
            ordered_on=d(2026, 3, 18),
            lines=[line(data.p2, "2", "50.00")],
        )
        assert _token() != token
        raise RuntimeError("roll back")
    assert _token() == token
    assert stamps()["salesday"] == token
