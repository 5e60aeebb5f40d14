"""The period picker never fails and computes exact ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.dashboards.periods import choose_period

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("params", "start", "end", "grain"),
    [
        ({}, dt.date(2026, 11, 1), dt.date(2026, 11, 30), "day"),
        ({"period": "last_month"}, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "day"),
        ({"period": "this_quarter"}, dt.date(2026, 10, 1), dt.date(2026, 12, 31), "week"),
        ({"period": "last_quarter"}, dt.date(2026, 7, 1), dt.date(2026, 9, 30), "week"),
        ({"period": "this_year"}, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "month"),
        ({"period": "last_year"}, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "month"),
        ({"period": "last_12_months"}, dt.date(2025, 12, 1), dt.date(2026, 11, 30), "month"),
        (
            {"period": "custom", "start": "2026-02-03", "end": "2026-02-10"},
            dt.date(2026, 2, 3),
            dt.date(2026, 2, 10),
            "day",
        ),
        (
            {"period": "custom", "start": "2026-02-10", "end": "2026-02-03"},
            dt.date(2026, 11, 1),
            dt.date(2026, 11, 30),
            "day",
        ),
        (
            {"period": "custom", "start": "garbage"},
            dt.date(2026, 11, 1),
            dt.date(2026, 11, 30),
            "day",
        ),
        (
            {"period": "nonsense", "grain": "fortnight"},
            dt.date(2026, 11, 1),
            dt.date(2026, 11, 30),
            "day",
        ),
        (
            {"period": "this_year", "grain": "quarter"},
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
            "quarter",
        ),
    ],
)
def test_choose_period(params, start, end, grain):
    chosen = choose_period(params, today=TODAY)
    assert (chosen.start, chosen.end, chosen.grain) == (start, end, grain)


def test_previous_and_year_before():
    chosen = choose_period({"period": "last_month"}, today=TODAY)
    assert (chosen.previous().start, chosen.previous().end) == (
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 30),
    )
    custom = choose_period(
        {"period": "custom", "start": "2026-02-03", "end": "2026-02-10"}, today=TODAY
    )
    assert (custom.previous().start, custom.previous().end) == (
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 2),
    )
    assert (chosen.year_before().start, chosen.year_before().end) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 10, 31),
    )
