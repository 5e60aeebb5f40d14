"""Exact, hand-computed metric values on the hand-made data set (see factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.analytics.metrics import METRICS, metric_choices, metric_get
from attain.analytics.selectors import (
    NO_FILTERS,
    Filters,
    Scope,
    bucket_starts,
    funnel_summary,
    metric_breakdown,
    metric_series,
    metric_value,
)

MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}
Q1 = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
YEAR = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
D = Decimal
COMPANY = Scope()


def value(metric: str, scope: Scope = COMPANY, filters: Filters = NO_FILTERS, **period):
    return metric_value(metric=metric, scope=scope, filters=filters, **(period or MARCH))


def test_registry_has_the_required_metrics():
    for key in (
        "revenue",
        "gross_margin",
        "units",
        "deals_won",
        "won_value",
        "new_customers",
        "activities",
        "repeat_customer_rate",
        "csat",
    ):
        assert metric_get(key).formula
    assert metric_get("repeat_customer_rate").unit == "percent"
    assert metric_get("revenue").filters == {"product_line", "product", "territory", "segment"}
    assert ("revenue", "Revenue") in metric_choices()
    assert "no value" in str(METRICS["csat"].formula)
    with pytest.raises(KeyError):
        metric_get("nope")


def test_revenue_of_a_seller_in_march(data):
    rep = Scope(person_id=data.world.rep.pk)
    # 750.00 + 90.00 (EUR, team A1) + 789.12 USD × 0.5 = 394.56 (after moving to team A2)
    assert value("revenue", rep) == D("1234.56")
    assert value("gross_margin", rep) == D("794.56")  # − 300 − 40 − 100
    assert value("units", rep) == D("6")


def test_revenue_by_scope(data):
    w = data.world
    assert value("revenue") == D("1584.56")  # o3 cancelled: excluded
    assert value("revenue", Scope(unit_path=w.team_a1.path)) == D("1040.00")
    assert value("revenue", Scope(unit_path=w.team_a2.path)) == D("394.56")
    assert value("revenue", Scope(unit_path=w.div_a.path)) == D("1434.56")
    assert value("revenue", Scope(unit_path=w.div_b.path)) == D("150.00")
    # the mover's March sales made while in team A1 stay with team A1
    assert value("revenue", Scope(person_id=w.rep.pk, unit_path=w.team_a1.path)) == D("840.00")
    assert value("revenue", **YEAR) == D("1884.56")
    assert value("revenue", start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31)) == D("0.00")


def test_revenue_filters(data):
    assert value("revenue", filters=Filters(product_line_id=data.l1.pk)) == D("1144.56")
    assert value("revenue", filters=Filters(product_id=data.p2.pk)) == D("440.00")  # raw lines
    assert value("revenue", filters=Filters(territory_id=data.north.pk)) == D("1234.56")
    assert value("revenue", filters=Filters(segment="enterprise")) == D("200.00")
    assert value("gross_margin", filters=Filters(product_id=data.p1.pk)) == D("744.56")
    assert value("units", filters=Filters(product_id=data.p2.pk, segment="mid_market")) == D("2")


def test_returns_are_counted_on_their_own_day(data):
    assert value("returns") == D("0.00")
    assert value("returns", start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)) == D("50.00")


def test_deal_and_activity_metrics(data):
    w = data.world
    rep = Scope(person_id=w.rep.pk)
    assert value("deals_won", rep) == D("2")
    assert value("won_value", rep) == D("1200.00")  # 1000 EUR + 400 USD × 0.5
    assert value("deals_lost") == D("1")
    assert value("deals_created") == D("4")
    assert value("won_value", filters=Filters(segment="enterprise")) == D("0.00")
    assert value("activities", rep) == D("2")
    assert value("activity_minutes", rep) == D("90")
    # the 00:30 meeting counts on its local day (11 March), not the UTC one
    assert value("activities", rep, start=dt.date(2026, 3, 11), end=dt.date(2026, 3, 11)) == 1


def test_new_customers(data):
    w = data.world
    # acc1 first ordered 10 March (rep); acc2's first order was cancelled, so its first is
    # 25 March (rep2); acc3 first ordered in February, acc4 in April
    assert value("new_customers") == D("2")
    assert value("new_customers", Scope(person_id=w.rep.pk)) == D("1")
    assert value("new_customers", Scope(person_id=w.rep2.pk)) == D("1")
    assert value("new_customers", Scope(person_id=w.rep_b.pk)) == D("0")  # acc3 is not new
    assert value("new_customers", Scope(unit_path=w.div_b.path)) == D("0")
    assert value("new_customers", filters=Filters(segment="enterprise")) == D("1")
    assert value("new_customers", **Q1) == D("3")
    assert value("new_customers", **YEAR) == D("4")
    rows = metric_breakdown(metric="new_customers", scope=Scope(), by="seller", **YEAR)
    assert [(r.label, r.value) for r in rows][:1] == [(str(w.rep), D("2"))]
    assert sorted(r.value for r in rows) == [D("1"), D("1"), D("2")]


def test_repeat_customer_rate(data):
    w = data.world
    # March: acc1 has 2 orders, acc2 1 (its other order is cancelled), acc3 1 → 1 of 3
    assert value("repeat_customer_rate") == D("33.33")
    # Q1: acc3 also ordered in February → 2 of 3
    assert value("repeat_customer_rate", **Q1) == D("66.67")
    assert value("repeat_customer_rate", Scope(person_id=w.rep.pk)) == D("100.00")
    assert value("repeat_customer_rate", Scope(person_id=w.rep2.pk)) == D("0.00")
    assert value("repeat_customer_rate", Scope(person_id=w.rep_a2.pk)) is None  # no orders
    rows = metric_breakdown(metric="repeat_customer_rate", scope=Scope(), by="seller", **Q1)
    assert {r.id: r.value for r in rows} == {
        w.rep.pk: D("100.00"),
        w.rep2.pk: D("0.00"),
        w.rep_a2.pk: D("0.00"),
        w.rep_b.pk: D("0.00"),
    }


def test_csat_has_no_data(data):
    assert value("csat") is None
    series = metric_series(metric="csat", scope=Scope(), grain="month", **Q1)
    assert [v for _b, v in series] == [None, None, None]
    assert metric_breakdown(metric="csat", scope=Scope(), by="seller", **Q1) == []


def test_series_are_zero_filled_with_bucket_start_keys(data):
    rep = Scope(person_id=data.world.rep.pk)
    series = metric_series(
        metric="revenue",
        scope=rep,
        grain="month",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 4, 30),
    )
    assert series == [
        (dt.date(2026, 1, 1), D("0")),
        (dt.date(2026, 2, 1), D("0")),
        (dt.date(2026, 3, 1), D("1234.56")),
        (dt.date(2026, 4, 1), D("50.00")),
    ]
    weekly = metric_series(metric="revenue", scope=Scope(), grain="week", **MARCH)
    assert weekly == [  # weeks start on Monday; 1 March 2026 is a Sunday
        (dt.date(2026, 2, 23), D("0")),
        (dt.date(2026, 3, 2), D("0")),
        (dt.date(2026, 3, 9), D("840.00")),
        (dt.date(2026, 3, 16), D("544.56")),
        (dt.date(2026, 3, 23), D("200.00")),
        (dt.date(2026, 3, 30), D("0")),
    ]
    daily = metric_series(
        metric="activities",
        scope=rep,
        grain="day",
        start=dt.date(2026, 3, 9),
        end=dt.date(2026, 3, 12),
    )
    assert [v for _b, v in daily] == [D("0"), D("1"), D("1"), D("0")]
    quarterly = metric_series(metric="revenue", scope=Scope(), grain="quarter", **YEAR)
    assert [v for _b, v in quarterly] == [D("1834.56"), D("50.00"), D("0"), D("0")]
    assert metric_series(metric="revenue", scope=Scope(), grain="year", **YEAR) == [
        (dt.date(2026, 1, 1), D("1884.56"))
    ]
    by_product = metric_series(
        metric="revenue", scope=Scope(), grain="month", **Q1, filters=Filters(product_id=data.p1.pk)
    )
    assert [v for _b, v in by_product] == [D("0"), D("250.00"), D("1144.56")]


def test_ratio_series_is_computed_per_bucket(data):
    series = metric_series(metric="repeat_customer_rate", scope=Scope(), grain="month", **Q1)
    assert series == [
        (dt.date(2026, 1, 1), None),
        (dt.date(2026, 2, 1), D("0.00")),
        (dt.date(2026, 3, 1), D("33.33")),
    ]


def test_bucket_starts():
    assert bucket_starts(dt.date(2026, 2, 15), dt.date(2026, 8, 1), "quarter") == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
    ]
    assert bucket_starts(dt.date(2025, 12, 31), dt.date(2026, 1, 1), "month") == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]


def test_breakdowns(data):
    w = data.world

    def rows(by: str, scope: Scope = COMPANY, metric: str = "revenue"):
        return [
            (r.label, r.value) for r in metric_breakdown(metric=metric, scope=scope, by=by, **MARCH)
        ]

    assert rows("seller") == [
        (str(w.rep), D("1234.56")),
        (str(w.rep2), D("200.00")),
        (str(w.rep_b), D("150.00")),
    ]
    assert rows("unit") == [(w.div_a.name, D("1434.56")), (w.div_b.name, D("150.00"))]
    assert rows("unit", Scope(unit_path=w.bu_a.path)) == [
        (w.team_a1.name, D("1040.00")),
        (w.team_a2.name, D("394.56")),
    ]
    assert rows("team") == [
        (w.team_a1.name, D("1040.00")),
        (w.team_a2.name, D("394.56")),
        (w.team_b1.name, D("150.00")),
    ]
    assert rows("territory") == [("North", D("1234.56")), ("(none)", D("350.00"))]
    assert rows("product_line") == [("Line one", D("1144.56")), ("Line two", D("440.00"))]
    assert rows("product") == [("P1 Widget P1", D("1144.56")), ("P2 Widget P2", D("440.00"))]
    assert rows("segment") == [
        ("Mid-market", D("1234.56")),
        ("Enterprise", D("200.00")),
        ("Small business", D("150.00")),
    ]
    # groups with deal activity but nothing won show as zero rows
    assert rows("segment", metric="won_value") == [
        ("Mid-market", D("1200.00")),
        ("Enterprise", D("0.00")),
        ("Small business", D("0.00")),
    ]


def test_bad_requests_name_the_field(data):
    with pytest.raises(ValidationError) as exc:
        value("deals_won", filters=Filters(product_line_id=data.l1.pk))
    assert "product_line" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        value("nope")
    assert "metric" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        metric_breakdown(metric="activities", scope=Scope(), by="product", **MARCH)
    assert "by" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        metric_series(metric="revenue", scope=Scope(), grain="hour", **MARCH)
    assert "grain" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        value("revenue", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))
    assert "end" in exc.value.message_dict


def test_funnel_summary(data):
    summary = funnel_summary(scope=Scope(), **MARCH)
    assert (summary.won, summary.lost, summary.open) == (2, 1, 1)
    assert summary.win_rate == D("66.67")
    assert summary.win_rate_by_value == D("80.00")  # 1200 ÷ (1200 + 300)
    assert summary.won_value == D("1200.00")
    assert summary.average_deal_size == D("600.00")
    assert summary.average_cycle_days == D("7.00")  # (4 + 10) ÷ 2
    assert summary.open_pipeline == D("500.00")
    assert summary.weighted_pipeline == D("250.00")  # 500 × 50 %
    stages = {s.code: (s.entered, s.advanced, s.conversion) for s in summary.stages}
    assert stages["prospecting"] == (3, 2, D("66.67"))  # d1 won, d2 to proposal, d3 lost
    assert stages["proposal"] == (2, 1, D("50.00"))  # d2 won, d4 still open
    assert stages["qualification"] == (0, 0, None)
    assert "won" not in stages and "lost" not in stages
    rep = funnel_summary(scope=Scope(person_id=data.world.rep.pk), **MARCH)
    assert (rep.won, rep.lost, rep.win_rate, rep.open_pipeline) == (2, 0, D("100.00"), D("0.00"))
    empty = funnel_summary(scope=Scope(), start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    assert (empty.win_rate, empty.average_deal_size, empty.average_cycle_days) == (None,) * 3
