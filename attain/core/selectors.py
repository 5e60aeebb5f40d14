"""Reads shared by every app: exchange rates and conversion into the reporting currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from attain.core.models import ExchangeRate
from attain.core.money import quantize_money, reporting_currency

ONE = Decimal("1")


def exchange_rate_get(*, currency: str, on: dt.date) -> Decimal:
    """The rate in force on `on` (the latest rate dated on or before it)."""
    if currency == reporting_currency():
        return ONE
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_on__lte=on)
        .order_by("-valid_on")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "currency": _(
                    "There is no exchange rate for %(currency)s on or before %(date)s; "
                    "add one under Settings → Exchange rates."
                )
                % {"currency": currency, "date": on.isoformat()}
            }
        )
    return rate


def money_to_reporting(*, amount: Decimal, currency: str, on: dt.date) -> tuple[Decimal, Decimal]:
    """Convert once, at booking: returns (amount in the reporting currency, rate used)."""
    rate = exchange_rate_get(currency=currency, on=on)
    return quantize_money(amount * rate), rate


class RateIndex:
    """`exchange_rate_get` with the rate looked up once per currency and day (bulk work)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, dt.date], Decimal] = {}

    def rate(self, currency: str, on: dt.date) -> Decimal:
        """The rate in force on `on`; ValidationError (as exchange_rate_get) when none is."""
        key = (currency, on)
        if key not in self._cache:
            self._cache[key] = exchange_rate_get(currency=currency, on=on)
        return self._cache[key]

    def to_reporting(self, amount: Decimal, currency: str, on: dt.date) -> tuple[Decimal, Decimal]:
        rate = self.rate(currency, on)
        return quantize_money(amount * rate), rate
