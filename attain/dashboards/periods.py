"""The period picker: named periods relative to today, or a custom range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from attain.core.periods import add_months, month_of

PERIOD_CHOICES = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("last_12_months", _("Last 12 months")),
    ("custom", _("Custom")),
]
GRAIN_CHOICES = [
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
]


@dataclass(frozen=True)
class ChosenPeriod:
    key: str
    start: dt.date
    end: dt.date
    grain: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ChosenPeriod:
        """The period just before (period over period): the previous month, quarter or year for
        calendar periods, otherwise the same number of days just before."""
        months = {
            "this_month": 1,
            "last_month": 1,
            "this_quarter": 3,
            "last_quarter": 3,
            "this_year": 12,
            "last_year": 12,
            "last_12_months": 12,
        }.get(self.key)
        if months:
            start = add_months(self.start, -months)
            return ChosenPeriod(self.key, start, self.start - dt.timedelta(days=1), self.grain)
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return ChosenPeriod(self.key, end - length, end, self.grain)

    def year_before(self) -> ChosenPeriod:
        """The same calendar window one year earlier (year over year)."""
        return ChosenPeriod(
            self.key, add_months(self.start, -12), add_months(self.end, -12), self.grain
        )


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def choose_period(params: dict[str, str] | object, *, today: dt.date) -> ChosenPeriod:
    """Read `period`, `start`, `end` and `grain` from a query dict; anything unknown falls back to
    this month (never an error)."""
    get = getattr(params, "get", lambda _key, default=None: default)
    key = get("period", "this_month") or "this_month"
    if key == "last_month":
        period = month_of(add_months(today.replace(day=1), -1))
        start, end = period.start, period.end
    elif key == "this_quarter":
        start = _quarter_start(today)
        end = add_months(start, 3) - dt.timedelta(days=1)
    elif key == "last_quarter":
        start = add_months(_quarter_start(today), -3)
        end = add_months(start, 3) - dt.timedelta(days=1)
    elif key == "this_year":
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    elif key == "last_year":
        start, end = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    elif key == "last_12_months":
        start = add_months(today.replace(day=1), -11)
        end = month_of(today).end
    elif key == "custom":
        start = _parse_date(get("start")) or today.replace(day=1)
        end = _parse_date(get("end")) or month_of(today).end
        if end < start or (end - start).days > 3660:
            start, end = today.replace(day=1), month_of(today).end
    else:
        key = "this_month"
        period = month_of(today)
        start, end = period.start, period.end
    days = (end - start).days + 1
    default_grain = "day" if days <= 62 else "week" if days <= 200 else "month"
    grain = get("grain", default_grain) or default_grain
    if grain not in {code for code, _label in GRAIN_CHOICES}:
        grain = default_grain
    return ChosenPeriod(key, start, end, grain)
