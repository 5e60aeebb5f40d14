"""Recognition API: awards (give, errors naming the field, 403/404), the proposal, contests
(create, standings with a query budget, start, finish), the feed and cheers, motivation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attain.organization.tests.factories import make_person
from attain.recognition.models import Award, Cheer, Contest, MotivationProfile
from attain.recognition.services import PrizeInput, contest_finish, motivation_save
from attain.recognition.tests.factories import grant_manage, make_award, make_contest, sell

pytestmark = pytest.mark.django_db
API = "/api/v1/recognition"
JSON = "application/json"


def fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/awards").status_code == 401


def test_give_award(world, login_as):
    client = login_as(world.leader)
    r = client.post(
        f"{API}/awards",
        {"kind": "cash_bonus", "title": "Top seller", "value": "300", "person_id": world.rep.pk},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["kind"], body["value"], body["paid_via"], body["recipient"]) == (
        "cash_bonus",
        "300.00",
        "pay_adjustment",
        str(world.rep),
    )
    assert body["given_by_id"] == world.leader.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "-5"}, "value"),
        ({"value": "abc"}, "value"),
        ({"kind": "cash_bonus", "value": None}, "value"),
        ({"kind": "nope"}, "kind"),
        ({"person_id": 999999}, "person_id"),
        ({"person_id": None}, "person_id"),
        ({"person_id": "rep_a2"}, "person_id"),  # outside the leader's line
        ({"given_on": "not a date"}, "given_on"),
    ],
)
def test_bad_award_input_is_422_naming_the_field(world, login_as, change, field):
    if change.get("person_id") == "rep_a2":
        change["person_id"] = world.rep_a2.pk
    payload = {"kind": "travel", "title": "Trip", "person_id": world.rep.pk, **change}
    r = login_as(world.leader).post(f"{API}/awards", payload, content_type=JSON)
    assert r.status_code == 422, r.content
    assert fields(r) == {field}
    assert Award.objects.count() == 0


def test_rep_may_not_give_awards(world, login_as):
    r = login_as(world.rep).post(
        f"{API}/awards",
        {"kind": "travel", "title": "Trip", "person_id": world.rep2.pk},
        content_type=JSON,
    )
    assert r.status_code == 403
    assert Award.objects.count() == 0


def test_private_award_is_404_for_others(world, login_as):
    award = make_award(given_by=world.leader, person=world.rep, is_public=False)
    assert login_as(world.rep).get(f"{API}/awards/{award.pk}").status_code == 200
    assert login_as(world.rep2).get(f"{API}/awards/{award.pk}").status_code == 404
    listed = login_as(world.rep2).get(f"{API}/awards").json()
    assert listed["count"] == 0


def test_award_list_query_budget(world, login_as):
    client = login_as(world.manager)
    for n in range(2):
        make_award(given_by=world.leader, person=world.rep, title=f"A{n}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/awards").status_code == 200
    for n in range(8):
        make_award(given_by=world.manager, person=world.rep_a2, title=f"B{n}", is_public=n % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/awards").json()["count"] == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_proposal(world, login_as):
    motivation_save(
        person=world.rep, ranking=["travel", "cash_bonus"], note="", edited_by=world.rep
    )
    r = login_as(world.leader).get(f"{API}/awards/proposal?person_id={world.rep.pk}")
    assert r.json() == {
        "person_id": world.rep.pk,
        "kind": "travel",
        "top": ["travel", "cash_bonus"],
        "note": "",
    }
    assert (
        login_as(world.manager_b).get(f"{API}/awards/proposal?person_id={world.rep.pk}").status_code
        == 404
    )


# --- contests ----------------------------------------------------------------------------------


def _contest_payload(world, **change):
    return {
        "name": "March sprint",
        "kind": "individual",
        "metric": "revenue",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "unit_id": world.div_a.pk,
        "prizes": [{"rank": 1, "text": "Bonus", "award_kind": "cash_bonus", "value": "500"}],
        **change,
    }


def test_contest_create_start_standings_finish(march, login_as):
    w = march
    client = login_as(w.manager)
    r = client.post(f"{API}/contests", _contest_payload(w), content_type=JSON)
    assert r.status_code == 201, r.content
    contest_id = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert r.json()["prizes"] == [
        {"rank": 1, "text": "Bonus", "award_kind": "cash_bonus", "value": "500.00"}
    ]
    assert login_as(w.rep).get(f"{API}/contests/{contest_id}").status_code == 404  # a draft
    client = login_as(w.manager)
    assert client.post(f"{API}/contests/{contest_id}/start").json()["status"] == "running"
    standings = login_as(w.rep_b).get(f"{API}/contests/{contest_id}/standings").json()
    assert standings["final"] is False
    assert [(r["rank"], r["id"], r["value"], r["gap"]) for r in standings["rows"]] == [
        (1, w.rep.pk, "600.00", "0.00"),
        (2, w.rep2.pk, "450.00", "150.00"),
        (3, w.rep_a2.pk, "150.00", "450.00"),
        (4, w.leader.pk, "0.00", "600.00"),
    ]
    assert login_as(w.leader).post(f"{API}/contests/{contest_id}/finish").status_code == 403
    r = login_as(w.manager).post(f"{API}/contests/{contest_id}/finish")
    assert r.status_code == 200, r.content
    assert [(a["person_id"], a["kind"], a["value"]) for a in r.json()] == [
        (w.rep.pk, "cash_bonus", "500.00")
    ]
    final = client.get(f"{API}/contests/{contest_id}/standings").json()
    assert final["final"] is True and final["rows"][3]["value"] == "0.00"
    again = client.post(f"{API}/contests/{contest_id}/finish")
    assert again.status_code == 422 and fields(again) == {"status"}
    assert Award.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"end": "2026-02-01"}, "end"),
        ({"unit_id": None}, "unit_id"),
        ({"unit_id": 999999}, "unit_id"),
        ({"prizes": [{"rank": 1, "text": "x", "value": "-1"}]}, "prize_1_value"),
    ],
)
def test_bad_contest_input_is_422(world, login_as, change, field):
    r = login_as(world.manager).post(
        f"{API}/contests", _contest_payload(world, **change), content_type=JSON
    )
    assert r.status_code == 422, r.content
    assert fields(r) == {field}
    assert Contest.objects.count() == 0


def test_rep_may_not_create_contests(world, login_as):
    r = login_as(world.rep).post(f"{API}/contests", _contest_payload(world), content_type=JSON)
    assert r.status_code == 403


def test_standings_query_budget_does_not_grow_with_competitors(march, login_as):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    client = login_as(w.rep)
    url = f"{API}/contests/{contest.pk}/standings"
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["rows"]) == 4
    for n in range(6):
        sell(make_person(unit=w.team_a2, login=f"more{n}"), "5.00")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()["rows"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


# --- feed and cheers ---------------------------------------------------------------------------


def test_feed_and_cheer_once(march, login_as):
    w = march
    award = make_award(given_by=w.leader, person=w.rep, title="Star")
    contest = make_contest(
        created_by=w.manager, unit=w.div_a, prizes=[PrizeInput(rank=1, text="Cup")]
    )
    contest_finish(contest=contest, finished_by=w.manager)
    client = login_as(w.rep_b)
    feed = client.get(f"{API}/feed").json()
    assert [(i["kind"], i["id"]) for i in feed] == [("contest", contest.pk), ("award", award.pk)]
    assert feed[0]["recipient"] == str(w.rep)
    r = client.post(f"{API}/feed/awards/{award.pk}/cheer")
    assert r.status_code == 201 and r.json()["cheers"] == 1
    again = client.post(f"{API}/feed/awards/{award.pk}/cheer")
    assert again.status_code == 422
    assert client.post(f"{API}/feed/contests/{contest.pk}/cheer").json()["cheers"] == 1
    assert Cheer.objects.count() == 2
    assert [i["cheered"] for i in client.get(f"{API}/feed").json()] == [True, True]


def test_cheer_private_award_of_others_is_404(world, login_as):
    award = make_award(given_by=world.leader, person=world.rep, is_public=False)
    assert login_as(world.rep_b).post(f"{API}/feed/awards/{award.pk}/cheer").status_code == 404
    assert Cheer.objects.count() == 0


# --- motivation --------------------------------------------------------------------------------


def test_motivation_edit_and_visibility(world, login_as):
    client = login_as(world.rep)
    r = client.put(
        f"{API}/motivation/me",
        {"ranking": ["time_off", "travel"], "note": "More time"},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "person_id": world.rep.pk,
        "ranking": ["time_off", "travel"],
        "note": "More time",
    }
    bad = client.put(f"{API}/motivation/me", {"ranking": ["boat"]}, content_type=JSON)
    assert bad.status_code == 422 and fields(bad) == {"ranking"}
    assert MotivationProfile.objects.get().ranking == ["time_off", "travel"]
    url = f"{API}/motivation/{world.rep.pk}"
    assert login_as(world.leader).get(url).json()["ranking"] == ["time_off", "travel"]
    assert login_as(world.manager).get(url).status_code == 200
    assert login_as(world.rep2).get(url).status_code == 404
    assert login_as(world.manager_b).get(url).status_code == 404
    assert login_as(world.admin).get(url).status_code == 404
    grant_manage(world.admin)
    assert login_as(world.admin).get(url).status_code == 200
