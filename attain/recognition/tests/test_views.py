"""Recognition pages: feed with cheers, award list/detail/give (with the recipient's
motivators and proposed kind), contests (list, create, detail with live standings, start,
finish), motivation profile; 403 for forbidden actions, 404 for hidden objects, 400 with field
errors and nothing saved for bad input; query budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attain.organization.tests.factories import make_person
from attain.recognition.models import Award, Cheer, Contest, ContestStanding, MotivationProfile
from attain.recognition.services import PrizeInput, contest_finish, motivation_save
from attain.recognition.tests.factories import grant_manage, make_award, make_contest, sell

pytestmark = pytest.mark.django_db


def test_nav_names_reverse_and_pages_render(world, login_as):
    client = login_as(world.rep)
    for url in ("/recognition/", "/recognition/awards/", "/recognition/contests/"):
        r = client.get(url)
        assert r.status_code == 200, url
    home = client.get("/recognition/").content.decode()
    assert "/recognition/contests/" in home and "/recognition/awards/" in home


def test_give_award_page(world, login_as):
    client = login_as(world.leader)
    r = client.post(
        "/recognition/awards/new/",
        {
            "person": world.rep.pk,
            "kind": "gift_card",
            "title": "Thanks",
            "value": "50",
            "given_on": "2026-03-31",
            "is_public": "on",
        },
    )
    assert r.status_code == 302, r.content
    award = Award.objects.get()
    assert r["Location"] == f"/recognition/awards/{award.pk}/"
    assert (award.person, award.value, award.is_public) == (world.rep, Decimal("50.00"), True)
    page = client.get(r["Location"]).content.decode()
    assert "Thanks" in page and str(world.rep) in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "-10"}, "value"),
        ({"kind": "cash_bonus", "value": ""}, "value"),
        ({"person": "rep_a2"}, "person"),  # outside the leader's line: not a choice
        ({"person": ""}, "person"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_award_form_shows_field_errors_and_saves_nothing(world, login_as, change, field):
    if change.get("person") == "rep_a2":
        change["person"] = world.rep_a2.pk
    data = {"person": world.rep.pk, "kind": "travel", "title": "Trip", **change}
    r = login_as(world.leader).post("/recognition/awards/new/", data)
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert Award.objects.count() == 0


def test_give_award_form_proposes_the_top_motivator(world, login_as):
    motivation_save(
        person=world.rep,
        ranking=["bigger_office", "travel", "time_off", "cash_bonus"],
        note="A window, please",
        edited_by=world.rep,
    )
    r = login_as(world.leader).get(f"/recognition/awards/new/?person={world.rep.pk}")
    assert r.status_code == 200
    assert r.context["form"].initial["kind"] == "bigger_office"
    page = r.content.decode()
    assert "Bigger office" in page and "A window, please" in page and "Cash bonus</li>" not in page
    assert 'hx-get="/recognition/awards/new/"' in page


def test_rep_may_not_open_the_give_award_page(world, login_as):
    assert login_as(world.rep).get("/recognition/awards/new/").status_code == 403


def test_private_award_is_404_for_others(world, login_as):
    award = make_award(given_by=world.leader, person=world.rep, is_public=False, title="Hush")
    url = f"/recognition/awards/{award.pk}/"
    assert login_as(world.manager).get(url).status_code == 200
    assert login_as(world.rep2).get(url).status_code == 404
    assert "Hush" not in login_as(world.rep2).get("/recognition/awards/").content.decode()


def test_award_list_query_budget(world, login_as):
    client = login_as(world.manager)
    make_award(given_by=world.leader, person=world.rep)
    with CaptureQueriesContext(connection) as few:
        client.get("/recognition/awards/")
    for n in range(10):
        make_award(given_by=world.manager, person=world.rep_a2, title=f"N{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/recognition/awards/")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- contests ----------------------------------------------------------------------------------


def _contest_form(world, **change):
    return {
        "name": "March sprint",
        "kind": "individual",
        "metric": "revenue",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "unit": world.div_a.pk,
        "prize_1_text": "Bonus",
        "prize_1_kind": "cash_bonus",
        "prize_1_value": "500",
        "prize_2_text": "Dinner",
        **change,
    }


def test_create_contest_page(world, login_as):
    r = login_as(world.manager).post("/recognition/contests/new/", _contest_form(world))
    assert r.status_code == 302, r.content
    contest = Contest.objects.get()
    assert r["Location"] == f"/recognition/contests/{contest.pk}/"
    assert list(contest.prizes.values_list("rank", "text")) == [(1, "Bonus"), (2, "Dinner")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"end": "2026-02-01"}, "end"),
        ({"prize_1_value": "-3"}, "prize_1_value"),
        ({"prize_2_kind": "gift_card"}, "prize_2_value"),
        ({"unit": "div_b"}, "unit"),
    ],
)
def test_bad_contest_form_shows_field_errors_and_saves_nothing(world, login_as, change, field):
    if change.get("unit") == "div_b":
        change["unit"] = world.div_b.pk
    r = login_as(world.manager).post("/recognition/contests/new/", _contest_form(world, **change))
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert Contest.objects.count() == 0


def test_rep_may_not_create_contests(world, login_as):
    client = login_as(world.rep)
    assert client.get("/recognition/contests/new/").status_code == 403
    assert client.post("/recognition/contests/new/", _contest_form(world)).status_code == 403


def test_contest_page_shows_live_standings_with_a_fixed_query_count(march, login_as):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    client = login_as(w.rep_b)
    url = f"/recognition/contests/{contest.pk}/"
    with CaptureQueriesContext(connection) as few:
        r = client.get(url)
    assert [(s.rank, s.id, s.value, s.gap) for s in r.context["standings"]] == [
        (1, w.rep.pk, Decimal("600.00"), Decimal("0.00")),
        (2, w.rep2.pk, Decimal("450.00"), Decimal("150.00")),
        (3, w.rep_a2.pk, Decimal("150.00"), Decimal("450.00")),
        (4, w.leader.pk, Decimal("0.00"), Decimal("600.00")),
    ]
    assert "600.00" in r.content.decode()
    for n in range(6):
        sell(make_person(unit=w.team_a1, login=f"page{n}"), "1.00")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["standings"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_draft_contest_is_404_for_people_outside_its_unit_leadership(world, login_as):
    contest = make_contest(created_by=world.manager, unit=world.div_a, status="draft")
    url = f"/recognition/contests/{contest.pk}/"
    assert login_as(world.manager).get(url).status_code == 200
    assert login_as(world.rep).get(url).status_code == 404


def test_start_and_finish_from_the_contest_page(march, login_as):
    w = march
    contest = make_contest(
        created_by=w.manager,
        unit=w.div_a,
        status="draft",
        prizes=[PrizeInput(rank=1, text="Cup"), PrizeInput(rank=2, text="Pen")],
    )
    assert login_as(w.rep).post(f"/recognition/contests/{contest.pk}/start/").status_code == 404
    assert login_as(w.leader).post(f"/recognition/contests/{contest.pk}/start/").status_code == 404
    client = login_as(w.manager)
    assert client.post(f"/recognition/contests/{contest.pk}/start/").status_code == 302
    assert login_as(w.leader).post(f"/recognition/contests/{contest.pk}/finish/").status_code == 403
    client = login_as(w.manager)
    assert client.get(f"/recognition/contests/{contest.pk}/finish/").status_code == 405
    assert client.post(f"/recognition/contests/{contest.pk}/finish/").status_code == 302
    assert list(Award.objects.order_by("contest_rank").values_list("person", "title")) == [
        (w.rep.pk, "Cup"),
        (w.rep2.pk, "Pen"),
    ]
    assert ContestStanding.objects.count() == 4
    page = client.get(f"/recognition/contests/{contest.pk}/").content.decode()
    assert "Final standings" in page and "Cup" in page


# --- feed --------------------------------------------------------------------------------------


def test_feed_page_and_cheer_once_with_htmx(march, login_as):
    w = march
    award = make_award(given_by=w.leader, person=w.rep, title="Closer of the month")
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    contest_finish(contest=contest, finished_by=w.manager)
    client = login_as(w.rep_b)
    page = client.get("/recognition/").content.decode()
    assert page.index(contest.name) < page.index("Closer of the month")
    url = f"/recognition/awards/{award.pk}/cheer/"
    r = client.post(url, HTTP_HX_REQUEST="true")
    assert (
        r.status_code == 200
        and "1 cheer" in r.content.decode()
        and "disabled" in r.content.decode()
    )
    r = client.post(url)
    assert r.status_code == 302
    assert Cheer.objects.count() == 1
    assert client.post(f"/recognition/contests/{contest.pk}/cheer/").status_code == 302
    assert Cheer.objects.count() == 2


def test_cheer_hidden_award_is_404(world, login_as):
    award = make_award(given_by=world.leader, person=world.rep, is_public=False)
    assert login_as(world.rep_b).post(f"/recognition/awards/{award.pk}/cheer/").status_code == 404
    assert Cheer.objects.count() == 0


def test_feed_page_query_budget(world, login_as):
    client = login_as(world.rep2)
    make_award(given_by=world.leader, person=world.rep)
    with CaptureQueriesContext(connection) as few:
        client.get("/recognition/")
    for n in range(8):
        make_award(given_by=world.manager, person=world.rep_a2, title=f"F{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/recognition/")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- motivation --------------------------------------------------------------------------------


def test_edit_my_motivation(world, login_as):
    client = login_as(world.rep)
    assert client.get("/recognition/motivation/").status_code == 200
    r = client.post(
        "/recognition/motivation/",
        {"rank_travel": "2", "rank_time_off": "1", "note": "Long weekends"},
    )
    assert r.status_code == 302, r.content
    profile = MotivationProfile.objects.get(person=world.rep)
    assert (profile.ranking, profile.note) == (["time_off", "travel"], "Long weekends")


def test_motivation_ranks_must_differ(world, login_as):
    r = login_as(world.rep).post(
        "/recognition/motivation/", {"rank_travel": "1", "rank_time_off": "1"}
    )
    assert r.status_code == 400
    assert "rank_travel" in r.context["form"].errors or "rank_time_off" in r.context["form"].errors
    assert MotivationProfile.objects.count() == 0


def test_motivation_profile_is_seen_by_the_person_and_their_line_only(world, login_as):
    motivation_save(person=world.rep, ranking=["travel"], edited_by=world.rep)
    url = f"/recognition/people/{world.rep.pk}/motivation/"
    for login, status in (
        ("rep", 200),
        ("leader", 200),
        ("manager", 200),
        ("rep2", 404),
        ("manager_b", 404),
        ("admin", 404),
    ):
        assert login_as(getattr(world, login)).get(url).status_code == status, login
    grant_manage(world.admin)
    assert "Travel" in login_as(world.admin).get(url).content.decode()
