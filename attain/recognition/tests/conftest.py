"""Fixtures of the recognition tests."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.recognition.tests.factories import sell


@pytest.fixture
def march(world):
    """March 2026 revenue — Division A: rep 3 orders 100.00 + 200.00 + 300.00 = 600.00, rep2
    450.00, rep_a2 150.00, leader nothing (so Team A1 1,050.00, Team A2 150.00). Outside the
    contest: rep_b 1,000.00 (Division B) and rep's 5,000.00 on 1 April."""
    sell(world.rep, "100.00", "200.00", "300.00")
    sell(world.rep2, "450.00", on=dt.date(2026, 3, 31))
    sell(world.rep_a2, "150.00", on=dt.date(2026, 3, 1))
    sell(world.rep_b, "1000.00")
    sell(world.rep, "5000.00", on=dt.date(2026, 4, 1))
    return world
