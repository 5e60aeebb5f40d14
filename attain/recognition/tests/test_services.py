"""Recognition services: giving awards (who may, what is required, nothing saved on refusal),
contests (validation, start, finish — exactly the prize awards, atomically), cheers once,
motivation profiles edited by their person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.core.periods import today
from attain.organization.models import ReportingLine
from attain.recognition import services
from attain.recognition.models import (
    Award,
    Cheer,
    Contest,
    ContestPrize,
    ContestStanding,
    MotivationProfile,
)
from attain.recognition.services import PrizeInput
from attain.recognition.tests.factories import (
    MARCH_1,
    MARCH_31,
    grant_manage,
    make_award,
    make_contest,
)

pytestmark = pytest.mark.django_db
D = Decimal

PRIZES = [
    PrizeInput(rank=1, text="Cash bonus", award_kind="cash_bonus", value="500"),
    PrizeInput(rank=2, text="Gift card", award_kind="gift_card", value="100"),
    PrizeInput(rank=3, text="Trophy"),
]


def field_of(exc: ValidationError) -> set[str]:
    return set(exc.message_dict)


# --- awards ------------------------------------------------------------------------------------


def test_leader_gives_a_cash_bonus_paid_through_pay_adjustments(world):
    award = make_award(
        given_by=world.leader, person=world.rep, kind="cash_bonus", title="Q1 star", value="250.5"
    )
    award.refresh_from_db()
    assert (award.kind, award.value, award.paid_via) == (
        "cash_bonus",
        D("250.50"),
        "pay_adjustment",
    )
    assert (award.person, award.given_by, award.is_public) == (world.rep, world.leader, True)


def test_a_public_award_is_announced_without_its_value_and_a_private_one_is_not(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from attain.core import events

    heard: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        events, "_listeners", [lambda *, event, payload: heard.append((event.name, payload))]
    )
    with django_capture_on_commit_callbacks(execute=True):
        award = make_award(
            given_by=world.leader, person=world.rep, kind="cash_bonus", title="Q1 star", value="250"
        )
        make_award(given_by=world.leader, person=world.rep2, title="Quiet thanks", is_public=False)

    assert heard == [
        (
            "award.given",
            {
                "id": award.pk,
                "external_id": "",
                "kind": "cash_bonus",
                "title": "Q1 star",
                "reason": "",
                "person": world.rep.pk,
                "unit": None,
                "given_by": world.leader.pk,
                "given_on": "2026-03-31",
                "contest": None,
                "contest_rank": None,
                "reporting_currency": "EUR",
                "url": f"/recognition/awards/{award.pk}/",
            },
        )
    ]


def test_other_kinds_are_not_paid_out(world):
    award = make_award(given_by=world.leader, person=world.rep, kind="time_off", value=None)
    assert (award.value, award.paid_via) == (None, "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": D("-1")}, "value"),
        ({"value": "lots"}, "value"),
        ({"kind": "cash_bonus", "value": None}, "value"),
        ({"kind": "gift_card", "value": None}, "value"),
        ({"kind": "yacht"}, "kind"),
        ({"title": "  "}, "title"),
        ({"given_on": dt.date.today() + dt.timedelta(days=3)}, "given_on"),
        ({"person": None}, "person"),
    ],
)
def test_bad_award_input_names_the_field_and_saves_nothing(world, change, field):
    data = {
        "kind": "valuable_prize",
        "title": "Prize",
        "given_by": world.leader,
        "person": world.rep,
        "value": D("10"),
    }
    data.update(change)
    with pytest.raises(ValidationError) as exc:
        services.award_give(**data)
    assert field_of(exc.value) == {field}
    assert Award.objects.count() == 0


@pytest.mark.parametrize("giver", ["leader", "rep", "manager_b", "admin"])
def test_award_to_someone_outside_the_line_is_a_field_error(world, giver):
    """rep_a2 is in Team A2: not led by the Team A1 leader, nor by Division B's manager; a rep
    has no line; sales ops need recognition.manage_recognition."""
    with pytest.raises(ValidationError) as exc:
        make_award(given_by=getattr(world, giver), person=world.rep_a2)
    assert field_of(exc.value) == {"person"}
    assert Award.objects.count() == 0


def test_nobody_gives_an_award_to_themselves(world):
    grant_manage(world.admin)
    for person in (world.manager, world.admin):
        with pytest.raises(ValidationError):
            make_award(given_by=person, person=person)
    assert Award.objects.count() == 0


def test_manager_gives_to_their_division_and_permission_holder_to_anyone(world):
    make_award(given_by=world.manager, person=world.rep_a2)
    make_award(given_by=world.manager, unit=world.team_a2)
    grant_manage(world.admin)
    make_award(given_by=world.admin, person=world.rep_b)
    with pytest.raises(ValidationError) as exc:
        make_award(given_by=world.leader, unit=world.team_a2)
    assert field_of(exc.value) == {"unit"}
    assert Award.objects.count() == 3


def test_reporting_line_counts_as_the_management_line(world):
    ReportingLine.objects.create(person=world.rep_b, manager=world.rep, valid_from=MARCH_1)
    award = make_award(given_by=world.rep, person=world.rep_b)
    assert award.given_by == world.rep


# --- contests ----------------------------------------------------------------------------------


def _contest(world, **change):
    data = {
        "name": "Spring",
        "kind": "individual",
        "metric": "revenue",
        "start": MARCH_1,
        "end": MARCH_31,
        "unit": world.div_a,
        "created_by": world.manager,
        "prizes": PRIZES,
    }
    data.update(change)
    return services.contest_create(**data)


def test_contest_is_created_as_a_draft_with_its_prizes(world):
    contest = _contest(world)
    assert contest.status == "draft"
    assert list(contest.prizes.values_list("rank", "text", "award_kind", "value")) == [
        (1, "Cash bonus", "cash_bonus", D("500.00")),
        (2, "Gift card", "gift_card", D("100.00")),
        (3, "Trophy", "", None),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"metric": "nope"}, "metric"),
        ({"metric": "returns"}, "metric"),  # less is better
        ({"metric": "csat"}, "metric"),  # not a sum
        ({"end": dt.date(2026, 2, 1)}, "end"),
        ({"start": None}, "start"),
        ({"unit": None}, "unit"),
        ({"kind": "solo"}, "kind"),
        ({"name": ""}, "name"),
        ({"unit": "div_b"}, "unit"),  # not led by the manager of Division A
        ({"prizes": [PrizeInput(rank=4, text="x")]}, "prizes"),
        ({"prizes": [PrizeInput(rank=1, text="x"), PrizeInput(rank=1, text="y")]}, "prizes"),
        ({"prizes": [PrizeInput(rank=1, text="")]}, "prize_1_text"),
        ({"prizes": [PrizeInput(rank=2, text="£", award_kind="cash_bonus")]}, "prize_2_value"),
        ({"prizes": [PrizeInput(rank=1, text="x", value="-5")]}, "prize_1_value"),
        ({"prizes": [PrizeInput(rank=3, text="x", award_kind="boat")]}, "prize_3_kind"),
    ],
)
def test_bad_contest_input_names_the_field_and_saves_nothing(world, change, field):
    if change.get("unit") == "div_b":
        change["unit"] = world.div_b
    with pytest.raises(ValidationError) as exc:
        _contest(world, **change)
    assert field_of(exc.value) == {field}
    assert (Contest.objects.count(), ContestPrize.objects.count()) == (0, 0)


def test_finishing_records_the_standings_and_creates_exactly_the_prize_awards(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a, prizes=PRIZES)
    awards = services.contest_finish(contest=contest, finished_by=w.manager)
    contest.refresh_from_db()
    assert (contest.status, contest.finished_on, contest.finished_by) == (
        "finished",
        today(),
        w.manager,
    )
    assert list(
        ContestStanding.objects.filter(contest=contest).values_list(
            "rank", "person", "value", "gap"
        )
    ) == [
        (1, w.rep.pk, D("600.00"), D("0.00")),
        (2, w.rep2.pk, D("450.00"), D("150.00")),
        (3, w.rep_a2.pk, D("150.00"), D("450.00")),
        (4, w.leader.pk, D("0.00"), D("600.00")),
    ]
    made = [
        (a.contest_rank, a.person, a.kind, a.title, a.value, a.paid_via, a.is_public)
        for a in Award.objects.filter(contest=contest).order_by("contest_rank")
    ]
    assert made == [
        (1, w.rep, "cash_bonus", "Cash bonus", D("500.00"), "pay_adjustment", True),
        (2, w.rep2, "gift_card", "Gift card", D("100.00"), "", True),
        (3, w.rep_a2, "public_recognition", "Trophy", None, "", True),
    ]
    assert [a.pk for a in awards] == [
        a.pk for a in Award.objects.filter(contest=contest).order_by("contest_rank")
    ]
    assert Award.objects.count() == 3


def test_team_contest_prizes_go_to_the_teams(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.bu_a, kind="team", prizes=PRIZES)
    services.contest_finish(contest=contest, finished_by=w.manager)
    assert list(
        Award.objects.order_by("contest_rank").values_list("contest_rank", "unit", "person")
    ) == [(1, w.team_a1.pk, None), (2, w.team_a2.pk, None)]


def test_nobody_wins_a_prize_with_zero(march):
    """April 2026 in Team A1: rep 5,000.00; rep2 and the leader sold nothing (tied second)."""
    w = march
    april = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 4, 30)}
    contest = make_contest(created_by=w.leader, unit=w.team_a1, prizes=PRIZES, **april)
    awards = services.contest_finish(contest=contest, finished_by=w.leader)
    assert [(a.contest_rank, a.person, a.value) for a in awards] == [(1, w.rep, D("500.00"))]
    assert list(ContestStanding.objects.values_list("rank", "value")) == [
        (1, D("5000.00")),
        (2, D("0.00")),
        (2, D("0.00")),
    ]


def test_finish_refused_before_the_end_or_unless_running_and_nothing_changes(march):
    w = march
    future = make_contest(
        created_by=w.manager, unit=w.div_a, end=today() + dt.timedelta(days=10), prizes=PRIZES
    )
    draft = make_contest(created_by=w.manager, unit=w.div_a, status="draft", prizes=PRIZES)
    for contest in (future, draft):
        with pytest.raises(ValidationError) as exc:
            services.contest_finish(contest=contest, finished_by=w.manager)
        assert field_of(exc.value) == {"status"}
    assert (Award.objects.count(), ContestStanding.objects.count()) == (0, 0)
    assert set(Contest.objects.values_list("status", flat=True)) == {"running", "draft"}


def test_only_those_who_lead_the_unit_manage_the_contest(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a, prizes=PRIZES)
    for person in (w.leader, w.rep, w.manager_b, w.admin):
        with pytest.raises(PermissionDenied):
            services.contest_finish(contest=contest, finished_by=person)
    assert Award.objects.count() == 0
    grant_manage(w.admin)
    assert len(services.contest_finish(contest=contest, finished_by=w.admin)) == 3


def test_finishing_is_all_or_nothing(march, monkeypatch):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a, prizes=PRIZES)
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = services._award_create
    monkeypatch.setattr(services, "_award_create", failing)
    with pytest.raises(RuntimeError):
        services.contest_finish(contest=contest, finished_by=w.manager)
    contest.refresh_from_db()
    assert contest.status == "running"
    assert (Award.objects.count(), ContestStanding.objects.count()) == (0, 0)


def test_start_only_a_draft(world):
    contest = make_contest(created_by=world.manager, unit=world.div_a, status="draft")
    services.contest_start(contest=contest, started_by=world.manager)
    with pytest.raises(ValidationError):
        services.contest_start(contest=contest, started_by=world.manager)
    assert Contest.objects.get().status == "running"


# --- cheers ------------------------------------------------------------------------------------


def test_cheer_once(world):
    award = make_award(given_by=world.leader, person=world.rep)
    services.cheer_add(person=world.rep_b, award=award)
    with pytest.raises(ValidationError) as exc:
        services.cheer_add(person=world.rep_b, award=award)
    assert field_of(exc.value) == {"item"}
    assert Cheer.objects.count() == 1


def test_cheer_only_public_awards_and_finished_contests(world):
    private = make_award(given_by=world.leader, person=world.rep, is_public=False)
    running = make_contest(created_by=world.manager, unit=world.div_a)
    with pytest.raises(ValidationError):
        services.cheer_add(person=world.rep, award=private)
    with pytest.raises(ValidationError):
        services.cheer_add(person=world.rep, contest=running)
    assert Cheer.objects.count() == 0


# --- motivation --------------------------------------------------------------------------------


def test_motivation_is_saved_and_replaced_by_its_person(world):
    services.motivation_save(person=world.rep, ranking=["travel"], edited_by=world.rep)
    services.motivation_save(
        person=world.rep, ranking=["gift_card", "travel"], note=" Trips ", edited_by=world.rep
    )
    profile = MotivationProfile.objects.get()
    assert (profile.ranking, profile.note) == (["gift_card", "travel"], "Trips")


@pytest.mark.parametrize("ranking", [["travel", "travel"], ["yacht"]])
def test_bad_motivation_ranking_is_refused(world, ranking):
    with pytest.raises(ValidationError) as exc:
        services.motivation_save(person=world.rep, ranking=ranking, edited_by=world.rep)
    assert field_of(exc.value) == {"ranking"}
    assert MotivationProfile.objects.count() == 0


def test_nobody_else_edits_a_motivation_profile(world):
    with pytest.raises(PermissionDenied):
        services.motivation_save(person=world.rep, ranking=["travel"], edited_by=world.leader)
    assert MotivationProfile.objects.count() == 0
