"""Date ranges: months, quarters, years, and half-open validity intervals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end]."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, nxt - dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clipped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    last = month_of(first).end
    return first.replace(day=min(day.day, last.day))


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Rows whose [valid_from, valid_to) interval contains `day` (valid_to null = open)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def intervals_overlap(
    a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None
) -> bool:
    """Whether two half-open intervals [from, to) overlap; None means open-ended."""
    a_end = a_to or dt.date.max
    b_end = b_to or dt.date.max
    return a_from < b_end and b_from < a_end
