"""Who sees, sets, revises and acknowledges goals — every world role, via the API and pages.

Goals: rep (person, team A1), team A1, rep_b (person, team B1), division B, the company.
"""

from __future__ import annotations

import datetime as dt

import pytest

from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision
from attain.goals.tests.factories import make_goal

pytestmark = pytest.mark.django_db
API = "/api/v1/goals"
JSON = "application/json"

ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep2",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]

ALL = {"g_rep", "g_team_a1", "g_rep_b", "g_div_b", "g_company"}
VISIBLE = {
    "admin": ALL,
    "manager": {"g_rep", "g_team_a1", "g_company"},
    "assistant": {"g_rep", "g_team_a1", "g_company"},
    "leader": {"g_rep", "g_team_a1", "g_company"},
    "rep": {"g_rep", "g_team_a1", "g_company"},
    "rep2": {"g_team_a1", "g_company"},
    "rep_a2": {"g_company"},
    "manager_b": {"g_rep_b", "g_div_b", "g_company"},
    "rep_b": {"g_rep_b", "g_div_b", "g_company"},
    "marketer": {"g_company"},
    "outsider": set(),
}
MAY_SET_FOR_REP = {"admin", "manager", "assistant", "leader"}


@pytest.fixture
def goals(world):
    return {
        "g_rep": make_goal(world, person=world.rep),
        "g_team_a1": make_goal(world, unit=world.team_a1),
        "g_rep_b": make_goal(world, person=world.rep_b),
        "g_div_b": make_goal(world, unit=world.div_b, scope_kind="division"),
        "g_company": make_goal(world, unit=world.company, scope_kind="company"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_via_api(world, goals, login_as, role):
    client = login_as(getattr(world, role))
    ids = {g["id"] for g in client.get(f"{API}/?limit=100").json()["items"]}
    names = {name for name, goal in goals.items() if goal.pk in ids}
    assert names == VISIBLE[role]
    for name, goal in goals.items():
        expected = 200 if name in VISIBLE[role] else 404
        assert client.get(f"{API}/{goal.pk}").status_code == expected, name
    assert client.get(f"{API}/999999").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_pages(world, goals, login_as, role):
    client = login_as(getattr(world, role))
    page = client.get("/goals/")
    assert page.status_code == 200
    shown = {name for name, goal in goals.items() if f'href="/goals/{goal.pk}/"' in page.text}
    assert shown == VISIBLE[role]
    for name, goal in goals.items():
        expected = 200 if name in VISIBLE[role] else 404
        assert client.get(f"/goals/{goal.pk}/").status_code == expected, name
    assert client.get("/goals/999999/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_create_person_goal_for_rep(world, login_as, role):
    client = login_as(getattr(world, role))
    payload = {
        "scope_kind": "person",
        "person_id": world.rep.pk,
        "metric": "revenue",
        "period_kind": "month",
        "start": "2025-05-01",
        "target": "5000",
    }
    r = client.post(f"{API}/", payload, content_type=JSON)
    expected = 201 if role in MAY_SET_FOR_REP else 403
    assert r.status_code == expected, r.content
    assert Goal.objects.filter(start=dt.date(2025, 5, 1)).count() == (1 if expected == 201 else 0)
    page = client.get("/goals/new/")
    assert page.status_code == (200 if role in {*MAY_SET_FOR_REP, "manager_b"} else 403)


@pytest.mark.parametrize("role", ROLES)
def test_revise_rep_goal(world, goals, login_as, role):
    client = login_as(getattr(world, role))
    goal = goals["g_rep"]
    payload = {"new_target": "12000", "reason_kind": "economy", "reason": "Market grew"}
    r = client.post(f"{API}/{goal.pk}/revise", payload, content_type=JSON)
    if role in MAY_SET_FOR_REP:
        expected = 201
    elif "g_rep" in VISIBLE[role]:
        expected = 403
    else:
        expected = 404
    assert r.status_code == expected, r.content
    assert GoalRevision.objects.count() == (1 if expected == 201 else 0)
    page = client.get(f"/goals/{goal.pk}/revise/")
    assert page.status_code == (200 if expected == 201 else expected)


@pytest.mark.parametrize("role", ROLES)
def test_acknowledge_rep_goal(world, goals, login_as, role):
    client = login_as(getattr(world, role))
    goal = goals["g_rep"]
    r = client.post(f"{API}/{goal.pk}/acknowledge", {"comment": "ok"}, content_type=JSON)
    if role == "rep":
        expected = 201
    elif "g_rep" in VISIBLE[role]:
        expected = 403
    else:
        expected = 404
    assert r.status_code == expected, r.content
    assert GoalAcknowledgement.objects.count() == (1 if expected == 201 else 0)
    page = client.get(f"/goals/{goal.pk}/acknowledge/")
    assert page.status_code == (200 if expected == 201 else expected)


def test_acknowledge_via_page(world, goals, login_as):
    client = login_as(world.rep2)
    goal = goals["g_team_a1"]
    assert client.get(f"/goals/{goal.pk}/acknowledge/").status_code == 200
    r = client.post(f"/goals/{goal.pk}/acknowledge/", {"comment": "Understood"})
    assert r.status_code == 302
    ack = GoalAcknowledgement.objects.get()
    assert (ack.person, ack.comment) == (world.rep2, "Understood")
    assert client.post(f"/goals/{goal.pk}/acknowledge/", {}).status_code == 400
    assert GoalAcknowledgement.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_milestone_and_cascade_pages_on_team_goal(world, goals, login_as, role):
    client = login_as(getattr(world, role))
    goal = goals["g_team_a1"]
    may = role in MAY_SET_FOR_REP
    expected = 200 if may else (403 if "g_team_a1" in VISIBLE[role] else 404)
    assert client.get(f"/goals/{goal.pk}/milestones/new/").status_code == expected
    assert client.get(f"/goals/{goal.pk}/cascade/").status_code == expected
    r = client.post(
        f"/api/v1/goals/{goal.pk}/cascade",
        {"method": "even", "person_ids": [world.rep2.pk, world.leader.pk]},  # rep has March
        content_type=JSON,
    )
    assert r.status_code == (201 if may else expected)
    assert Goal.objects.filter(parent=goal).count() == (2 if may else 0)
