"""Goal progress on hand-made orders: attainment, elapsed share, pace, projection, milestones;
the target in force on a date; last-year cascade and seasonality; raise the bar; a person's
goals and budget share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.goals import selectors, services
from attain.goals.models import Goal
from attain.goals.tests.factories import make_goal
from attain.orders.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def product(db):
    return make_product()


def sell(owner, amount: str, on: dt.date, product) -> None:
    make_order(owner=owner, product=product, quantity="1", unit_price=amount, ordered_on=on)


def test_attainment_pace_projection_on_march_10(world, product):
    goal = make_goal(world, person=world.rep, target="10000")
    sell(world.rep, "2500.00", dt.date(2025, 3, 3), product)
    sell(world.rep, "1500.00", dt.date(2025, 3, 10), product)
    sell(world.rep, "9999.00", dt.date(2025, 3, 11), product)  # after the day looked at
    sell(world.rep2, "777.00", dt.date(2025, 3, 5), product)  # someone else
    sell(world.rep, "555.00", dt.date(2025, 2, 28), product)  # before the period

    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 10))

    assert progress.actual == D("4000.00")
    assert progress.target == D("10000.00")
    assert progress.attainment_pct == D("40.0")
    assert (progress.elapsed_days, progress.period_days) == (10, 31)
    assert progress.elapsed_share == D("0.3226")
    assert progress.pace == D("12400.00")  # 4,000 ÷ (10/31)
    assert progress.projected == D("12400.00")
    assert progress.on_track is True
    assert progress.remaining == D("6000.00")


def test_progress_after_the_period_uses_the_whole_period(world, product):
    goal = make_goal(world, person=world.rep, target="10000")
    sell(world.rep, "4000.00", dt.date(2025, 3, 3), product)
    sell(world.rep, "1000.00", dt.date(2025, 3, 31), product)
    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 5, 1))
    assert (progress.as_of, progress.actual, progress.attainment_pct) == (
        dt.date(2025, 3, 31),
        D("5000.00"),
        D("50.0"),
    )
    assert (progress.pace, progress.on_track, progress.remaining) == (
        D("5000.00"),
        False,
        D("5000.00"),
    )


def test_team_goal_counts_the_whole_team(world, product):
    goal = make_goal(world, unit=world.team_a1, target="20000")
    sell(world.rep, "3000.00", dt.date(2025, 3, 2), product)
    sell(world.rep2, "2000.00", dt.date(2025, 3, 4), product)
    sell(world.rep_a2, "5000.00", dt.date(2025, 3, 4), product)  # team A2
    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 31))
    assert (progress.actual, progress.attainment_pct, progress.on_track) == (
        D("5000.00"),
        D("25.0"),
        False,
    )


def test_target_in_force_on_a_date_from_revisions(world, product):
    goal = make_goal(world, person=world.rep, target="10000")
    services.goal_revise(
        goal=goal,
        new_target=D("8000"),
        reason_kind="economy",
        reason="Recession",
        revised_by=world.leader,
        effective_from=dt.date(2025, 3, 15),
    )
    services.goal_revise(
        goal=goal,
        new_target=D("9000"),
        reason_kind="performance",
        reason="Strong start",
        revised_by=world.manager,
        effective_from=dt.date(2025, 3, 25),
    )
    goal = Goal.objects.get(pk=goal.pk)
    assert selectors.goal_target_on(goal=goal, on=dt.date(2025, 3, 1)) == D("10000.00")
    assert selectors.goal_target_on(goal=goal, on=dt.date(2025, 3, 14)) == D("10000.00")
    assert selectors.goal_target_on(goal=goal, on=dt.date(2025, 3, 15)) == D("8000.00")
    assert selectors.goal_target_on(goal=goal, on=dt.date(2025, 3, 31)) == D("9000.00")
    sell(world.rep, "4000.00", dt.date(2025, 3, 5), product)
    early = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 10))
    assert (early.target, early.attainment_pct) == (D("10000.00"), D("40.0"))
    late = selectors.goal_progress(goal=goal, on=dt.date(2025, 4, 30))
    assert (late.target, late.attainment_pct) == (D("9000.00"), D("44.4"))


def test_milestones_hit_missed_upcoming(world, product):
    goal = make_goal(world, person=world.rep, target="10000")
    services.milestone_add(goal=goal, due_on=dt.date(2025, 3, 5), target=D("2000"))
    services.milestone_add(goal=goal, due_on=dt.date(2025, 3, 10), target=D("5000"))
    services.milestone_add(goal=goal, due_on=dt.date(2025, 3, 20), target=D("7000"))
    sell(world.rep, "2500.00", dt.date(2025, 3, 3), product)
    sell(world.rep, "1500.00", dt.date(2025, 3, 10), product)
    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 12))
    assert [(m.status, m.actual) for m in progress.milestones] == [
        ("hit", D("2500.00")),
        ("missed", D("4000.00")),
        ("upcoming", None),
    ]


def test_metric_without_data_shows_no_data(world):
    goal = make_goal(world, person=world.rep, metric="csat", target="90")
    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 10))
    assert (progress.has_data, progress.actual, progress.attainment_pct, progress.on_track) == (
        False,
        None,
        None,
        None,
    )


def test_cascade_by_last_year_share(world, product):
    sell(world.rep, "3000.00", dt.date(2024, 3, 3), product)
    sell(world.rep2, "1000.00", dt.date(2024, 3, 20), product)
    sell(world.rep2, "5000.00", dt.date(2024, 4, 1), product)  # outside last year's March
    parent = make_goal(world, unit=world.team_a1, target="100000.00")
    children = services.goal_cascade(
        parent=parent,
        method="last_year",
        children=[world.rep, world.rep2, world.leader],
        set_by=world.admin,
    )
    assert [c.target for c in children] == [D("75000.00"), D("25000.00"), D("0.00")]


def test_cascade_last_year_all_zero_splits_evenly(world):
    parent = make_goal(world, unit=world.team_a1, target="100.00")
    children = services.goal_cascade(
        parent=parent, method="last_year", children=[world.rep, world.rep2], set_by=world.admin
    )
    assert [c.target for c in children] == [D("50.00"), D("50.00")]


def test_cascade_with_seasonality_makes_monthly_milestones(world, product):
    sell(world.rep, "1000.00", dt.date(2024, 1, 10), product)
    sell(world.rep, "3000.00", dt.date(2024, 3, 10), product)
    parent = make_goal(
        world, unit=world.team_a1, period_kind="quarter", start=dt.date(2025, 1, 1), target="100000"
    )
    rep_goal, rep2_goal = services.goal_cascade(
        parent=parent,
        method="even",
        children=[world.rep, world.rep2],
        seasonality=True,
        set_by=world.admin,
    )
    assert [(m.due_on, m.target) for m in rep_goal.milestones.all()] == [
        (dt.date(2025, 1, 31), D("12500.00")),
        (dt.date(2025, 2, 28), D("12500.00")),
        (dt.date(2025, 3, 31), D("50000.00")),
    ]
    # no sales last year: an even monthly shape
    assert [m.target for m in rep2_goal.milestones.all()] == [
        D("16666.67"),
        D("33333.34"),
        D("50000.00"),
    ]


def test_raise_the_bar_proposes_next_period_and_saves_chosen(world, product):
    march = make_goal(world, person=world.rep, target="5000")
    team = make_goal(world, unit=world.team_a1, target="9000")
    sell(world.rep, "4000.00", dt.date(2025, 3, 3), product)
    sell(world.rep2, "2000.00", dt.date(2025, 3, 30), product)
    proposals = services.goal_raise_the_bar(
        goal_ids=[march.pk, team.pk], uplift_pct=D("10"), set_by=world.leader
    )
    assert [(p.source, p.actual, p.goal.start, p.goal.end, p.goal.target) for p in proposals] == [
        (march, D("4000.00"), dt.date(2025, 4, 1), dt.date(2025, 4, 30), D("4400.00")),
        (team, D("6000.00"), dt.date(2025, 4, 1), dt.date(2025, 4, 30), D("6600.00")),
    ]
    assert Goal.objects.count() == 2  # nothing saved yet
    saved = services.goal_create_many(proposals=[proposals[0].goal], set_by=world.leader)
    assert (saved[0].person, saved[0].target, saved[0].start) == (
        world.rep,
        D("4400.00"),
        dt.date(2025, 4, 1),
    )


def test_goals_for_person_and_budget_share(world, product):
    own = make_goal(world, person=world.rep, target="4000")
    year = make_goal(world, person=world.rep, period_kind="year", metric="units", target="100")
    team = make_goal(world, unit=world.team_a1, target="10000")
    company = make_goal(world, unit=world.company, scope_kind="company", target="1000000")
    make_goal(world, unit=world.team_a2, target="10000")  # not rep's team
    make_goal(world, person=world.rep2, target="6000")
    goals = list(selectors.goals_for_person(person=world.rep, on=dt.date(2025, 3, 10)))
    assert set(goals) == {own, year, team, company}
    sell(world.rep, "3000.00", dt.date(2025, 3, 3), product)
    sell(world.rep2, "1000.00", dt.date(2025, 3, 4), product)
    share = selectors.budget_share(goal=team, person=world.rep, on=dt.date(2025, 3, 10))
    assert (share.own_goal, share.own_share_pct) == (own, D("40.0"))
    assert (share.progress.actual, share.own_actual, share.contribution_pct) == (
        D("4000.00"),
        D("3000.00"),
        D("75.0"),
    )


def test_ratio_metric_projection_is_the_value_so_far(world, product):
    from attain.orders.tests.factories import make_account

    goal = make_goal(world, person=world.rep, metric="repeat_customer_rate", target="60")
    loyal = make_account(owner=world.rep)
    once = make_account(owner=world.rep)
    for day in (3, 8):
        make_order(
            owner=world.rep, account=loyal, product=product, ordered_on=dt.date(2025, 3, day)
        )
    make_order(owner=world.rep, account=once, product=product, ordered_on=dt.date(2025, 3, 4))
    progress = selectors.goal_progress(goal=goal, on=dt.date(2025, 3, 10))
    assert progress.actual == D("50.00")  # 1 repeat customer ÷ 2 customers × 100
    assert progress.attainment_pct == D("83.3")
    assert (progress.pace, progress.projected, progress.on_track) == (None, D("50.00"), False)
