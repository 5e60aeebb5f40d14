"""Leaderboards of sellers and teams by attainment of the goal to date, on hand-made orders and
goals; the API endpoint with its visibility (404 like a missing id), errors and query budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.analytics.selectors import Scope
from attain.goals import selectors
from attain.goals.tests.factories import make_goal
from attain.orders.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/goals/leaderboard"
MARCH_1, MARCH_31 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def march(world):
    """Orders in March 2026 — Team A1: rep 840.00 + rep2 100.00 = 940.00; Team A2: rep_a2
    300.00; Team B1: rep_b 1,500.00. Goals — Team A1: Q1 9,000.00 (90 days, so 3,100.00 for
    March's 31); Team A2: March 500.00; Team B1: none. rep: March 1,000.00; rep2: 500.00."""
    product = make_product()
    for owner, amount, day in (
        (world.rep, "840.00", 10),
        (world.rep2, "100.00", 20),
        (world.rep_a2, "300.00", 5),
        (world.rep_b, "1500.00", 12),
    ):
        make_order(
            owner=owner,
            product=product,
            quantity="1",
            unit_price=amount,
            ordered_on=dt.date(2026, 3, day),
        )
    make_goal(
        world,
        unit=world.team_a1,
        period_kind="quarter",
        start=dt.date(2026, 1, 1),
        target="9000.00",
    )
    make_goal(world, unit=world.team_a2, start=MARCH_1, target="500.00")
    make_goal(world, person=world.rep, start=MARCH_1, target="1000.00")
    make_goal(world, person=world.rep2, start=MARCH_1, target="500.00")
    return world


def board(scope: Scope, level: str, on: dt.date = MARCH_31) -> list[tuple]:
    rows = selectors.leaderboard_list(scope=scope, start=MARCH_1, end=MARCH_31, on=on, level=level)
    return [(r.rank, r.name, r.value, r.target, r.attainment) for r in rows]


def test_teams_ranked_by_attainment_not_value_and_teams_without_goal_follow(march):
    # A2: 300 ÷ 500 = 60.0 %; A1: 940 ÷ (9,000 × 31/90 = 3,100) = 30.3 %; B1: no goal, 1,500
    assert board(Scope(), "team") == [
        (1, "Team A2", D("300.00"), D("500.00"), D("60.0")),
        (2, "Team A1", D("940.00"), D("3100.00"), D("30.3")),
        (3, "Team B1", D("1500.00"), None, None),
    ]


def test_team_board_of_a_unit_holds_only_its_teams(march):
    assert [row[1] for row in board(Scope(unit_path=march.div_a.path), "team")] == [
        "Team A2",
        "Team A1",
    ]


def test_goal_to_date_stops_on_the_day(march):
    # on 10 March: A2's goal to date = 500 × 10/31 = 161.29; A1's = 9,000 × 10/90 = 1,000.00
    assert board(Scope(unit_path=march.bu_a.path), "team", on=dt.date(2026, 3, 10)) == [
        (1, "Team A2", D("300.00"), D("161.29"), D("186.0")),
        (2, "Team A1", D("940.00"), D("1000.00"), D("94.0")),
    ]


def test_a_team_without_goal_is_ranked_by_value_after_those_with_one(march, world):
    make_goal(world, unit=world.team_b1, start=MARCH_1, target="100000.00")
    rows = board(Scope(), "team")
    # B1 now has a goal: 1,500 ÷ 100,000 = 1.5 %, ranked by attainment last
    assert [(r[1], r[4]) for r in rows] == [
        ("Team A2", D("60.0")),
        ("Team A1", D("30.3")),
        ("Team B1", D("1.5")),
    ]


def test_seller_board_of_a_team(march, world):
    assert board(Scope(unit_path=world.team_a1.path), "seller") == [
        (1, str(world.rep), D("840.00"), D("1000.00"), D("84.0")),
        (2, str(world.rep2), D("100.00"), D("500.00"), D("20.0")),
        (3, str(world.leader), D(0), None, None),
    ]


def test_a_seller_has_no_team_board(march, world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        board(Scope(person_id=world.rep.pk), "team")
    assert "level" in exc.value.error_dict


# --- API -----------------------------------------------------------------------------------


def test_api_team_board_for_admin(march, login_as, django_assert_max_num_queries):
    client = login_as(march.admin)
    with django_assert_max_num_queries(11):  # measured 9 (the goals to date not cached yet)
        r = client.get(f"{API}?level=team&kind=company&{MARCH}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["level"], body["kind"], body["pk"], body["metric"]) == (
        "team",
        "company",
        None,
        "revenue",
    )
    assert [
        (row["rank"], row["id"], row["name"], row["value"], row["target"], row["attainment"])
        for row in body["rows"]
    ] == [
        (1, march.team_a2.pk, "Team A2", "300.00", "500.00", "60.0"),
        (2, march.team_a1.pk, "Team A1", "940.00", "3100.00", "30.3"),
        (3, march.team_b1.pk, "Team B1", "1500.00", None, None),
    ]


def test_api_seller_board_of_a_unit_for_its_leader(march, login_as, django_assert_max_num_queries):
    client = login_as(march.leader)
    with django_assert_max_num_queries(11):  # measured 9
        r = client.get(f"{API}?level=seller&kind=unit&pk={march.team_a1.pk}&{MARCH}")
    assert r.status_code == 200, r.content
    assert [(row["id"], row["value"], row["attainment"]) for row in r.json()["rows"]] == [
        (march.rep.pk, "840.00", "84.0"),
        (march.rep2.pk, "100.00", "20.0"),
        (march.leader.pk, "0", None),
    ]


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("admin", "kind=company", 200),
        ("manager", "kind=company", 404),
        ("rep", "kind=company", 404),
        ("manager", "kind=unit&pk={div_a}", 200),
        ("manager", "kind=unit&pk={div_b}", 404),  # another division: like a missing one
        ("manager_b", "kind=unit&pk={team_a1}", 404),
        ("leader", "kind=unit&pk={team_a1}", 200),
        ("leader", "kind=unit&pk={team_a2}", 404),
        ("leader", "kind=unit&pk={div_a}", 404),
        ("leader", "kind=seller&pk={rep}", 200),
        ("leader", "kind=seller&pk={rep_b}", 404),
        ("rep", "kind=seller&pk={rep}", 200),
        ("rep", "kind=seller&pk={rep2}", 404),
        ("rep", "kind=unit&pk={team_a1}", 404),
        ("admin", "kind=unit&pk=999999", 404),
        ("admin", "kind=seller&pk=999999", 404),
    ],
)
def test_api_visibility(march, login_as, who, query, status):
    ids = {
        name: getattr(march, name).pk
        for name in ("div_a", "div_b", "team_a1", "team_a2", "rep", "rep2", "rep_b")
    }
    r = login_as(march.people[who]).get(f"{API}?{query.format(**ids)}&{MARCH}")
    assert r.status_code == status, r.content
    if status == 404:
        assert r.json() == {"detail": [{"field": "", "message": "Not found."}]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=planet", "kind"),
        ("kind=unit", "pk"),
        ("kind=company&level=division", "level"),
        ("kind=company&metric=nope", "metric"),
        ("kind=company&metric=repeat_customer_rate", "metric"),
        ("kind=company&start=2026-03-05&end=2026-03-01", "end"),
        ("kind=seller&pk={rep}&level=team", "level"),
    ],
)
def test_api_bad_input_is_422_naming_the_field(march, login_as, query, field):
    r = login_as(march.admin).get(f"{API}?{query.format(rep=march.rep.pk)}")
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["field"] == field


def test_api_period_defaults_to_the_current_month(world, login_as, monkeypatch):
    monkeypatch.setattr("attain.goals.api.today", lambda: dt.date(2026, 2, 10))
    body = login_as(world.admin).get(f"{API}?kind=company").json()
    assert (body["start"], body["end"], body["on"]) == ("2026-02-01", "2026-02-28", "2026-02-10")


def test_openapi_lists_the_leaderboard(world, login_as):
    paths = login_as(world.admin).get("/api/v1/openapi.json").json()["paths"]
    operation = paths[API]["get"]
    assert operation["operationId"] == "leaderboard_list"
    assert {p["name"] for p in operation["parameters"]} >= {
        "level",
        "kind",
        "pk",
        "start",
        "end",
        "metric",
    }
