"""Pipeline reads: weighted pipeline and the monthly summary, hand-computed, per visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.pipeline import selectors, services
from attain.pipeline.models import Deal
from attain.pipeline.tests.factories import make_deal, make_rate, reason, stage

pytestmark = pytest.mark.django_db

ON = dt.date(2024, 4, 10)


@pytest.fixture
def book(world):
    """rep: three open deals, one won and one lost in April, one won in March; rep2: one open."""
    make_rate(currency="USD", valid_on=dt.date(2024, 1, 1), rate="0.9")
    a = make_deal(owner=world.rep, amount="1000.00")  # prospecting 10 %
    b = make_deal(owner=world.rep, amount="2000.00", currency="USD", stage_code="proposal")
    c = make_deal(owner=world.rep, amount="333.33", stage_code="negotiation")
    won = make_deal(owner=world.rep, amount="500.00")
    services.deal_close_won(deal=won, closed_on=dt.date(2024, 4, 2))
    lost = make_deal(owner=world.rep, amount="700.00")
    services.deal_close_lost(deal=lost, reason=reason("price"), closed_on=dt.date(2024, 4, 30))
    march = make_deal(owner=world.rep, amount="400.00")
    services.deal_close_won(deal=march, closed_on=dt.date(2024, 3, 31))
    other = make_deal(owner=world.rep2, amount="10000.00", stage_code="qualification")
    return {"a": a, "b": b, "c": c, "won": won, "lost": lost, "march": march, "other": other}


def test_weighted_value_per_deal(world, book):
    values = dict(
        Deal.objects.filter(status="open").with_weighted_value().values_list("pk", "weighted_value")
    )
    assert values[book["a"].pk] == Decimal("100.00")  # 1000 × 10 %
    assert values[book["b"].pk] == Decimal("900.00")  # 2000 USD × 0.9 = 1800 × 50 %
    assert values[book["c"].pk] == Decimal("250.00")  # 333.33 × 75 % = 249.9975
    assert values[book["other"].pk] == Decimal("2000.00")  # 10000 × 20 %


def test_pipeline_summary_for_a_rep(world, book):
    summary = selectors.pipeline_summary(user=world.rep.user, on=ON)
    assert summary.period.start == dt.date(2024, 4, 1)
    assert summary.period.end == dt.date(2024, 4, 30)
    assert summary.open_count == 3
    assert summary.open_amount == Decimal("3133.33")  # 1000 + 1800 + 333.33
    # (1000×10 + 1800×50 + 333.33×75) / 100 = 1249.9975 → 1250.00
    assert summary.weighted_amount == Decimal("1250.00")
    assert (summary.won_count, summary.won_amount) == (1, Decimal("500.00"))
    assert (summary.lost_count, summary.lost_amount) == (1, Decimal("700.00"))
    assert summary.win_rate == Decimal("50.00")


def test_pipeline_summary_for_the_team_leader_includes_rep2(world, book):
    summary = selectors.pipeline_summary(user=world.leader.user, on=ON)
    assert summary.open_count == 4
    assert summary.open_amount == Decimal("13133.33")
    assert summary.weighted_amount == Decimal("3250.00")  # 1249.9975 + 2000 → 3249.9975


def test_pipeline_summary_sees_nothing_outside_scope(world, book):
    summary = selectors.pipeline_summary(user=world.rep_b.user, on=ON)
    assert (summary.open_count, summary.open_amount, summary.weighted_amount) == (
        0,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert summary.win_rate is None


def test_pipeline_summary_previous_month(world, book):
    summary = selectors.pipeline_summary(user=world.rep.user, on=dt.date(2024, 3, 15))
    assert (summary.won_count, summary.won_amount, summary.lost_count) == (1, Decimal("400.00"), 0)


def test_pipeline_summary_is_two_queries_after_scope(world, book, django_assert_num_queries):
    """One over the open deals, one over the deals closed in the month (both indexed)."""
    user = world.rep.user
    selectors.pipeline_summary(user=user, on=ON)  # computes and caches the scope
    with django_assert_num_queries(2):
        selectors.pipeline_summary(user=user, on=ON)


def test_deal_stage_history_in_order(world):
    deal = make_deal(owner=world.rep)
    services.deal_move_stage(deal=deal, stage=stage("needs_analysis"))
    services.deal_close_won(deal=deal, closed_on=dt.date.today())
    codes = [change.to_stage.code for change in selectors.deal_stage_history(deal=deal)]
    assert codes == ["prospecting", "needs_analysis", "won"]


def test_deal_list_filters_and_search(world, book):
    user = world.leader.user
    assert set(selectors.deal_list(user=user, status="open")) == {
        book["a"],
        book["b"],
        book["c"],
        book["other"],
    }
    assert list(selectors.deal_list(user=user, owner_id=world.rep2.pk)) == [book["other"]]
    assert list(selectors.deal_list(user=user, stage_id=stage("proposal").pk)) == [book["b"]]
    assert list(selectors.deal_list(user=user, search=book["c"].name)) == [book["c"]]
    assert list(selectors.deal_list(user=world.rep_b.user)) == []
