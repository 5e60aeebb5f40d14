"""Recognition reads: live contest standings from hand-built orders (ranks, values and gaps
exact, a fixed query count), the feed's order, the award proposal from the motivation profile,
and who sees private awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attain.organization.tests.factories import make_person
from attain.recognition import selectors, services
from attain.recognition.models import Award
from attain.recognition.tests.factories import grant_manage, make_award, make_contest, sell

pytestmark = pytest.mark.django_db
D = Decimal


def rows(contest) -> list[tuple]:
    return [(s.rank, s.id, s.value, s.gap) for s in selectors.contest_standings(contest)]


def test_individual_standings_rank_value_and_gap_to_the_leader(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    assert rows(contest) == [
        (1, w.rep.pk, D("600.00"), D("0.00")),
        (2, w.rep2.pk, D("450.00"), D("150.00")),
        (3, w.rep_a2.pk, D("150.00"), D("450.00")),
        (4, w.leader.pk, D("0.00"), D("600.00")),
    ]
    names = [s.name for s in selectors.contest_standings(contest)]
    assert names[0] == str(w.rep)


def test_team_standings_add_up_the_records_stamped_inside_each_team(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a, kind="team")
    assert rows(contest) == [
        (1, w.team_a1.pk, D("1050.00"), D("0.00")),
        (2, w.team_a2.pk, D("150.00"), D("900.00")),
    ]
    company = make_contest(created_by=grant_manage(w.admin), unit=w.company, kind="team")
    assert [(r[1], r[2]) for r in rows(company)] == [
        (w.team_a1.pk, D("1050.00")),
        (w.team_b1.pk, D("1000.00")),
        (w.team_a2.pk, D("150.00")),
    ]


def test_ties_share_the_rank(world):
    sell(world.rep, "300.00")
    sell(world.rep2, "300.00")
    sell(world.leader, "100.00")
    contest = make_contest(created_by=world.leader, unit=world.team_a1)
    assert [(r[0], r[2], r[3]) for r in rows(contest)] == [
        (1, D("300.00"), D("0.00")),
        (1, D("300.00"), D("0.00")),
        (3, D("100.00"), D("200.00")),
    ]


def test_units_metric_ranks_by_quantity(world):
    from attain.orders.tests.factories import make_order, make_product

    product = make_product()
    make_order(owner=world.rep, product=product, quantity="7", ordered_on=dt.date(2026, 3, 5))
    make_order(owner=world.rep2, product=product, quantity="2", ordered_on=dt.date(2026, 3, 5))
    contest = make_contest(created_by=world.leader, unit=world.team_a1, metric="units")
    assert [(r[1], r[2], r[3]) for r in rows(contest)][:2] == [
        (world.rep.pk, D("7"), D("0")),
        (world.rep2.pk, D("2"), D("5")),
    ]


def test_standings_take_the_same_queries_whatever_the_number_of_competitors(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    with CaptureQueriesContext(connection) as few:
        selectors.contest_standings(contest)
    for n in range(5):
        newcomer = make_person(unit=w.team_a2, login=f"extra{n}")
        sell(newcomer, f"{10 + n}.00")
    with CaptureQueriesContext(connection) as many:
        standings = selectors.contest_standings(contest)
    assert len(standings) == 9
    assert len(many.captured_queries) == len(few.captured_queries) <= 4


def test_finished_contest_shows_the_recorded_standings_not_live_ones(march):
    w = march
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    services.contest_finish(contest=contest, finished_by=w.manager)
    sell(w.rep_a2, "9999.00")  # after finishing: does not change the result
    assert rows(contest)[0] == (1, w.rep.pk, D("600.00"), D("0.00"))


# --- feed --------------------------------------------------------------------------------------


def test_feed_shows_public_awards_and_finished_contests_newest_first(march):
    w = march
    old = make_award(given_by=w.leader, person=w.rep, title="Old", given_on=dt.date(2026, 1, 5))
    make_award(given_by=w.leader, person=w.rep2, title="Secret", is_public=False)
    new = make_award(given_by=w.manager, unit=w.team_a2, title="Team", given_on=dt.date(2026, 6, 1))
    contest = make_contest(created_by=w.manager, unit=w.div_a)
    services.contest_finish(contest=contest, finished_by=w.manager)  # finished today
    make_contest(created_by=w.manager, unit=w.div_a, name="Still running")
    services.cheer_add(person=w.rep_b, award=new)
    services.cheer_add(person=w.rep2, award=new)
    items = selectors.feed_list(user=w.rep_b.user)
    assert [(i.kind, (i.award or i.contest).pk) for i in items] == [
        ("contest", contest.pk),
        ("award", new.pk),
        ("award", old.pk),
    ]
    assert [(i.cheers, i.cheered) for i in items] == [(0, False), (2, True), (0, False)]
    assert [row.name for row in items[0].contest.podium] == [str(w.rep), str(w.rep2), str(w.rep_a2)]


def test_feed_takes_a_fixed_number_of_queries(world):
    for n in range(3):
        make_award(given_by=world.leader, person=world.rep, title=f"A{n}")
    user = world.rep2.user
    selectors.feed_list(user=user)  # warm the scope cache
    with CaptureQueriesContext(connection) as few:
        selectors.feed_list(user=user)
    for n in range(6):
        make_award(given_by=world.manager, person=world.rep_a2, title=f"B{n}")
    with CaptureQueriesContext(connection) as many:
        assert len(selectors.feed_list(user=user)) == 9
    assert len(many.captured_queries) == len(few.captured_queries) <= 4


# --- proposal ----------------------------------------------------------------------------------


def test_award_proposal_is_the_kind_ranked_highest(world):
    services.motivation_save(
        person=world.rep,
        ranking=["time_off", "travel", "public_recognition", "cash_bonus"],
        note="Family first",
        edited_by=world.rep,
    )
    proposal = selectors.award_proposal(world.rep)
    assert proposal.kind == "time_off"
    assert proposal.top == ("time_off", "travel", "public_recognition")
    assert proposal.top_labels == ["Time off", "Travel", "Public recognition"]
    assert proposal.note == "Family first"


def test_award_proposal_without_a_profile_proposes_nothing(world):
    proposal = selectors.award_proposal(world.rep)
    assert (proposal.kind, proposal.top, proposal.note) == (None, (), "")


# --- visibility --------------------------------------------------------------------------------


def test_private_award_is_seen_by_recipient_giver_and_management_line_only(world):
    award = make_award(given_by=world.leader, person=world.rep, is_public=False)
    seen = {
        login: Award.objects.visible_to(getattr(world, login).user).filter(pk=award.pk).exists()
        for login in (
            "rep",
            "leader",
            "manager",
            "assistant",
            "rep2",
            "rep_a2",
            "manager_b",
            "admin",
        )
    }
    assert seen == {
        "rep": True,
        "leader": True,
        "manager": True,
        "assistant": True,
        "rep2": False,
        "rep_a2": False,
        "manager_b": False,
        "admin": False,  # sales ops without recognition.manage_recognition
    }
    grant_manage(world.admin)
    assert Award.objects.visible_to(world.admin.user).filter(pk=award.pk).exists()


def test_private_team_award_is_seen_by_the_team(world):
    award = make_award(given_by=world.manager, unit=world.team_a1, is_public=False)
    assert Award.objects.visible_to(world.rep2.user).filter(pk=award.pk).exists()
    assert not Award.objects.visible_to(world.rep_a2.user).filter(pk=award.pk).exists()


def test_public_award_is_seen_by_everyone(world):
    award = make_award(given_by=world.leader, person=world.rep)
    assert Award.objects.visible_to(world.rep_b.user).filter(pk=award.pk).exists()
    assert Award.objects.visible_to(world.outsider.user).filter(pk=award.pk).exists()
