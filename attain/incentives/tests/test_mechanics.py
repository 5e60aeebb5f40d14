"""The incentive arithmetic against hand-computed amounts (the KPIS.md worked example first),
its refusals of bad tables and splits, and properties: splits add up, a clawback reverses
exactly what was paid, recalculating gives the same result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from attain.incentives.mechanics import (
    Band,
    Step,
    Tier,
    bands_check,
    clawback,
    commission_marginal,
    commission_retroactive,
    credit_capped,
    draw_settle,
    hurdle_apply,
    limits_apply,
    ramped_goal,
    split_amount,
    splits_check,
    tiers_check,
)

D = Decimal
KPIS_TIERS = [
    Tier(D(0), D(100), D("0.08")),
    Tier(D(100), D(125), D("0.12")),
    Tier(D(125), None, D("0.15")),
]


def test_the_kpis_worked_example_of_marginal_tiers():
    """Goal 250,000, credit 325,000 (130 %): 250,000 × 8 % + 62,500 × 12 % + 12,500 × 15 %."""
    result = commission_marginal(credit=D("325000"), goal=D("250000"), tiers=KPIS_TIERS)

    assert result.amount == D("29375.00")
    assert result.attainment_pct == D(130)
    assert [(s.basis, s.rate, s.amount) for s in result.steps] == [
        (D("250000.00"), D("0.08"), D("20000.00")),
        (D("62500.00"), D("0.12"), D("7500.00")),
        (D("12500.00"), D("0.15"), D("1875.00")),
    ]
    assert sum(s.amount for s in result.steps) == result.amount
    assert result.steps[1].note == "100 % to 125 % of the goal"


def test_marginal_below_the_first_edge_and_exactly_on_one():
    below = commission_marginal(credit=D("100000"), goal=D("250000"), tiers=KPIS_TIERS)
    assert (below.amount, len(below.steps)) == (D("8000.00"), 1)  # 40 %: 100,000 × 8 %
    on_edge = commission_marginal(credit=D("250000"), goal=D("250000"), tiers=KPIS_TIERS)
    assert [s.amount for s in on_edge.steps] == [D("20000.00")]  # nothing yet at 12 %
    nothing = commission_marginal(credit=D("0"), goal=D("250000"), tiers=KPIS_TIERS)
    assert (nothing.amount, nothing.steps) == (D("0"), ())


def test_retroactive_pays_all_the_credit_at_the_highest_tier_reached():
    result = commission_retroactive(credit=D("325000"), goal=D("250000"), tiers=KPIS_TIERS)
    assert result.amount == D("48750.00")  # 325,000 × 15 %
    at_100 = commission_retroactive(credit=D("250000"), goal=D("250000"), tiers=KPIS_TIERS)
    assert at_100.amount == D("30000.00")  # 100 % reaches the 12 % tier: 250,000 × 12 %
    just_below = commission_retroactive(credit=D("249999"), goal=D("250000"), tiers=KPIS_TIERS)
    assert just_below.amount == D("19999.92")  # 249,999 × 8 %


def test_accelerator_and_decelerator_bands_multiply_the_tier_rates_in_their_range():
    """Flat 10 %, ×0.5 below 50 % attainment, ×1.5 from 100 %. Goal 10,000, credit 12,000:
    5,000 × 5 % + 5,000 × 10 % + 2,000 × 15 % = 250 + 500 + 300 = 1,050."""
    flat = [Tier(D(0), None, D("0.10"))]
    bands = [Band(D(0), D(50), D("0.5")), Band(D(50), D(100), D(1)), Band(D(100), None, D("1.5"))]
    result = commission_marginal(credit=D("12000"), goal=D("10000"), tiers=flat, bands=bands)
    assert [(s.basis, s.rate, s.amount) for s in result.steps] == [
        (D("5000.00"), D("0.050"), D("250.00")),
        (D("5000.00"), D("0.10"), D("500.00")),
        (D("2000.00"), D("0.150"), D("300.00")),
    ]
    assert result.amount == D("1050.00")
    assert result.steps[2].note == "100 % to 120 % of the goal · tier rate 0.1 × factor 1.5"


def test_a_hurdle_pays_nothing_below_it_and_everything_from_it():
    low = commission_marginal(credit=D("40000"), goal=D("100000"), tiers=KPIS_TIERS)  # 40 %
    gated = hurdle_apply(low, hurdle_pct=D(50))
    assert (low.amount, gated.amount) == (D("3200.00"), D("0"))
    assert gated.steps[-1] == Step(
        "hurdle", D("3200.00"), D(0), D("-3200.00"), "attainment 40 % is below the hurdle of 50 %"
    )
    at = commission_marginal(credit=D("50000"), goal=D("100000"), tiers=KPIS_TIERS)
    assert hurdle_apply(at, hurdle_pct=D(50)).amount == D("4000.00")


def test_caps_and_floors_per_period_and_per_deal():
    result = commission_marginal(credit=D("325000"), goal=D("250000"), tiers=KPIS_TIERS)
    capped = limits_apply(result, cap=D("25000.00"))
    assert capped.amount == D("25000.00")
    assert capped.steps[-1].amount == D("-4375.00")  # 29,375 − 4,375
    small = commission_marginal(credit=D("10000"), goal=D("250000"), tiers=KPIS_TIERS)
    floored = limits_apply(small, floor=D("1000.00"), cap=D("25000.00"))
    assert (small.amount, floored.amount, floored.steps[-1].amount) == (
        D("800.00"),
        D("1000.00"),
        D("200.00"),
    )
    assert limits_apply(result, floor=D("1"), cap=D("50000")) is result  # within: unchanged
    with pytest.raises(ValidationError, match="cannot be below the floor"):
        limits_apply(result, floor=D("10"), cap=D("5"))
    assert credit_capped(credit=D("80000"), cap=D("50000")) == D("50000")
    assert credit_capped(credit=D("30000"), cap=D("50000")) == D("30000")


def test_splits_must_add_up_to_100_percent_and_the_parts_add_up_to_the_cent():
    assert split_amount(D("100.00"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]
    # 10.00 at 33.33/33.33/33.34 %: 3.333, 3.333, 3.334 → 3.33 each, and the cent left over
    # goes to the largest remainder (the third seller's 0.004)
    assert split_amount(D("10.00"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("3.33"),
        D("3.33"),
        D("3.34"),
    ]
    # a tie of remainders: the earlier seller gets the cent
    assert split_amount(D("0.05"), [D(50), D(50)]) == [D("0.03"), D("0.02")]
    assert split_amount(D("-0.05"), [D(50), D(50)]) == [D("-0.03"), D("-0.02")]
    with pytest.raises(ValidationError) as err:
        splits_check([D(60), D(30)])
    assert err.value.message_dict == {
        "shares": ["The shares add up to 90 %; they must add up to 100 %."]
    }
    with pytest.raises(ValidationError) as err:
        splits_check([D(110), D(-10)])
    assert err.value.message_dict == {
        "shares": ["shares[1]: each share must be above 0 %, not -10 %."]
    }


@given(
    st.decimals(min_value=D("-100000"), max_value=D("100000"), places=2),
    st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=6),
)
def test_split_parts_always_add_up_exactly(amount, weights):
    total = sum(weights)
    shares = [D(w) * 100 / total for w in weights]
    shares[-1] = D(100) - sum(shares[:-1])  # exact 100 % with the rounding on the last share
    if any(s <= 0 for s in shares):
        return
    parts = split_amount(amount, shares)
    assert sum(parts) == amount
    assert all(abs(p - amount * s / 100) < D("0.01") for p, s in zip(parts, shares, strict=True))


@given(
    st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("0.5"), places=4),
)
def test_a_full_return_claws_back_exactly_what_was_paid(credit, rate):
    paid = Step("tier", credit, rate, (credit * rate).quantize(D("0.01"), rounding="ROUND_HALF_UP"))
    back = clawback(returned_credit=credit, rate_paid=rate)
    assert back.amount == -paid.amount


def test_a_partial_return_is_reversed_at_the_rate_originally_paid():
    """Paid at 12 % in March; the rate is 8 % now: a return of 1,234.56 takes back 12 %."""
    assert clawback(returned_credit=D("1234.56"), rate_paid=D("0.12")).amount == D("-148.15")


@given(
    st.decimals(min_value=D("0"), max_value=D("10000000"), places=2),
    st.decimals(min_value=D("1"), max_value=D("1000000"), places=2),
)
def test_recalculating_gives_the_same_result(credit, goal):
    first = commission_marginal(credit=credit, goal=goal, tiers=KPIS_TIERS)
    assert commission_marginal(credit=credit, goal=goal, tiers=KPIS_TIERS) == first
    assert first.amount == sum((s.amount for s in first.steps), D(0))


def test_a_non_recoverable_draw_is_a_guaranteed_minimum():
    low = draw_settle(earned=D("1200"), draw=D("2000"), recoverable=False)
    assert (low.paid, low.balance_after) == (D("2000"), D("0"))
    high = draw_settle(earned=D("3500"), draw=D("2000"), recoverable=False)
    assert (high.paid, high.balance_after) == (D("3500"), D("0"))


def test_a_recoverable_draw_is_advanced_and_repaid_from_later_earnings():
    """Draw 2,000 a month: earn 1,200 (advance 800, owe 800), then 1,500 (advance 500, owe
    1,300), then 4,000 (2,000 above the draw repays 1,300: paid 2,700, owe 0)."""
    m1 = draw_settle(earned=D("1200"), draw=D("2000"), recoverable=True)
    m2 = draw_settle(
        earned=D("1500"), draw=D("2000"), recoverable=True, balance_before=m1.balance_after
    )
    m3 = draw_settle(
        earned=D("4000"), draw=D("2000"), recoverable=True, balance_before=m2.balance_after
    )
    assert [(m.paid, m.balance_after) for m in (m1, m2, m3)] == [
        (D("2000"), D("800")),
        (D("2000"), D("1300")),
        (D("2700"), D("0")),
    ]
    assert [s.amount for s in m3.steps] == [D("4000"), D("-1300")]
    m4 = draw_settle(earned=D("2500"), draw=D("2000"), recoverable=True, balance_before=D("900"))
    assert (m4.paid, m4.balance_after) == (D("2000"), D("400"))  # only 500 above the draw


def test_ramped_goals_for_new_hires():
    ramp = [D(25), D(50), D(75)]
    goals = [ramped_goal(goal=D("40000"), month=m, ramp=ramp) for m in (1, 2, 3, 4, 12)]
    assert goals == [D("10000.00"), D("20000.00"), D("30000.00"), D("40000.00"), D("40000.00")]
    with pytest.raises(ValidationError):
        ramped_goal(goal=D("40000"), month=0, ramp=ramp)
    with pytest.raises(ValidationError):
        ramped_goal(goal=D("40000"), month=1, ramp=[D(120)])


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "A tier table needs at least one tier."),
        (
            [Tier(D(10), None, D("0.1"))],
            "tiers[0] must start at 0 %, not 10 %.",
        ),
        (
            [Tier(D(0), D(100), D("0.08")), Tier(D(110), None, D("0.12"))],
            "Gap between 100 % and 110 %: tiers[1] must start where the one before ends.",
        ),
        (
            [Tier(D(0), D(100), D("0.08")), Tier(D(90), None, D("0.12"))],
            "tiers[1] starts at 90 %, inside the one before (which ends at 100 %).",
        ),
        (
            [Tier(D(0), None, D("-0.01"))],
            "tiers[0]: the rate cannot be negative (-0.01).",
        ),
        (
            [Tier(D(0), D(100), D("0.08"))],
            "The last tier must have no end (attainment above 100 % would earn nothing).",
        ),
        (
            [Tier(D(0), None, D("0.08")), Tier(D(100), None, D("0.12"))],
            "tiers[1] follows a range with no end: only the last one may be open-ended.",
        ),
    ],
)
def test_bad_tier_tables_are_refused_with_the_reason(tiers, message):
    with pytest.raises(ValidationError) as err:
        tiers_check(tiers)
    assert message in err.value.message_dict["tiers"]


def test_bad_bands_and_goals_are_refused():
    with pytest.raises(ValidationError) as err:
        bands_check([Band(D(0), D(50), D("0.5")), Band(D(60), None, D("1.5"))])
    assert err.value.message_dict == {
        "bands": ["Gap between 50 % and 60 %: bands[1] must start where the one before ends."]
    }
    bands_check([])  # no bands: the tier rates as they are
    with pytest.raises(ValidationError, match="The goal must be above zero"):
        commission_marginal(credit=D("1"), goal=D("0"), tiers=KPIS_TIERS)
