"""Order reads: lifecycle lateness, the late() filter, the period summary, the detail read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.core.periods import Period
from attain.orders.models import Order
from attain.orders.selectors import (
    LifecycleStep,
    order_detail,
    order_lifecycle,
    order_list,
    order_next_step,
    orders_summary,
)
from attain.orders.services import order_advance, order_cancel, order_return_record
from attain.orders.tests.factories import DAY, make_delivered_order, make_order

D = Decimal


def test_lifecycle_promised_vs_actual_with_days_late(world):
    order = make_order(
        owner=world.rep,
        confirm_promised_on=DAY + dt.timedelta(1),
        ship_promised_on=DAY + dt.timedelta(3),
        delivery_promised_on=DAY + dt.timedelta(5),
    )
    order_advance(order=order, to_status="confirmed", on=DAY + dt.timedelta(1))
    order_advance(order=order, to_status="shipped", on=DAY + dt.timedelta(6))
    steps = order_lifecycle(order=order, on=DAY + dt.timedelta(9))
    assert steps == [
        LifecycleStep("taken", "Taken", None, DAY, True, False, 0),
        LifecycleStep(
            "confirmed", "Confirmed", DAY + dt.timedelta(1), DAY + dt.timedelta(1), True, False, 0
        ),
        LifecycleStep(
            "shipped", "Shipped", DAY + dt.timedelta(3), DAY + dt.timedelta(6), True, True, 3
        ),
        LifecycleStep("delivered", "Delivered", DAY + dt.timedelta(5), None, False, True, 4),
        LifecycleStep("followed_up", "Followed up", None, None, False, False, 0),
    ]
    assert order_next_step(order=order) == "delivered"


def test_pending_steps_of_a_cancelled_order_are_not_late(world):
    order = make_order(owner=world.rep, delivery_promised_on=DAY + dt.timedelta(2))
    order_cancel(order=order, on=DAY, reason="Duplicate", by=world.rep)
    steps = order_lifecycle(order=order, on=DAY + dt.timedelta(30))
    assert [s.late for s in steps] == [False] * 5
    assert order_next_step(order=order) is None


@pytest.mark.parametrize(
    ("on", "late"),
    [(DAY + dt.timedelta(4), False), (DAY + dt.timedelta(5), False), (DAY + dt.timedelta(6), True)],
)
def test_late_filter_counts_only_overdue_pending_steps(world, on, late):
    pending = make_order(owner=world.rep, ship_promised_on=DAY + dt.timedelta(5))
    shipped_late = make_order(owner=world.rep, ship_promised_on=DAY + dt.timedelta(1))
    order_advance(order=shipped_late, to_status="shipped", on=DAY + dt.timedelta(3))
    cancelled = make_order(owner=world.rep, ship_promised_on=DAY)
    order_cancel(order=cancelled, on=DAY, reason="x", by=world.rep)
    assert (pending in Order.objects.late(on)) is late
    assert shipped_late not in Order.objects.late(on)
    assert cancelled not in Order.objects.late(on)
    flags = dict(Order.objects.with_late_flag(on).values_list("pk", "is_late"))
    assert bool(flags[pending.pk]) is late
    assert not flags[shipped_late.pk]


def test_summary_counts_totals_and_on_time_rate(world):
    make_delivered_order(
        owner=world.rep,
        delivery_promised_on=DAY + dt.timedelta(5),
        delivered_on=DAY + dt.timedelta(5),
    )  # on time (on the promised day), 59.97
    make_delivered_order(
        owner=world.rep,
        delivery_promised_on=DAY + dt.timedelta(2),
        delivered_on=DAY + dt.timedelta(4),
    )  # late, 59.97
    late_no_promise = make_delivered_order(owner=world.rep2, discount_pct="10")  # 53.97
    cancelled = make_order(owner=world.rep)
    order_cancel(order=cancelled, on=DAY, reason="x", by=world.rep)
    make_order(owner=world.rep, ordered_on=dt.date(2025, 4, 1))  # outside the period
    make_order(owner=world.rep_b)  # in division B
    order_return_record(
        line=late_no_promise.lines.get(),
        quantity=D("1"),
        returned_on=late_no_promise.delivered_on,
        reason="other",
        by=world.rep2,
    )
    march = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    summary = orders_summary(user=world.leader.user, period=march)
    assert (summary.count, summary.cancelled) == (3, 1)
    assert summary.net_total_reporting == D("173.91")  # 59.97 + 59.97 + 53.97
    assert (summary.delivered, summary.delivered_on_time) == (3, 1)
    assert summary.on_time_rate == D("33.3")
    assert summary.returns_reporting == D("17.99")
    rep_view = orders_summary(user=world.rep.user, period=march)
    assert (rep_view.count, rep_view.delivered, rep_view.on_time_rate) == (2, 2, D("50.0"))
    empty = orders_summary(user=world.outsider.user, period=march)
    assert (empty.count, empty.net_total_reporting, empty.on_time_rate) == (0, D("0.00"), None)


def test_detail_loads_lines_and_returns_and_hides_invisible(world, django_assert_max_num_queries):
    order = make_delivered_order(owner=world.rep)
    order_return_record(
        line=order.lines.get(),
        quantity=D("2"),
        returned_on=order.delivered_on,
        reason="other",
        by=world.rep,
    )
    with django_assert_max_num_queries(6):
        loaded = order_detail(user=world.rep.user, order_id=order.pk)
        line = loaded.lines.all()[0]
        assert line.returned_quantity == D("2")
        assert [r.amount for r in line.returns.all()] == [D("39.98")]
    with pytest.raises(Order.DoesNotExist):
        order_detail(user=world.rep_b.user, order_id=order.pk)


def test_order_list_search_by_account_name(world):
    from attain.orders.tests.factories import make_account

    make_order(owner=world.rep, account=make_account(owner=world.rep, name="Umbrella Corp"))
    make_order(owner=world.rep)
    assert order_list(user=world.rep.user, search="umbrella").count() == 1
    assert order_list(user=world.rep.user, search="SO-2025").count() == 2
