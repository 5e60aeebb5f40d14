"""seed_demo loads through the bulk writer (no fact hooks) and rebuilds the rollups at the end."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from attain.analytics.models import ActivityDay, DealDay, SalesDay
from attain.analytics.tests.factories import assert_rollups_fresh
from attain.orders.models import OrderLine


@pytest.mark.django_db(transaction=False)
def test_seed_demo_ends_with_fresh_rollups():
    call_command(
        "seed_demo",
        "--tiny",
        "--seed",
        "2",
        "--end-date",
        "2026-06-30",
        verbosity=0,
        stdout=io.StringIO(),
    )
    assert SalesDay.objects.exists() and DealDay.objects.exists() and ActivityDay.objects.exists()
    raw = OrderLine.objects.exclude(order__status="cancelled").aggregate(
        v=Sum("net_amount_reporting")
    )["v"]
    assert SalesDay.objects.aggregate(v=Sum("revenue"))["v"] == raw
    assert_rollups_fresh()
