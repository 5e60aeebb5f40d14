"""Exact money: rounding, parsing, conversion with the rate in force on the booking day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.core.models import ExchangeRate
from attain.core.money import parse_decimal, quantize_money
from attain.core.selectors import exchange_rate_get, money_to_reporting
from attain.core.services import exchange_rate_set


def test_quantize_rounds_half_up():
    assert quantize_money(Decimal("2.345")) == Decimal("2.35")
    assert quantize_money(Decimal("2.344")) == Decimal("2.34")
    assert quantize_money(Decimal("-2.345")) == Decimal("-2.35")


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", 1.5])
def test_parse_decimal_refuses_garbage_and_floats(bad):
    with pytest.raises(ValueError):
        parse_decimal(bad)


def test_parse_decimal_keeps_exact_value():
    assert parse_decimal(" 19.99 ") == Decimal("19.99")


@pytest.mark.django_db
def test_conversion_uses_the_rate_in_force_on_the_day():
    exchange_rate_set(currency="USD", valid_on=dt.date(2024, 1, 1), rate=Decimal("0.90"))
    exchange_rate_set(currency="USD", valid_on=dt.date(2024, 2, 1), rate=Decimal("0.95"))
    assert exchange_rate_get(currency="USD", on=dt.date(2024, 1, 31)) == Decimal("0.90")
    assert money_to_reporting(
        amount=Decimal("1000.01"), currency="USD", on=dt.date(2024, 2, 1)
    ) == (
        Decimal("950.01"),
        Decimal("0.95"),
    )
    assert money_to_reporting(amount=Decimal("12.34"), currency="EUR", on=dt.date(2020, 1, 1)) == (
        Decimal("12.34"),
        Decimal("1"),
    )


@pytest.mark.django_db
def test_missing_rate_names_the_currency_field():
    with pytest.raises(ValidationError) as exc:
        money_to_reporting(amount=Decimal("1"), currency="NOK", on=dt.date(2024, 1, 1))
    assert "currency" in exc.value.error_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("XXX", Decimal("1"), "currency"),
        ("EUR", Decimal("1"), "currency"),
        ("USD", Decimal("0"), "rate"),
    ],
)
def test_bad_rates_are_refused_and_nothing_saved(currency, rate, field):
    with pytest.raises(ValidationError) as exc:
        exchange_rate_set(currency=currency, valid_on=dt.date(2024, 1, 1), rate=rate)
    assert field in exc.value.error_dict
    assert ExchangeRate.objects.count() == 0
