"""`manage.py run_bench` runs end to end and prints its figures (the figures are never judged)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from attain.core.periods import today
from attain.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def test_run_bench_prints_every_section_as_json():
    call_command("seed_demo", "--tiny", "--seed", "2", verbosity=0, stdout=io.StringIO())
    orders, lines = Order.objects.count(), OrderLine.objects.count()
    # the payout run covers the year up to yesterday: the demo's lines in it, and the 300 added
    yesterday = today() - dt.timedelta(days=1)
    demo_in_year = OrderLine.objects.filter(
        order__ordered_on__gte=yesterday - dt.timedelta(days=364),
        order__ordered_on__lte=yesterday,
    ).count()
    out = io.StringIO()

    call_command(
        "run_bench",
        "--repeat",
        "1",
        "--import-lines",
        "200",
        "--pay-lines",
        "300",
        "--pay-payees",
        "12",
        stdout=out,
        stderr=io.StringIO(),
    )

    report = json.loads(out.getvalue())
    for key in ("date", "machine", "database", "subjects", "pages", "dashboards", "api"):
        assert report[key], key
    assert set(report["machine"]) == {"cpus", "python", "platform"}
    assert report["database"]["rows"]["orders"] == orders
    assert report["database"]["rows"]["order_lines"] == lines
    assert set(report["database"]["rows"]) >= {"orders", "order_lines", "deals", "sales_days"}
    assert all(row["status"] == 200 for row in report["dashboards"] + report["api"])
    assert len(report["dashboards"]) == 8 and len(report["api"]) == 16
    assert all(figure["status"] == 200 for figure in report["pages"].values())

    figures = report["rollup_vs_raw"]
    assert set(figures) == {
        "revenue_per_seller",
        "revenue_per_month_company",
        "revenue_per_product_line_team",
    }
    for name, figure in figures.items():
        assert figure["groups"] > 0, name
        assert figure["equal"] is True, name
        assert figure["selector_equal"] is True, name
        assert {"raw_p50_ms", "day_table_p50_ms", "selector_p50_ms", "ratio_raw_to_rollup"} <= set(
            figure
        )

    latency = report["order_to_dashboard"]
    assert latency["increase_exact"] is True
    assert latency["api_shows_it"] is True
    assert latency["left_nothing_behind"] is True
    assert {"p50_ms", "p95_ms"} == set(latency["save_to_visible"])
    assert (Order.objects.count(), OrderLine.objects.count()) == (orders, lines)

    imported = report["import"]
    if connection.vendor == "postgresql":
        assert (imported["lines"], imported["lines_written"]) == (200, 200), imported[
            "first_problems"
        ]
        assert (imported["status"], imported["problems"]) == ("done", 0)
        assert imported["created"] == imported["orders"]
    else:
        assert set(imported) == {"skipped"}

    pay = report["pay"]
    assert pay["lines"] == 300 and pay["rolled_back"] is True
    # everyone placed as a sales rep at some time in the year is paid; 12 are placed today
    assert pay["reps_in_period"] >= 12 and pay["payees"] == pay["reps_in_period"]
    assert pay["owners_in_aggregate"] > 0
    assert pay["credited_lines"] == demo_in_year + 300
    # the cancelled order's lines no longer earn: the total falls, and the run brought up to
    # date for that order's people equals a full calculation
    assert pay["recalculation_changed_total"].startswith("-")
    assert pay["recalculation_matches_full"] is True and pay["calculate_matches_run"] is True
    assert {"aggregate_seconds", "calculate_seconds", "run_seconds", "ratio"} <= set(pay)


def test_run_bench_only_runs_the_sections_asked_for():
    call_command("seed_demo", "--tiny", "--seed", "2", verbosity=0, stdout=io.StringIO())
    out = io.StringIO()

    call_command("run_bench", "--repeat", "1", "--only", "rollup", stdout=out, stderr=io.StringIO())

    report = json.loads(out.getvalue())
    assert report["sections"] == ["rollup"]
    assert "rollup_vs_raw" in report
    assert not {"pages", "dashboards", "api", "order_to_dashboard"} & set(report)
