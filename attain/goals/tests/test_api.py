"""Goals API: create, errors naming the field, revise, milestones, cascade, raise the bar,
history, list filters and query budgets."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.goals.models import Goal, Milestone
from attain.goals.tests.factories import make_goal

pytestmark = pytest.mark.django_db
API = "/api/v1/goals"
JSON = "application/json"


def fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/").status_code == 401


def test_create_team_goal_for_a_quarter(world, login_as):
    client = login_as(world.manager)
    r = client.post(
        f"{API}/",
        {
            "scope_kind": "team",
            "unit_id": world.team_a1.pk,
            "metric": "revenue",
            "period_kind": "quarter",
            "start": "2025-02-10",
            "target": "90000",
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["start"], body["end"], body["target"]) == ("2025-01-01", "2025-03-31", "90000.00")
    assert body["set_by_id"] == world.manager.pk
    assert body["revisions"] == [] and body["cascade"] is None
    assert "attainment_pct" in body["progress"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": "nope"}, "metric"),
        ({"target": "-3"}, "target"),
        ({"person_id": 999999}, "person_id"),
        ({"territory_id": 999999}, "territory_id"),
        ({"product_line_id": 999999}, "product_line_id"),
        ({"period_kind": "custom", "start": "2025-03-10", "end": "2025-03-01"}, "end"),
        ({"segment": "martians"}, "segment"),
        ({"start": "not a date"}, "start"),
        ({"scope_kind": "team"}, "person_id"),
    ],
)
def test_bad_payload_is_422_naming_the_field(world, login_as, change, field):
    client = login_as(world.admin)
    payload = {
        "scope_kind": "person",
        "person_id": world.rep.pk,
        "metric": "revenue",
        "period_kind": "month",
        "start": "2025-03-01",
        "target": "100",
        **change,
    }
    r = client.post(f"{API}/", payload, content_type=JSON)
    assert r.status_code == 422, r.content
    assert field in fields(r)
    assert Goal.objects.count() == 0


def test_overlap_is_422_and_nothing_saved(world, login_as):
    make_goal(world, person=world.rep)
    client = login_as(world.admin)
    r = client.post(
        f"{API}/",
        {
            "scope_kind": "person",
            "person_id": world.rep.pk,
            "metric": "revenue",
            "period_kind": "custom",
            "start": "2025-03-31",
            "end": "2025-04-30",
            "target": "100",
        },
        content_type=JSON,
    )
    assert r.status_code == 422
    assert fields(r) == {"start"}
    assert Goal.objects.count() == 1


def test_revise_then_detail_and_history(world, login_as):
    goal = make_goal(world, person=world.rep, target="10000")
    client = login_as(world.leader)
    r = client.post(
        f"{API}/{goal.pk}/revise",
        {
            "new_target": "8000",
            "reason_kind": "competition",
            "reason": "New entrant",
            "effective_from": "2025-03-15",
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert (r.json()["old_target"], r.json()["new_target"]) == ("10000.00", "8000.00")
    body = client.get(f"{API}/{goal.pk}?on=2025-03-10").json()
    assert body["target"] == "8000.00"
    assert body["progress"]["target"] == "10000.00"  # in force on March 10
    assert client.get(f"{API}/{goal.pk}?on=2025-03-20").json()["progress"]["target"] == "8000.00"
    assert [rev["reason_kind"] for rev in body["revisions"]] == ["competition"]
    history = client.get(f"{API}/{goal.pk}/history").json()
    assert [(h["history_type"], h["target"]) for h in history] == [
        ("+", "10000.00"),
        ("~", "8000.00"),
    ]
    r = client.post(
        f"{API}/{goal.pk}/revise",
        {"new_target": "9000", "reason_kind": "other", "reason": ""},
        content_type=JSON,
    )
    assert r.status_code == 422 and fields(r) == {"reason"}


def test_milestones_via_api(world, login_as):
    goal = make_goal(world, person=world.rep, target="10000")
    client = login_as(world.leader)
    r = client.post(
        f"{API}/{goal.pk}/milestones",
        {"due_on": "2025-03-15", "target": "5000", "label": "mid-month"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    r = client.post(
        f"{API}/{goal.pk}/milestones",
        {"due_on": "2025-04-15", "target": "9000"},
        content_type=JSON,
    )
    assert r.status_code == 422 and fields(r) == {"due_on"}
    rep = login_as(world.rep)
    r = rep.post(
        f"{API}/{goal.pk}/milestones", {"due_on": "2025-03-20", "target": "6000"}, content_type=JSON
    )
    assert r.status_code == 403
    assert Milestone.objects.count() == 1


def test_cascade_via_api_and_children_add_up(world, login_as):
    parent = make_goal(world, unit=world.team_a1, target="100000.00")
    client = login_as(world.leader)
    r = client.post(
        f"{API}/{parent.pk}/cascade",
        {"method": "even", "person_ids": [world.rep.pk, world.rep2.pk, world.leader.pk]},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert [c["target"] for c in r.json()] == ["33333.34", "33333.33", "33333.33"]
    body = client.get(f"{API}/{parent.pk}").json()
    assert body["cascade"] == {
        "children_total": "100000.00",
        "parent_target": "100000.00",
        "difference": "0.00",
        "adds_up": True,
    }
    r = client.post(
        f"{API}/{parent.pk}/cascade",
        {"method": "weights", "person_ids": [world.rep_a2.pk], "weights": {}},
        content_type=JSON,
    )
    assert r.status_code == 422


def test_list_filters(world, login_as):
    make_goal(world, person=world.rep)
    make_goal(world, person=world.rep, metric="units", target="50")
    make_goal(world, unit=world.team_a1, start=dt.date(2025, 4, 1))
    client = login_as(world.admin)

    def count(query: str) -> int:
        return client.get(f"{API}/?{query}").json()["count"]

    assert count("") == 3
    assert count("metric=units") == 1
    assert count("scope_kind=team") == 1
    assert count(f"person_id={world.rep.pk}") == 2
    assert count(f"unit_id={world.team_a1.pk}") == 1
    assert count("active_on=2025-04-10") == 1


def test_list_query_budget(world, login_as, django_assert_max_num_queries):
    for person in (world.rep, world.rep2, world.rep_a2, world.rep_b, world.leader):
        make_goal(world, person=person)
    client = login_as(world.manager)
    with django_assert_max_num_queries(9):
        r = client.get(f"{API}/?limit=50")
    assert r.json()["count"] == 4


def test_raise_the_bar_permissions(world, login_as):
    goal = make_goal(world, person=world.rep)
    rep = login_as(world.rep)
    r = rep.post(
        f"{API}/raise-the-bar", {"goal_ids": [goal.pk], "uplift_pct": "10"}, content_type=JSON
    )
    assert r.status_code == 403
    manager_b = login_as(world.manager_b)
    r = manager_b.post(
        f"{API}/raise-the-bar", {"goal_ids": [goal.pk], "uplift_pct": "10"}, content_type=JSON
    )
    assert r.status_code == 422 and fields(r) == {"goal_ids"}
    assert Goal.objects.count() == 1


def test_detail_query_budget(world, login_as, django_assert_max_num_queries):
    from attain.goals import services

    parent = make_goal(world, unit=world.team_a1, target="3000.00")
    services.goal_cascade(
        parent=parent,
        method="even",
        children=[world.rep, world.rep2, world.leader],
        set_by=world.admin,
    )
    client = login_as(world.admin)
    with django_assert_max_num_queries(15):  # measured 13
        r = client.get(f"{API}/{parent.pk}?on=2025-03-10")
    assert r.status_code == 200
    assert len(r.json()["children"]) == 3
