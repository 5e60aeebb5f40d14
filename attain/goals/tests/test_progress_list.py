"""Progress of a page of goals in a bounded number of queries: the same figures as one
`goal_progress` call per goal, on hand-made orders with exact values."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from attain.catalog.models import ProductLine
from attain.goals import selectors
from attain.goals.models import Goal
from attain.goals.tests.factories import make_goal
from attain.orders.tests.factories import make_account, make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal
MARCH_1 = dt.date(2025, 3, 1)
ON = dt.date(2025, 3, 10)


@pytest.fixture
def goals(world):
    """Orders up to 10 March 2025 (and one after) and goals of every kind on them."""
    line_one = ProductLine.objects.create(code="L1", name="Line one")
    p1 = make_product(line=line_one)
    p2 = make_product()

    def sell(owner, amount: str, day: int, product=p2, quantity: str = "1", account=None):
        make_order(
            owner=owner,
            account=account,
            product=product,
            quantity=quantity,
            unit_price=amount,
            ordered_on=dt.date(2025, 3, day),
        )

    loyal = make_account(owner=world.rep)
    sell(world.rep, "2500.00", 3, p1, account=loyal)  # rep: 2,500.00 line one + 1,500.00
    sell(world.rep, "750.00", 8, quantity="2", account=loyal)  # 2 × 750.00 = 1,500.00
    sell(world.rep, "9999.00", 11)  # after the day looked at
    sell(world.rep2, "1000.01", 5, p1)  # rep2: 1,000.01 (line one)
    sell(world.rep_a2, "300.00", 4)  # Team A2
    sell(world.rep_b, "1234.56", 6)  # Division B
    made = {
        "rep": make_goal(world, person=world.rep, target="10000"),
        "rep2": make_goal(world, person=world.rep2, target="4000"),
        "rep_a2": make_goal(world, person=world.rep_a2, target="600"),
        "leader": make_goal(world, person=world.leader, target="100"),  # sold nothing
        "rep_units": make_goal(world, person=world.rep, metric="units", target="10"),
        "rep2_line": make_goal(world, person=world.rep2, product_line=line_one, target="2000"),
        "rep_line": make_goal(world, person=world.rep, product_line=line_one, target="5000"),
        "team_a1": make_goal(world, unit=world.team_a1, target="20000"),
        "team_a2": make_goal(world, unit=world.team_a2, target="1000"),
        "div_a": make_goal(world, unit=world.div_a, target="30000"),
        "div_b": make_goal(world, unit=world.div_b, target="2000"),
        "company": make_goal(world, unit=world.company, scope_kind="company", target="50000"),
        "team_b1_q": make_goal(
            world, unit=world.team_b1, period_kind="quarter", start=dt.date(2025, 1, 1)
        ),
        "rep_rate": make_goal(world, person=world.rep, metric="repeat_customer_rate", target="60"),
        "rep2_rate": make_goal(
            world, person=world.rep2, metric="repeat_customer_rate", target="60"
        ),
        "rep_april": make_goal(world, person=world.rep, start=dt.date(2025, 4, 1)),  # not begun
        "rep2_april": make_goal(world, person=world.rep2, start=dt.date(2025, 4, 1)),
    }
    return made


def _page(goals: dict[str, Goal]) -> list[Goal]:
    return list(
        Goal.objects.filter(pk__in=[g.pk for g in goals.values()])
        .with_related()
        .prefetch_related("revisions")
        .order_by("pk")
    )


EXPECTED_ACTUALS = {
    "rep": D("4000.00"),
    "rep2": D("1000.01"),
    "rep_a2": D("300.00"),
    "leader": D("0.00"),
    "rep_units": D("3.00"),
    "rep2_line": D("1000.01"),
    "rep_line": D("2500.00"),
    "team_a1": D("5000.01"),  # 4,000.00 + 1,000.01
    "team_a2": D("300.00"),
    "div_a": D("5300.01"),
    "div_b": D("1234.56"),
    "company": D("6534.57"),
    "team_b1_q": D("1234.56"),
    "rep_rate": D("100.00"),  # by 10 March rep has sold to one customer, twice
    "rep2_rate": D("0.00"),
    "rep_april": D("0.00"),
    "rep2_april": D("0.00"),
}


def test_page_progress_equals_one_call_per_goal_with_exact_values(goals):
    page = _page(goals)
    batched = selectors.goal_progress_list(goals=page, on=ON)
    one_by_one = [selectors.goal_progress(goal=g, on=ON, milestones=False) for g in page]
    assert [dataclasses.astuple(p) for p in batched] == [dataclasses.astuple(p) for p in one_by_one]
    names = {goal.pk: name for name, goal in goals.items()}
    assert {names[p.goal.pk]: p.actual for p in batched} == EXPECTED_ACTUALS
    rep = next(p for p in batched if p.goal.pk == goals["rep"].pk)
    assert (rep.attainment_pct, rep.pace) == (D("40.0"), D("12400.00"))


def test_page_progress_reads_once_per_group_not_once_per_goal(goals, monkeypatch):
    calls: list[str] = []
    for name in ("metric_value", "metric_breakdown"):
        real = getattr(selectors, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(selectors, name, counted)
    selectors.goal_progress_list(goals=_page(goals), on=ON)
    # one breakdown each: revenue of four sellers, line one of two sellers, revenue of five
    # units in March; one value each: units of rep and Team B1's quarter (alone in their
    # group), the two ratio goals (ratios do not add up); the goals not begun yet: nothing
    assert sorted(calls) == ["metric_breakdown"] * 3 + ["metric_value"] * 4
