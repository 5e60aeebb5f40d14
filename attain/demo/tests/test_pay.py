"""The demo's incentive pay: two plans, and the runs of the last three complete months — paid,
approved, and a calculated draft — whose stored figures are exactly what a recalculation
gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from attain.demo.generator import generate
from attain.demo.pay import run_months
from attain.demo.tests.test_generator import END, SCALE
from attain.incentives.calculation import period_calculate
from attain.incentives.models import Assignment, PayoutLine, PayoutRun, Plan, VersionStatus

pytestmark = pytest.mark.django_db


def test_run_months_are_the_last_three_complete_months():
    assert run_months(dt.date(2026, 1, 15)) == [
        (dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ]


def test_demo_pays_its_sellers_and_leaders_in_three_runs():
    generate(seed=11, scale=SCALE, end_date=END)

    plans = Plan.objects.order_by("name")
    assert [p.name for p in plans] == ["Sellers' commission", "Team leader override"]
    assert all(p.versions.get().status == VersionStatus.PUBLISHED for p in plans), (
        "both plans are published"
    )
    assert Assignment.objects.filter(plan__name="Sellers' commission").exists()

    runs = list(PayoutRun.objects.order_by("period_start"))
    assert [(r.period_start, r.period_end, r.status) for r in runs] == [
        (dt.date(2026, 8, 1), dt.date(2026, 8, 31), "paid"),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30), "approved"),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "draft"),
    ]
    for run in runs:
        lines = PayoutLine.objects.filter(run=run)
        assert run.total == lines.aggregate(s=Sum("amount"))["s"]
        assert run.payees == lines.values("person").distinct().count() > 0
        again = period_calculate(run.period_start, run.period_end)
        assert (again.total, again.digest()) == (run.total, run.digest)
    assert runs[0].total > Decimal(0)
