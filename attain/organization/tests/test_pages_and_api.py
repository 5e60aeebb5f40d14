"""People pages and API: who sees which people, who may change the organisation."""

from __future__ import annotations

import json

import pytest

from attain.organization.models import Employment, OrgUnit, Person

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]


def _visible_people(world, login: str) -> set[str]:
    expected = {
        "admin": set(world.people),
        "manager": {"manager", "assistant", "leader", "rep", "rep2", "rep_a2", "marketer"},
        "assistant": {"manager", "assistant", "leader", "rep", "rep2", "rep_a2", "marketer"},
        "leader": {"leader", "rep", "rep2"},
        "manager_b": {"manager_b", "rep_b"},
    }
    return expected.get(login, {login})


@pytest.mark.parametrize("login", ROLES)
def test_person_list_and_detail_visibility(world, login_as, login):
    client = login_as(world.people[login])
    expected_ids = {world.people[name].pk for name in _visible_people(world, login)}
    response = client.get("/api/v1/organization/people?limit=100")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["items"]} == expected_ids
    page = client.get("/organization/people/")
    assert page.status_code == 200
    for name, person in world.people.items():
        detail = client.get(f"/organization/people/{person.pk}/")
        api_detail = client.get(f"/api/v1/organization/people/{person.pk}")
        want = 200 if person.pk in expected_ids else 404
        assert (detail.status_code, api_detail.status_code) == (want, want), name
    assert client.get("/organization/people/999999/").status_code == 404
    assert client.get("/api/v1/organization/people/999999").status_code == 404


@pytest.mark.parametrize("login", ROLES)
def test_only_admin_changes_the_organisation(world, login_as, login):
    client = login_as(world.people[login])
    payload = {"first_name": "New", "last_name": "Hire", "email": f"new-{login}@example.com"}
    response = client.post(
        "/api/v1/organization/people", json.dumps(payload), content_type="application/json"
    )
    page = client.post(
        "/organization/people/new/",
        {**payload, "email": f"new-page-{login}@example.com", "started_on": "2024-01-01"},
    )
    unit_create = client.post(
        "/api/v1/organization/units",
        json.dumps({"name": "T", "kind": "team", "code": f"T-{login}", "parent_id": world.bu_a.pk}),
        content_type="application/json",
    )
    edit = client.put(
        f"/api/v1/organization/people/{world.people[login].pk}",
        json.dumps({"first_name": "X", "last_name": "Y", "email": world.people[login].email}),
        content_type="application/json",
    )
    if login == "admin":
        assert (
            response.status_code == 201
            and page.status_code == 302
            and unit_create.status_code == 201
        )
        assert edit.status_code == 200
    else:
        assert (
            response.status_code,
            page.status_code,
            unit_create.status_code,
            edit.status_code,
        ) == (403, 403, 403, 403)
        assert not Person.objects.filter(email__startswith="new-").exists()
        assert not OrgUnit.objects.filter(code=f"T-{login}").exists()


def test_people_are_never_deleted_through_the_api(world, login_as):
    client = login_as(world.admin)
    response = client.delete(f"/api/v1/organization/people/{world.rep.pk}")
    assert response.status_code == 405
    assert Person.objects.filter(pk=world.rep.pk).exists()


def test_leader_may_end_employment_in_their_team_only(world, login_as):
    client = login_as(world.leader)
    payload = {
        "ended_on": "2024-02-29",
        "reason": "Did not improve after training",
        "separation_type": "involuntary",
    }
    outside = client.post(
        f"/api/v1/organization/people/{world.rep_a2.pk}/end-employment",
        json.dumps(payload),
        content_type="application/json",
    )
    assert outside.status_code == 404
    own_team = client.post(
        f"/api/v1/organization/people/{world.rep.pk}/end-employment",
        json.dumps(payload),
        content_type="application/json",
    )
    assert own_team.status_code == 200
    assert own_team.json()["separation_type"] == "involuntary"
    assert Employment.objects.get(person=world.rep_a2).ended_on is None


def test_api_validation_names_the_field(world, login_as):
    client = login_as(world.admin)
    response = client.post(
        "/api/v1/organization/people",
        json.dumps({"first_name": "A", "last_name": "B", "email": world.rep.email}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "email"
    missing = client.post(
        "/api/v1/organization/people",
        json.dumps({"first_name": "A"}),
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert {d["field"] for d in missing.json()["detail"]} == {"last_name", "email"}


def test_form_errors_are_shown_not_500(world, login_as):
    client = login_as(world.admin)
    response = client.post(
        "/organization/people/new/",
        {"first_name": "A", "last_name": "B", "email": world.rep.email, "started_on": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize("url", ["/organization/", "/organization/territories/"])
def test_pages_render_for_everyone(world, login_as, url):
    for login in ROLES:
        assert login_as(world.people[login]).get(url).status_code == 200


def test_person_list_query_budget(world, login_as, django_assert_max_num_queries):
    client = login_as(world.admin)
    with django_assert_max_num_queries(12):
        assert client.get("/organization/people/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/organization/people").status_code == 200
