"""Goals reached: recorded once when the sales facts bring a goal's actual to its target in
force, with the day the running total got there, and `goal.reached` emitted after the commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from attain.analytics.services import rollups_rebuild
from attain.core import events
from attain.core.facts import facts_suspended
from attain.goals.models import GoalAchievement
from attain.goals.services import goal_revise, goals_check_reached, reachable_metrics
from attain.goals.tests.factories import make_goal
from attain.orders.services import BulkOrder, OrderLineInput, orders_create_bulk
from attain.orders.tests.factories import make_account, make_order, make_product
from attain.pipeline import services as pipeline
from attain.pipeline.tests.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """The events emitted (and committed), in order: (name, payload)."""
    heard: list[tuple[str, dict[str, Any]]] = []

    def listener(*, event: events.Event, payload: dict[str, Any]) -> None:
        heard.append((event.name, payload))

    monkeypatch.setattr(events, "_listeners", [listener])
    return heard


@pytest.fixture
def sell(world, django_capture_on_commit_callbacks):
    """`sell(amount, on, owner=rep)`: one order of one unit at `amount` (EUR), committed."""
    product = make_product(prices=[("EUR", "10.00", "4.00")])
    accounts: dict[int, Any] = {}

    def _sell(amount: str, on: dt.date, owner: Any = None) -> Any:
        owner = owner or world.rep
        if owner.pk not in accounts:
            accounts[owner.pk] = make_account(owner=owner, on=dt.date(2025, 3, 1))
        with django_capture_on_commit_callbacks(execute=True):
            return make_order(
                owner=owner,
                account=accounts[owner.pk],
                product=product,
                quantity="1",
                unit_price=amount,
                ordered_on=on,
            )

    return _sell


def test_reachable_metrics_are_the_summable_ones_where_more_is_better():
    assert reachable_metrics() == [
        "activities",
        "activity_minutes",
        "deals_created",
        "deals_won",
        "gross_margin",
        "new_customers",
        "revenue",
        "units",
        "won_value",
    ]


def test_a_goal_reached_by_an_order_is_recorded_and_emitted_once(world, sell, emitted):
    goal = make_goal(world, person=world.rep, target="100.00")  # revenue, March 2025

    sell("60.00", dt.date(2025, 3, 3))
    assert not GoalAchievement.objects.exists()
    assert emitted == []

    sell("50.00", dt.date(2025, 3, 10))  # 110.00 ≥ 100.00
    achievement = GoalAchievement.objects.get()
    assert (achievement.goal, achievement.reached_on, achievement.actual, achievement.target) == (
        goal,
        dt.date(2025, 3, 10),
        Decimal("110.00"),
        Decimal("100.00"),
    )
    assert emitted == [
        (
            "goal.reached",
            {
                "id": goal.pk,
                "external_id": "",
                "metric": "revenue",
                "scope_kind": "person",
                "person_id": world.rep.pk,
                "unit_id": None,
                "period_kind": "month",
                "start": "2025-03-01",
                "end": "2025-03-31",
                "target": "100.00",
                "actual": "110.00",
                "attainment_pct": "110.0",
                "reached_on": "2025-03-10",
                "reporting_currency": "EUR",
                "url": f"/goals/{goal.pk}/",
            },
        )
    ]

    sell("30.00", dt.date(2025, 3, 12))  # still above: no second achievement, no second event
    assert GoalAchievement.objects.count() == 1
    assert len(emitted) == 1


def test_reached_on_is_the_day_the_running_total_got_there(world, sell, emitted):
    """Orders entered out of date order: the later-dated one is where the total crossed."""
    make_goal(world, person=world.rep, target="100.00")
    sell("60.00", dt.date(2025, 3, 20))
    sell("50.00", dt.date(2025, 3, 5))  # the total crosses 100 on 20 March, not 5 March
    assert GoalAchievement.objects.get().reached_on == dt.date(2025, 3, 20)


def test_unit_and_company_goals_are_reached_through_the_stamped_path(world, sell, emitted):
    team = make_goal(world, unit=world.team_a1, scope_kind="team", target="100.00")
    company = make_goal(world, unit=world.company, scope_kind="company", target="100.00")
    other_team = make_goal(world, unit=world.team_a2, scope_kind="team", target="100.00")
    colleague = make_goal(world, person=world.rep2, target="100.00")

    sell("120.00", dt.date(2025, 3, 4))  # rep, team A1

    reached = dict(GoalAchievement.objects.values_list("goal_id", "actual"))
    assert reached == {team.pk: Decimal("120.00"), company.pk: Decimal("120.00")}
    assert other_team.pk not in reached and colleague.pk not in reached
    assert [(name, payload["id"]) for name, payload in emitted] == [
        ("goal.reached", team.pk),
        ("goal.reached", company.pk),
    ]


def test_the_target_in_force_decides(world, sell, emitted):
    goal = make_goal(world, person=world.rep, target="100.00")
    goal_revise(
        goal=goal,
        new_target=Decimal("200.00"),
        reason_kind="performance",
        reason="A strong month",
        revised_by=world.admin,
        effective_from=dt.date(2025, 3, 1),
    )
    sell("150.00", dt.date(2025, 3, 4))
    assert not GoalAchievement.objects.exists()
    sell("60.00", dt.date(2025, 3, 6))
    assert GoalAchievement.objects.get().target == Decimal("200.00")


def test_a_rolled_back_order_records_and_emits_nothing(
    world, emitted, django_capture_on_commit_callbacks
):
    make_goal(world, person=world.rep, target="100.00")
    account = make_account(owner=world.rep, on=dt.date(2025, 3, 1))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_order(owner=world.rep, account=account, unit_price="500.00")
        assert GoalAchievement.objects.count() == 1  # inside the write: recorded …
        raise RuntimeError("the write fails after the goal check")
    assert not GoalAchievement.objects.exists()  # … and gone with it
    assert emitted == []


def test_a_won_deal_reaches_a_deals_won_goal(world, emitted, django_capture_on_commit_callbacks):
    goal = make_goal(world, person=world.rep, metric="deals_won", target="1")
    deal = make_deal(owner=world.rep, created_on=dt.date(2025, 3, 2))
    assert not GoalAchievement.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.deal_close_won(deal=deal, closed_on=dt.date(2025, 3, 14))
    achievement = GoalAchievement.objects.get()
    assert (achievement.goal, achievement.reached_on, achievement.actual) == (
        goal,
        dt.date(2025, 3, 14),
        Decimal("1.00"),
    )
    assert [name for name, _payload in emitted] == ["deal.won", "goal.reached"]


def test_ratio_goals_and_goals_already_reached_are_no_candidates(world, sell, emitted):
    make_goal(world, person=world.rep, metric="repeat_customer_rate", target="10")
    sell("10.00", dt.date(2025, 3, 3))
    sell("10.00", dt.date(2025, 3, 4))
    assert not GoalAchievement.objects.exists()


def test_checking_costs_one_query_when_no_goal_is_a_candidate(world, sell):
    make_goal(world, person=world.rep2, target="100.00")
    days = [dt.date(2025, 3, 3)]
    with CaptureQueriesContext(connection) as ctx:
        assert goals_check_reached(person_ids=[world.rep.pk], days=days, unit_paths=[""]) == []
    assert len(ctx.captured_queries) == 1  # the candidate goals
    future = [dt.date.today() + dt.timedelta(days=30)]
    with CaptureQueriesContext(connection) as ctx:
        assert goals_check_reached(person_ids=[world.rep.pk], days=future) == []
    assert len(ctx.captured_queries) == 0  # facts dated after today cannot count yet


def test_without_stamped_paths_the_people_s_units_on_those_days_are_used(world, sell):
    make_goal(world, unit=world.team_a1, scope_kind="team", target="100.00")
    with facts_suspended():  # the order is in, but nobody checked the goals
        sell("150.00", dt.date(2025, 3, 4))
    rollups_rebuild()
    reached = goals_check_reached(person_ids=[world.rep.pk], days=[dt.date(2025, 3, 4)])
    assert [(a.goal.unit_id, a.actual) for a in reached] == [(world.team_a1.pk, Decimal("150.00"))]


def test_orders_loaded_in_bulk_reach_goals_too(world, emitted, django_capture_on_commit_callbacks):
    """An order import (`orders_create_bulk`) checks the goals of the people and units its
    orders are stamped with, once, after the rollups of the loaded days are rebuilt."""
    product = make_product(prices=[("EUR", "10.00", "4.00")])
    account = make_account(owner=world.rep, on=dt.date(2025, 1, 1))
    march = make_goal(world, person=world.rep, target="100.00")  # revenue, March 2025
    team_year = make_goal(
        world,
        unit=world.team_a1,
        scope_kind="team",
        period_kind="year",
        start=dt.date(2025, 1, 1),
        target="450.00",
    )
    missed = make_goal(world, person=world.rep, start=dt.date(2025, 4, 1), target="200.00")
    colleague = make_goal(world, person=world.rep2, target="10.00")

    def order(on: dt.date, quantity: str) -> BulkOrder:
        return BulkOrder(
            account_id=account.pk,
            owner_id=world.rep.pk,
            currency="EUR",
            ordered_on=on,
            lines=[OrderLineInput(product, Decimal(quantity))],
        )

    # 40 days with an order (more than one range condition per day): 2 units a day from
    # 1 March to 9 April = 40 × 20.00 = 800.00; March alone 31 × 20.00 = 620.00
    days = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(40)]
    with django_capture_on_commit_callbacks(execute=True):
        orders_create_bulk(orders=[order(day, "2") for day in days])

    reached = {a.goal_id: (a.reached_on, a.actual, a.target) for a in GoalAchievement.objects.all()}
    assert reached == {
        # 100.00 reached on the 5th March order (5 × 20.00); the month's actual is 620.00
        march.pk: (dt.date(2025, 3, 5), Decimal("620.00"), Decimal("100.00")),
        # 450.00 reached with the 23rd order (23 × 20.00 = 460.00, on 23 March)
        team_year.pk: (dt.date(2025, 3, 23), Decimal("800.00"), Decimal("450.00")),
    }
    assert missed.pk not in reached  # April: 9 × 20.00 = 180.00 < 200.00
    assert colleague.pk not in reached
    assert sorted(payload["id"] for name, payload in emitted if name == "goal.reached") == sorted(
        reached
    )
