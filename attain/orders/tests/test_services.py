"""Order services: pricing, conversion, totals, lifecycle, cancellation and returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.core.periods import today
from attain.orders.models import Order, OrderCancellation, OrderLine, OrderReturn, OrderStatus
from attain.orders.services import (
    OrderLineInput,
    order_advance,
    order_cancel,
    order_create,
    order_create_from_deal,
    order_line_add,
    order_line_remove,
    order_record_payment,
    order_return_record,
    order_set_promised,
    order_update,
)
from attain.orders.tests.factories import (
    DAY,
    make_account,
    make_deal,
    make_delivered_order,
    make_order,
    make_product,
    make_rate,
)
from attain.pipeline.models import DealStatus

D = Decimal


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        OrderReturn.objects.count(),
        OrderCancellation.objects.count(),
    )


# --- creating ----------------------------------------------------------------------------------


def test_create_prices_line_with_discount_and_stamps_owner(world):
    product = make_product(prices=[("EUR", "19.99", "8.00")])
    account = make_account(owner=world.rep)
    order = order_create(
        account=account,
        owner=world.rep,
        currency="EUR",
        ordered_on=DAY,
        lines=[OrderLineInput(product=product, quantity=D("3"), discount_pct=D("10"))],
    )
    line = order.lines.get()
    assert line.unit_price == D("19.99")
    assert line.net_amount == D("53.97")  # 3 × 19.99 × 0.9 = 53.973
    assert line.net_amount_reporting == D("53.97")
    assert line.cost_reporting == D("24.00")  # 3 × 8.00
    assert line.product_line_id == product.line_id
    assert order.fx_rate == D("1")
    assert order.net_total == D("53.97")
    assert order.net_total_reporting == D("53.97")
    assert order.status == OrderStatus.TAKEN
    assert order.owner == world.rep
    assert order.unit_id == world.team_a1.pk
    assert order.unit_path == world.team_a1.path
    assert order.number == "SO-2025-000001"


def test_create_in_usd_converts_once_with_rate_of_the_day(world):
    make_rate("USD", D("0.91234567"), DAY)
    product = make_product(prices=[("USD", "19.99", "10.00"), ("EUR", "18.00", "9.00")])
    order = order_create(
        account=make_account(owner=world.rep),
        owner=world.rep,
        currency="USD",
        ordered_on=DAY,
        lines=[
            OrderLineInput(product=product, quantity=D("3"), discount_pct=D("10")),
            OrderLineInput(product=product, quantity=D("2"), unit_price=D("100.00")),
        ],
    )
    first, second = order.lines.order_by("pk")
    assert first.net_amount == D("53.97")
    assert first.net_amount_reporting == D("49.24")  # 53.97 × 0.91234567 = 49.2392958…
    assert first.cost_reporting == D("27.37")  # 3 × 10.00 × 0.91234567 = 27.3703701
    assert second.net_amount == D("200.00")
    assert second.net_amount_reporting == D("182.47")  # 182.469134
    assert order.fx_rate == D("0.91234567")
    assert order.net_total == D("253.97")
    assert order.net_total_reporting == D("231.71")  # sum of the line amounts


def test_cost_in_another_currency_is_converted_on_the_order_date(world):
    make_rate("USD", D("0.5"), DAY)
    product = make_product(prices=[("EUR", "10.00", "4.00")])
    order = make_order(owner=world.rep, product=product, currency="USD", unit_price="30.00")
    line = order.lines.get()
    assert line.net_amount_reporting == D("45.00")  # 3 × 30 × 0.5
    assert line.cost_reporting == D("12.00")  # 3 × 4.00 EUR, already the reporting currency


def test_price_in_force_is_the_latest_on_or_before_the_order_date(world):
    product = make_product(prices=[("EUR", "10.00", "5.00")], valid_from=dt.date(2024, 1, 1))
    from attain.catalog.models import ProductPrice

    ProductPrice.objects.create(
        product=product, valid_from=DAY, currency="EUR", list_price=D("12.00"), unit_cost=D("6")
    )
    ProductPrice.objects.create(
        product=product,
        valid_from=DAY + dt.timedelta(1),
        currency="EUR",
        list_price=D("99.00"),
        unit_cost=D("50"),
    )
    order = make_order(owner=world.rep, product=product, quantity="2")
    line = order.lines.get()
    assert (line.unit_price, line.net_amount, line.cost_reporting) == (
        D("12.00"),
        D("24.00"),
        D("12.00"),
    )


def test_numbers_are_generated_in_sequence_per_year(world):
    first = make_order(owner=world.rep)
    second = make_order(owner=world.rep)
    other_year = make_order(owner=world.rep, ordered_on=dt.date(2024, 6, 1))
    given = make_order(owner=world.rep, number="CUSTOM-1")
    assert [first.number, second.number, other_year.number, given.number] == [
        "SO-2025-000001",
        "SO-2025-000002",
        "SO-2024-000001",
        "CUSTOM-1",
    ]


def test_create_from_won_deal_takes_account_owner_and_currency(world):
    account = make_account(owner=world.rep2)
    deal = make_deal(account=account)
    product = make_product()
    order = order_create_from_deal(
        deal=deal,
        ordered_on=DAY,
        lines=[OrderLineInput(product=product, quantity=D("1"))],
        by=world.leader,
        delivery_promised_on=DAY + dt.timedelta(10),
    )
    assert (order.account, order.owner, order.currency, order.deal) == (
        account,
        world.rep2,
        "EUR",
        deal,
    )
    assert order.delivery_promised_on == DAY + dt.timedelta(10)


@pytest.mark.parametrize(
    ("lines", "field", "message"),
    [
        ([], "lines", "An order needs at least one line."),
        ([{"quantity": "-1"}], "lines[0].quantity", "must be greater than zero."),
        ([{"quantity": "0"}], "lines[0].quantity", "must be greater than zero."),
        (
            [{"discount_pct": "100.5"}],
            "lines[0].discount_pct",
            "must be between 0 and 100 (a percentage).",
        ),
        ([{"unit_price": "-0.01"}], "lines[0].unit_price", "cannot be negative."),
        (
            [{}, {}, {"quantity": "-2"}],
            "lines[2].quantity",
            "must be greater than zero.",
        ),
    ],
)
def test_invalid_lines_name_the_line_and_save_nothing(world, lines, field, message):
    product = make_product()
    account = make_account(owner=world.rep)
    before = counts()
    inputs = [
        OrderLineInput(
            product=product,
            quantity=D(spec.get("quantity", "1")),
            unit_price=D(spec["unit_price"]) if "unit_price" in spec else None,
            discount_pct=D(spec.get("discount_pct", "0")),
        )
        for spec in lines
    ]
    with pytest.raises(ValidationError) as exc:
        order_create(account=account, owner=world.rep, currency="EUR", ordered_on=DAY, lines=inputs)
    assert errors_of(exc)[field] == [message]
    assert counts() == before


def test_unknown_product_price_names_the_line(world):
    product = make_product(sku="NOUSD", prices=[("EUR", "10.00", "5.00")])
    make_rate("USD")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_order(owner=world.rep, product=product, currency="USD")
    assert errors_of(exc)["lines[0].unit_price"] == [
        "NOUSD has no list price in USD on or before 2025-03-03; enter a unit price or add a "
        "price to the catalog."
    ]
    assert counts() == before


def test_missing_exchange_rate_names_the_currency(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_order(owner=world.rep, currency="GBP", unit_price="5.00")
    assert "currency" in errors_of(exc)
    assert counts() == before


def test_deal_must_be_won_and_for_the_same_account(world):
    account = make_account(owner=world.rep)
    open_deal = make_deal(account=account, status=DealStatus.OPEN)
    other_deal = make_deal(account=make_account(owner=world.rep))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_order(owner=world.rep, account=account, deal=open_deal)
    assert errors_of(exc)["deal"][0].startswith("Only a won deal can become an order")
    with pytest.raises(ValidationError) as exc:
        make_order(owner=world.rep, account=account, deal=other_deal)
    assert "for another account" in errors_of(exc)["deal"][0]
    assert counts() == before


def test_promised_dates_cannot_precede_the_order_and_number_is_unique(world):
    make_order(owner=world.rep, number="X-1")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_order(owner=world.rep, number="X-1", confirm_promised_on=DAY - dt.timedelta(1))
    errors = errors_of(exc)
    assert errors["number"] == ["There is already an order numbered X-1."]
    assert errors["confirm_promised_on"] == [
        "A promised date cannot be before the order was taken (2025-03-03)."
    ]
    assert counts() == before


# --- editing lines and header --------------------------------------------------------------------


def test_lines_can_be_added_and_removed_while_taken_and_totals_follow(world):
    order = make_order(owner=world.rep, quantity="3", discount_pct="10")  # 53.97
    product = make_product(prices=[("EUR", "5.00", "1.00")])
    added = order_line_add(order=order, line=OrderLineInput(product=product, quantity=D("4")))
    order.refresh_from_db()
    assert added.net_amount == D("20.00")
    assert (order.net_total, order.net_total_reporting) == (D("73.97"), D("73.97"))
    order_line_remove(line=added)
    order.refresh_from_db()
    assert order.net_total == D("53.97")
    with pytest.raises(ValidationError) as exc:
        order_line_remove(line=order.lines.get())
    assert "at least one line" in errors_of(exc)["line"][0]
    assert order.lines.count() == 1


def test_lines_are_frozen_once_confirmed(world):
    order = make_order(owner=world.rep)
    order_advance(order=order, to_status="confirmed", on=DAY)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_line_add(order=order, line=OrderLineInput(product=make_product(), quantity=D(1)))
    assert errors_of(exc)["line"] == [
        "Lines can change only while the order is taken; it is confirmed."
    ]
    assert counts() == before


def test_update_notes_and_promised_dates(world):
    order = make_order(owner=world.rep)
    order_update(order=order, notes="Call first", delivery_promised_on=DAY + dt.timedelta(7))
    assert order.notes == "Call first"
    assert order.delivery_promised_on == DAY + dt.timedelta(7)
    order_set_promised(order=order, step="shipped", on=DAY + dt.timedelta(3))
    assert order.ship_promised_on == DAY + dt.timedelta(3)
    with pytest.raises(ValidationError) as exc:
        order_set_promised(order=order, step="taken", on=DAY)
    assert "step" in errors_of(exc)
    with pytest.raises(ValidationError):
        order_update(order=order, confirm_promised_on=DAY - dt.timedelta(1))
    order.refresh_from_db()
    assert order.confirm_promised_on is None


# --- lifecycle ---------------------------------------------------------------------------------


def test_advance_step_by_step_and_skipping_fills_dates(world):
    order = make_order(owner=world.rep)
    order_advance(order=order, to_status="confirmed", on=DAY + dt.timedelta(1))
    order_advance(order=order, to_status="delivered", on=DAY + dt.timedelta(4))
    assert order.status == OrderStatus.DELIVERED
    assert order.confirmed_on == DAY + dt.timedelta(1)
    assert order.shipped_on == DAY + dt.timedelta(4)
    assert order.delivered_on == DAY + dt.timedelta(4)
    assert order.followed_up_on is None


@pytest.mark.parametrize(
    ("to_status", "on", "field", "message"),
    [
        (
            "taken",
            DAY,
            "to_status",
            "“taken” is not a step to advance to (confirmed, shipped, delivered, followed_up).",
        ),
        (
            "confirmed",
            DAY + dt.timedelta(3),
            "to_status",
            "The order is already shipped; it can only move forward (next step: delivered).",
        ),
        (
            "delivered",
            DAY + dt.timedelta(1),
            "on",
            "cannot be before the previous step's date (2025-03-05).",
        ),
    ],
)
def test_advance_backwards_or_back_in_time_is_refused(world, to_status, on, field, message):
    order = make_order(owner=world.rep)
    order_advance(order=order, to_status="shipped", on=DAY + dt.timedelta(2))
    with pytest.raises(ValidationError) as exc:
        order_advance(order=order, to_status=to_status, on=on)
    assert errors_of(exc) == {field: [message]}
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.delivered_on is None


def test_advance_before_order_date_is_refused(world):
    order = make_order(owner=world.rep)
    with pytest.raises(ValidationError) as exc:
        order_advance(order=order, to_status="confirmed", on=DAY - dt.timedelta(1))
    assert errors_of(exc) == {"on": ["cannot be before the order was taken (2025-03-03)."]}
    order.refresh_from_db()
    assert (order.status, order.confirmed_on) == (OrderStatus.TAKEN, None)


# --- cancelling --------------------------------------------------------------------------------


def test_cancel_keeps_previous_status_and_blocks_advancing(world):
    order = make_order(owner=world.rep)
    order_advance(order=order, to_status="confirmed", on=DAY)
    cancellation = order_cancel(
        order=order, on=DAY + dt.timedelta(1), reason="Customer withdrew", by=world.leader
    )
    assert cancellation.previous_status == OrderStatus.CONFIRMED
    assert cancellation.cancelled_by == world.leader
    assert order.status == OrderStatus.CANCELLED
    with pytest.raises(ValidationError) as exc:
        order_advance(order=order, to_status="shipped", on=DAY + dt.timedelta(2))
    assert errors_of(exc) == {"to_status": ["A cancelled order cannot advance."]}


def test_cancelling_a_delivered_order_is_refused(world):
    order = make_delivered_order(owner=world.rep)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_cancel(order=order, on=DAY + dt.timedelta(9), reason="Too late", by=world.rep)
    assert errors_of(exc) == {
        "status": [
            "The order is delivered; it can no longer be cancelled — record a return on its "
            "lines instead."
        ]
    }
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert counts() == before


def test_cancel_needs_a_reason(world):
    order = make_order(owner=world.rep)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_cancel(order=order, on=DAY, reason="  ", by=world.rep)
    assert errors_of(exc) == {"reason": ["Give the reason for the cancellation."]}
    assert counts() == before
    order.refresh_from_db()
    assert order.status == OrderStatus.TAKEN


# --- returns -----------------------------------------------------------------------------------


def test_return_of_one_of_three_units_is_a_third_rounded_half_up(world):
    make_rate("USD", D("0.91234567"), DAY)
    product = make_product(prices=[("USD", "19.99", "10.00")])
    order = make_delivered_order(
        owner=world.rep, product=product, currency="USD", discount_pct="10"
    )
    line = order.lines.get()  # 53.97 USD, 49.24 EUR
    first = order_return_record(
        line=line, quantity=D("1"), returned_on=order.delivered_on, reason="defective", by=world.rep
    )
    assert (first.amount, first.amount_reporting) == (D("17.99"), D("16.41"))  # 17.99, 16.4133
    second = order_return_record(
        line=line, quantity=D("1"), returned_on=order.delivered_on, reason="defective", by=world.rep
    )
    third = order_return_record(
        line=line, quantity=D("1"), returned_on=order.delivered_on, reason="other", by=world.rep
    )
    assert (second.amount, third.amount) == (D("17.99"), D("17.99"))
    assert first.amount + second.amount + third.amount == line.net_amount
    assert (third.amount_reporting, second.amount_reporting) == (D("16.42"), D("16.41"))
    assert first.amount_reporting + second.amount_reporting + third.amount_reporting == D("49.24")


def test_full_return_refunds_exactly_the_line(world):
    order = make_delivered_order(owner=world.rep, quantity="3", discount_pct="10")
    line = order.lines.get()
    refund = order_return_record(
        line=line,
        quantity=D("3"),
        returned_on=order.delivered_on,
        reason="wrong_item",
        by=world.rep,
        note="All of it",
    )
    assert (refund.amount, refund.amount_reporting) == (line.net_amount, line.net_amount_reporting)


def test_over_returning_is_refused(world):
    order = make_delivered_order(owner=world.rep, quantity="3")
    line = order.lines.get()
    order_return_record(
        line=line, quantity=D("2"), returned_on=order.delivered_on, reason="defective", by=world.rep
    )
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_return_record(
            line=line,
            quantity=D("2"),
            returned_on=order.delivered_on,
            reason="defective",
            by=world.rep,
        )
    assert errors_of(exc) == {"quantity": ["Only 1 of 3 can still be returned on this line."]}
    assert counts() == before


def test_returns_only_on_delivered_orders(world):
    order = make_order(owner=world.rep)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_return_record(
            line=order.lines.get(), quantity=D("1"), returned_on=DAY, reason="other", by=world.rep
        )
    assert errors_of(exc) == {
        "line": [f"Only delivered orders can have returns; order {order.number} is taken."]
    }
    assert counts() == before


def test_return_reason_and_date_are_checked(world):
    order = make_delivered_order(owner=world.rep)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        order_return_record(
            line=order.lines.get(),
            quantity=D("1"),
            returned_on=DAY,
            reason="bored",
            by=world.rep,
        )
    errors = errors_of(exc)
    assert set(errors) == {"reason", "returned_on"}
    assert errors["returned_on"] == ["cannot be before the order was delivered (2025-03-08)."]
    assert counts() == before


def test_generated_numbers_skip_hand_given_ones_of_another_shape(world):
    make_order(owner=world.rep, number="SO-2025-ZZZ")
    make_order(owner=world.rep, number="SO-2025-000041")
    assert make_order(owner=world.rep).number == "SO-2025-000042"


def test_set_promised_accepts_step_aliases_and_clearing(world):
    order = make_order(owner=world.rep)
    order_set_promised(order=order, step="delivery", on=DAY + dt.timedelta(9))
    order_set_promised(order=order, step="follow_up_promised_on", on=DAY + dt.timedelta(20))
    assert (order.delivery_promised_on, order.follow_up_promised_on) == (
        DAY + dt.timedelta(9),
        DAY + dt.timedelta(20),
    )
    order_set_promised(order=order, step="delivered", on=None)
    assert order.delivery_promised_on is None


# --- payment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_order", "message"),
    [
        (-1, "cannot be before the order was taken (2025-03-03)."),
        (None, "A payment cannot be recorded before it happens."),  # tomorrow
    ],
)
def test_a_payment_on_an_impossible_day_is_refused_naming_the_field(
    world, days_after_order, message
):
    order = make_order(owner=world.rep)  # taken on 2025-03-03
    on = (
        today() + dt.timedelta(days=1)
        if days_after_order is None
        else DAY + dt.timedelta(days=days_after_order)
    )

    with pytest.raises(ValidationError) as exc:
        order_record_payment(order=order, on=on)

    assert errors_of(exc) == {"on": [message]}
    order.refresh_from_db()
    assert order.paid_on is None


def test_a_payment_is_recorded_on_its_day_and_a_cancelled_order_cannot_be_paid(world):
    order = make_order(owner=world.rep)
    order_record_payment(order=order, on=DAY + dt.timedelta(days=20))
    assert Order.objects.get(pk=order.pk).paid_on == dt.date(2025, 3, 23)

    cancelled = make_order(owner=world.rep)
    order_cancel(order=cancelled, on=DAY + dt.timedelta(days=1), reason="Duplicate", by=world.rep)
    with pytest.raises(ValidationError) as exc:
        order_record_payment(order=cancelled, on=DAY + dt.timedelta(days=2))
    assert errors_of(exc) == {"on": ["A cancelled order cannot be paid."]}
    assert Order.objects.get(pk=cancelled.pk).paid_on is None
