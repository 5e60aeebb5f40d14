"""Exact money: Decimal amounts, ISO currencies, rounding to cents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# ISO 4217 codes a sales organisation is likely to trade in; extend as needed.
CURRENCIES = (
    "EUR", "USD", "GBP", "NOK", "SEK", "DKK", "CHF", "PLN", "RON", "CZK", "HUF",
    "PHP", "BRL", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "SGD", "ZAR", "MXN",
)  # fmt: skip
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]

MONEY_DIGITS = 18
MONEY_PLACES = 2


def reporting_currency() -> str:
    return str(settings.REPORTING_CURRENCY)


def quantize_money(value: Decimal) -> Decimal:
    """Round to cents, half up (commercial rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(value: object) -> Decimal:
    """Parse user input into a Decimal; raises ValueError with a readable message."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        raise ValueError("money must not be a float")
    else:
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"{value!r} is not a number") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result
