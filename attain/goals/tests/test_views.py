"""Goal pages: create through the form, detail figures with formulas, cascade warning,
revise, milestone, cascade and raise-the-bar forms, My goals, query budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.goals.models import Goal, GoalRevision, Milestone
from attain.goals.tests.factories import make_goal
from attain.orders.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def test_create_goal_page(world, login_as):
    client = login_as(world.leader)
    r = client.post(
        "/goals/new/",
        {
            "scope_kind": "person",
            "person": world.rep.pk,
            "metric": "revenue",
            "period_kind": "month",
            "start": "2025-03-01",
            "target": "10000",
        },
    )
    assert r.status_code == 302, r.content
    goal = Goal.objects.get()
    assert r["Location"] == f"/goals/{goal.pk}/"
    assert (goal.person, goal.target, goal.set_by) == (world.rep, Decimal("10000.00"), world.leader)


def test_create_goal_page_shows_overlap_error_and_saves_nothing(world, login_as):
    make_goal(world, person=world.rep)
    client = login_as(world.admin)
    r = client.post(
        "/goals/new/",
        {
            "scope_kind": "person",
            "person": world.rep.pk,
            "metric": "revenue",
            "period_kind": "quarter",
            "start": "2025-01-01",
            "target": "1",
        },
    )
    assert r.status_code == 400
    assert "overlaps" in r.text
    assert Goal.objects.count() == 1


def test_detail_shows_progress_with_formulas(world, login_as):
    goal = make_goal(world, person=world.rep, target="10000")
    make_order(
        owner=world.rep,
        product=make_product(),
        quantity="1",
        unit_price="4000.00",
        ordered_on=dt.date(2025, 3, 5),
    )
    client = login_as(world.rep)
    r = client.get(f"/goals/{goal.pk}/?on=2025-03-10")
    assert r.status_code == 200
    text = r.text
    assert "40.0 %" in text
    assert "12,400.00" in text
    assert "actual so far ÷ elapsed share of the period" in text
    assert "<progress" in text and "style=" not in text
    assert f'href="/goals/{goal.pk}/acknowledge/"' in text
    assert "/revise/" not in text  # a seller cannot revise


def test_detail_warns_when_children_do_not_add_up(world, login_as):
    from attain.goals import services

    parent = make_goal(world, unit=world.team_a1, target="100.00")
    services.goal_cascade(
        parent=parent, method="even", children=[world.rep, world.rep2], set_by=world.admin
    )
    client = login_as(world.leader)
    assert "add up exactly" in client.get(f"/goals/{parent.pk}/").text
    services.goal_revise(
        goal=parent,
        new_target=Decimal("120"),
        reason_kind="other",
        reason="more",
        revised_by=world.admin,
        effective_from=dt.date(2025, 3, 1),
    )
    text = client.get(f"/goals/{parent.pk}/").text
    assert "Children do not add up to the parent" in text


def test_revise_and_milestone_pages(world, login_as):
    goal = make_goal(world, person=world.rep, target="10000")
    client = login_as(world.leader)
    r = client.post(
        f"/goals/{goal.pk}/revise/",
        {
            "new_target": "9000",
            "reason_kind": "competition",
            "reason": "Price war",
            "effective_from": "2025-03-10",
        },
    )
    assert r.status_code == 302
    assert GoalRevision.objects.get().new_target == Decimal("9000.00")
    text = client.get(f"/goals/{goal.pk}/").text
    assert "Price war" in text
    assert "10,000.00 → 9,000.00" in text
    r = client.post(
        f"/goals/{goal.pk}/revise/", {"new_target": "1", "reason_kind": "other", "reason": ""}
    )
    assert r.status_code == 400
    r = client.post(f"/goals/{goal.pk}/milestones/new/", {"due_on": "2025-03-15", "target": "4000"})
    assert r.status_code == 302
    r = client.post(f"/goals/{goal.pk}/milestones/new/", {"due_on": "2025-04-15", "target": "5000"})
    assert r.status_code == 400 and "within the goal" in r.text
    assert Milestone.objects.count() == 1


def test_cascade_page(world, login_as):
    parent = make_goal(world, unit=world.team_a1, target="100000.00")
    client = login_as(world.leader)
    assert client.get(f"/goals/{parent.pk}/cascade/").status_code == 200
    r = client.post(
        f"/goals/{parent.pk}/cascade/",
        {
            "method": "weights",
            "people": [world.rep.pk, world.rep2.pk],
            "weights": f"{world.rep.pk} = 3\n{world.rep2.pk} = 1",
        },
    )
    assert r.status_code == 302, r.content
    assert sorted(parent.children.values_list("target", flat=True)) == [
        Decimal("25000.00"),
        Decimal("75000.00"),
    ]


def test_raise_the_bar_page(world, login_as):
    goal = make_goal(world, person=world.rep, target="5000")
    make_order(
        owner=world.rep,
        product=make_product(),
        quantity="1",
        unit_price="4000.00",
        ordered_on=dt.date(2025, 3, 5),
    )
    client = login_as(world.manager)
    r = client.post(
        "/goals/raise-the-bar/", {"goals": [goal.pk], "uplift_pct": "10", "preview": "1"}
    )
    assert r.status_code == 200
    assert "4,400.00" in r.text
    assert Goal.objects.count() == 1
    r = client.post(
        "/goals/raise-the-bar/",
        {"goals": [goal.pk], "uplift_pct": "10", "save": "1", "chosen": [goal.pk]},
    )
    assert r.status_code == 302
    new = Goal.objects.exclude(pk=goal.pk).get()
    assert (new.start, new.target) == (dt.date(2025, 4, 1), Decimal("4400.00"))
    assert login_as(world.rep).get("/goals/raise-the-bar/").status_code == 403


def test_my_goals_page(world, login_as, monkeypatch):
    import attain.goals.views as views

    monkeypatch.setattr(views, "today", lambda: dt.date(2025, 3, 10))
    make_goal(world, person=world.rep, target="4000")
    make_goal(world, unit=world.team_a1, target="10000")
    make_goal(world, unit=world.team_a2, target="77777")
    client = login_as(world.rep)
    r = client.get("/goals/mine/?on=2025-03-10")
    assert r.status_code == 200
    assert "Team A1" in r.text and "77,777" not in r.text and "77777" not in r.text
    assert "40.0 %" in r.text  # own goal 4,000 is 40.0 % of the team's 10,000


def _twenty_goals(world) -> None:
    """16 person goals (new reps of Team A1) and 4 unit goals, all for March 2025."""
    from attain.organization.tests.factories import make_person

    for n in range(16):
        make_goal(world, person=make_person(unit=world.team_a1, first_name=f"Rep{n}"))
    for unit in (world.team_a1, world.team_a2, world.team_b1, world.div_a):
        make_goal(world, unit=unit, scope_kind=unit.kind)


LIST_PAGE_BUDGET = 14  # measured 9 (1 goal) and 12 (20 goals in two groups), + 2


@pytest.mark.parametrize("goals", [1, 20])
def test_list_page_query_budget_is_the_same_for_1_and_20_goals(
    world, login_as, django_assert_max_num_queries, goals
):
    product = make_product()
    for owner in (world.rep, world.rep_b):
        make_order(owner=owner, product=product, ordered_on=dt.date(2025, 3, 5))
    if goals == 1:
        make_goal(world, person=world.rep)
    else:
        _twenty_goals(world)
    client = login_as(world.admin)
    with django_assert_max_num_queries(LIST_PAGE_BUDGET):  # no query per goal
        r = client.get("/goals/")
    assert r.status_code == 200
    assert r.text.count("<progress") == goals


def test_detail_page_query_budget_with_cascaded_children(
    world, login_as, django_assert_max_num_queries
):
    from attain.goals import services

    make_order(owner=world.rep, product=make_product(), ordered_on=dt.date(2025, 3, 5))
    parent = make_goal(world, unit=world.team_a1, target="3000.00")
    services.goal_cascade(
        parent=parent,
        method="even",
        children=[world.rep, world.rep2, world.leader],
        set_by=world.admin,
    )
    client = login_as(world.admin)
    with django_assert_max_num_queries(19):  # measured 17
        r = client.get(f"/goals/{parent.pk}/")
    assert r.status_code == 200
    assert r.text.count("<progress") == 4


def test_my_goals_page_query_budget(world, login_as, django_assert_max_num_queries):
    make_goal(world, person=world.rep, target="4000")
    make_goal(world, unit=world.team_a1, target="10000")
    make_goal(world, unit=world.company, scope_kind="company", target="100000")
    client = login_as(world.rep)
    with django_assert_max_num_queries(25):
        r = client.get("/goals/mine/?on=2025-03-10")
    assert r.status_code == 200
    assert r.text.count("<progress") == 3
