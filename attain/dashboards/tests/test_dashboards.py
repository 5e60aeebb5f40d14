"""Dashboards: who may open which, exact figures from hand-made orders, the goal line, the
leaderboard by attainment, early warnings, the records behind a figure, and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from attain.analytics.tests.factories import line, make_account
from attain.dashboards import selectors
from attain.dashboards.periods import ChosenPeriod
from attain.goals.services import goal_create
from attain.orders.services import order_create

pytestmark = pytest.mark.django_db

MARCH = "period=custom&start=2026-03-01&end=2026-03-31"


def _revenue_card(response) -> Decimal:
    card = next(c for c in response.context["cards"] if c.key == "revenue")
    return card.value


def test_default_dashboard_follows_the_role(world, login_as):
    assert login_as(world.admin).get("/dashboards/")["Location"] == "/dashboards/company/"
    assert (
        login_as(world.leader).get("/dashboards/")["Location"]
        == f"/dashboards/units/{world.team_a1.pk}/"
    )
    assert (
        login_as(world.rep).get("/dashboards/")["Location"]
        == f"/dashboards/sellers/{world.rep.pk}/"
    )


@pytest.mark.parametrize(
    ("login", "allowed", "denied"),
    [
        ("admin", ["company", "unit:div_b", "seller:rep"], []),
        (
            "manager",
            ["unit:div_a", "unit:team_a2", "seller:rep_a2"],
            ["company", "unit:div_b", "seller:rep_b"],
        ),
        (
            "leader",
            ["unit:team_a1", "seller:rep"],
            ["company", "unit:team_a2", "unit:div_a", "seller:rep_a2"],
        ),
        ("rep", ["seller:rep"], ["company", "unit:team_a1", "seller:rep2"]),
        ("marketer", ["seller:marketer"], ["company", "unit:div_a", "seller:rep"]),
    ],
)
def test_who_may_open_which_dashboard(world, login_as, login, allowed, denied):
    client = login_as(world.people[login])

    def url(target: str) -> str:
        if target == "company":
            return "/dashboards/company/"
        kind, name = target.split(":")
        if kind == "unit":
            return f"/dashboards/units/{getattr(world, name).pk}/"
        return f"/dashboards/sellers/{world.people[name].pk}/"

    for target in allowed:
        assert client.get(url(target)).status_code == 200, target
    for target in denied:
        assert client.get(url(target)).status_code == 404, target
    assert client.get("/dashboards/units/999999/").status_code == 404
    assert client.get("/dashboards/sellers/999999/").status_code == 404


def test_figures_are_exact_and_the_records_add_up(world, login_as, sales):
    client = login_as(world.leader)
    response = client.get(f"/dashboards/units/{world.team_a1.pk}/?{MARCH}")
    assert _revenue_card(response) == Decimal("940.00")
    margin = next(c for c in response.context["cards"] if c.key == "gross_margin")
    assert margin.value == Decimal("340.00")  # 940.00 − (500.00 + 100.00)
    records = client.get(
        f"/dashboards/records/?{MARCH}&kind=unit&pk={world.team_a1.pk}&metric=revenue"
    )
    assert records.status_code == 200
    assert records.context["totals"]["revenue"] == Decimal("940.00")
    assert records.context["count"] == 3
    seller = client.get(f"/dashboards/sellers/{world.rep.pk}/?{MARCH}")
    assert _revenue_card(seller) == Decimal("840.00")
    # a rep cannot read a colleague's records by guessing the query
    assert (
        login_as(world.rep)
        .get(f"/dashboards/records/?{MARCH}&kind=seller&pk={world.rep2.pk}")
        .status_code
        == 404
    )


def test_an_order_saved_now_is_in_the_next_page_load(world, login_as, sales):
    client = login_as(world.rep)
    before = _revenue_card(client.get(f"/dashboards/sellers/{world.rep.pk}/?{MARCH}"))
    order_create(
        account=sales["acc_rep"],
        owner=world.rep,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 31),
        lines=[line(sales["product"], "1", "10.01")],
    )
    after = _revenue_card(client.get(f"/dashboards/sellers/{world.rep.pk}/?{MARCH}"))
    assert (before, after) == (Decimal("840.00"), Decimal("850.01"))


def test_goal_line_and_leaderboard_by_attainment(world, sales):
    for person, target in ((world.rep, "1000.00"), (world.rep2, "500.00")):
        goal_create(
            scope_kind="person",
            person=person,
            metric="revenue",
            period_kind="month",
            start=dt.date(2026, 3, 1),
            target=Decimal(target),
            set_by=world.admin,
            check_permission=False,
        )
    goal_create(
        scope_kind="team",
        unit=world.team_a1,
        metric="revenue",
        period_kind="month",
        start=dt.date(2026, 3, 1),
        target=Decimal("3100.00"),
        set_by=world.admin,
        check_permission=False,
    )
    period = ChosenPeriod("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "day")
    team = selectors.subject_for(user=world.admin.user, kind="unit", pk=world.team_a1.pk)
    trend = selectors.trend(
        subject=team, period=period, metric="revenue", filters=selectors.Filters()
    )
    assert trend.goal_total == Decimal("3100.00")
    assert trend.goal_cumulative is not None
    assert trend.goal_cumulative[0] == Decimal("100.00")  # 3,100 over 31 days
    assert trend.cumulative[9] == Decimal("840.00")  # 10 March
    board = selectors.leaderboard(subject=team, period=period)
    top = [(row.name, row.value, row.target, row.attainment) for row in board[:2]]
    assert top == [
        (str(world.rep), Decimal("840.00"), Decimal("1000.00"), Decimal("84.0")),
        (str(world.rep2), Decimal("100.00"), Decimal("500.00"), Decimal("20.0")),
    ]
    assert board[2].name == str(world.leader) and board[2].attainment is None


def test_declining_seller_raises_an_early_warning(world, sales):
    # 12 complete weeks before Monday 2026-09-07: sales fall by 100.00 a week, 1,200.00 → 100.00
    monday = dt.date(2026, 9, 7)
    for week in range(12):
        day = monday - dt.timedelta(weeks=12 - week) + dt.timedelta(days=2)
        amount = Decimal(1200 - 100 * week)
        order_create(
            account=sales["acc_rep"],
            owner=world.rep,
            currency="EUR",
            ordered_on=day,
            lines=[line(sales["product"], "1", f"{amount}")],
        )
    team = selectors.subject_for(user=world.admin.user, kind="unit", pk=world.team_a1.pk)
    found = selectors.alerts(subject=team, on=monday)
    seller_alerts = [a for a in found.items if a.dimension == "seller"]
    assert [(a.label, a.verdict) for a in seller_alerts] == [(str(world.rep), "declining")]
    alert = seller_alerts[0]
    assert alert.values[0] == Decimal("1200.00") and alert.values[-1] == Decimal("100.00")
    assert alert.s == -66 and alert.slope_per_week == Decimal("-100.00")


def test_early_warnings_export_lists_every_warning_with_its_weeks(
    world, login_as, sales, monkeypatch
):
    monday = dt.date(2026, 9, 7)
    for week in range(12):
        order_create(
            account=sales["acc_rep"],
            owner=world.rep,
            currency="EUR",
            ordered_on=monday - dt.timedelta(weeks=12 - week) + dt.timedelta(days=2),
            lines=[line(sales["product"], "1", f"{1200 - 100 * week}")],
        )
    monkeypatch.setattr(selectors, "today", lambda: monday)
    response = login_as(world.leader).get(
        f"/dashboards/units/{world.team_a1.pk}/?export=csv&table=alerts"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][:7] == ["Dimension", "Name", "Verdict", "S", "z", "p", "Trend per week"]
    assert rows[0][7:] == [(monday - dt.timedelta(weeks=12 - w)).isoformat() for w in range(12)]
    seller = [row for row in rows[1:] if row[0] == "seller"]
    assert [row[:4] for row in seller] == [["seller", str(world.rep), "declining", "-66"]]
    assert seller[0][6:] == ["-100.00"] + [f"{1200 - 100 * w}.00" for w in range(12)]


def test_breakdown_exports_as_csv(world, login_as, sales):
    response = login_as(world.leader).get(
        f"/dashboards/units/{world.team_a1.pk}/?{MARCH}&by=seller&export=csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Seller", "Revenue"]
    assert rows[1:] == [[str(world.rep), "840.00"], [str(world.rep2), "100.00"]]


@pytest.fixture
def teams(world, sales):
    """On top of `sales` (Team A1: 940.00): Team A2 300.00, Team B1 1,500.00; March goals for
    Team A1 3,100.00 and Team A2 500.00, none for Team B1."""
    for owner, name, amount in ((world.rep_a2, "Cog", "300.00"), (world.rep_b, "Dyn", "1500.00")):
        order_create(
            account=make_account(owner=owner, name=name, segment="smb"),
            owner=owner,
            currency="EUR",
            ordered_on=dt.date(2026, 3, 15),
            lines=[line(sales["product"], "1", amount)],
        )
    for unit, target in ((world.team_a1, "3100.00"), (world.team_a2, "500.00")):
        goal_create(
            scope_kind="team",
            unit=unit,
            metric="revenue",
            period_kind="month",
            start=dt.date(2026, 3, 1),
            target=Decimal(target),
            set_by=world.admin,
            check_permission=False,
        )
    return world


def _team_rows(response) -> list[tuple]:
    return [(r.rank, r.name, r.value, r.target, r.attainment) for r in response.context["teams"]]


def test_team_leaderboard_ranks_teams_by_attainment(teams, login_as):
    client = login_as(teams.admin)
    company = client.get(f"/dashboards/company/?{MARCH}")
    # A2: 300 ÷ 500 = 60.0 %; A1: 940 ÷ 3,100 = 30.3 %; B1 has no goal: after them, by value
    assert _team_rows(company) == [
        (1, "Team A2", Decimal("300.00"), Decimal("500.00"), Decimal("60.0")),
        (2, "Team A1", Decimal("940.00"), Decimal("3100.00"), Decimal("30.3")),
        (3, "Team B1", Decimal("1500.00"), None, None),
    ]
    assert company.context["show_teams"] is True
    assert f'href="/dashboards/units/{teams.team_a2.pk}/?' in company.text
    assert "Team leaderboard" in company.text
    division = login_as(teams.manager).get(f"/dashboards/units/{teams.div_a.pk}/?{MARCH}")
    assert [row[1] for row in _team_rows(division)] == ["Team A2", "Team A1"]


def test_teams_and_sellers_show_no_team_leaderboard(teams, login_as):
    client = login_as(teams.admin)
    for url in (f"/dashboards/units/{teams.team_a1.pk}/", f"/dashboards/sellers/{teams.rep.pk}/"):
        response = client.get(f"{url}?{MARCH}")
        assert response.context["show_teams"] is False, url
        assert response.context["teams"] == []
        assert "Team leaderboard" not in response.text


def test_team_leaderboard_exports_every_team(teams, login_as):
    response = login_as(teams.admin).get(
        f"/dashboards/company/?{MARCH}&export=csv&table=team_leaderboard"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows == [
        ["Rank", "Team", "Revenue", "Goal to date", "Attainment %"],
        ["1", "Team A2", "300.00", "500.00", "60.0"],
        ["2", "Team A1", "940.00", "3100.00", "30.3"],
        ["3", "Team B1", "1500.00", "", ""],
    ]


def _rows(attained: int, without_goal: int) -> list[selectors.LeaderboardRow]:
    rows = [
        selectors.LeaderboardRow(n, n, f"S{n}", Decimal(0), Decimal(100), Decimal(100 - n))
        for n in range(1, attained + 1)
    ]
    return rows + [
        selectors.LeaderboardRow(n, n, f"S{n}", Decimal(0), None, None)
        for n in range(attained + 1, attained + without_goal + 1)
    ]


def test_long_boards_show_the_top_and_the_bottom():
    lines = selectors.board_lines(_rows(25, 12))
    shown = [line.row.rank if line.row else f"…{line.skipped}" for line in lines]
    assert shown == [*range(1, 11), "…5", *range(16, 26), *range(26, 36), "…2"]
    marks = {line.row.rank: line.mark for line in lines if line.row and line.mark}
    assert marks == {1: "top", 2: "top", 3: "top", 23: "laggard", 24: "laggard", 25: "laggard"}
    full = selectors.board_lines(_rows(25, 12), full=True)
    assert [line.row.rank for line in full if line.row] == list(range(1, 38))


def test_short_boards_show_everything_and_mark_at_most_half_at_each_end():
    lines = selectors.board_lines(_rows(5, 1))
    assert [(line.row.rank, line.mark) for line in lines if line.row] == [
        (1, "top"),
        (2, "top"),
        (3, ""),
        (4, "laggard"),
        (5, "laggard"),
        (6, ""),  # no goal: neither
    ]
    assert [line.mark for line in selectors.board_lines(_rows(1, 0))] == [""]


def test_show_all_link_lists_every_seller(world, login_as, sales):
    from attain.organization.tests.factories import make_person

    for n in range(21):
        make_person(unit=world.team_a1, first_name=f"Extra{n}")
    client = login_as(world.admin)
    short = client.get(f"/dashboards/units/{world.team_a1.pk}/?{MARCH}")
    assert len(short.context["leaders"]) == 24  # leader, rep, rep2 and 21 more
    # nobody has a goal here: the first 10 by revenue, then a gap standing for the 14 others
    assert [line.skipped for line in short.context["leader_lines"] if not line.row] == [14]
    assert sum(1 for line in short.context["leader_lines"] if line.row) == 10
    assert "&amp;full=sellers#sellers-board" in short.text
    full = client.get(f"/dashboards/units/{world.team_a1.pk}/?{MARCH}&full=sellers")
    assert sum(1 for line in full.context["leader_lines"] if line.row) == 24
    assert "full=" not in full.context["query"]


@pytest.mark.parametrize(
    ("kind", "budget"),
    [
        ("company", 56),  # measured 51
        ("unit:div_a", 56),  # measured 51
        ("unit:team_a1", 51),  # measured 46
        ("seller:rep", 49),  # measured 44
    ],
)
def test_dashboard_query_budget(
    world, login_as, sales, django_assert_max_num_queries, kind, budget
):
    if kind == "company":
        url = "/dashboards/company/"
    else:
        what, name = kind.split(":")
        target = getattr(world, name)
        url = f"/dashboards/{'units' if what == 'unit' else 'sellers'}/{target.pk}/"
    client = login_as(world.admin)
    with django_assert_max_num_queries(budget):
        assert client.get(f"{url}?{MARCH}").status_code == 200


def test_pipeline_health_arithmetic():
    from attain.analytics.selectors import FunnelSummary

    funnel = FunnelSummary(
        won=3,
        lost=1,
        open=8,
        win_rate=Decimal("75.00"),
        win_rate_by_value=None,
        won_value=Decimal("30000.00"),
        average_deal_size=Decimal("10000.00"),
        average_cycle_days=Decimal("40.00"),
        open_pipeline=Decimal("45000.00"),
        weighted_pipeline=Decimal("20000.00"),
        stages=[],
    )
    # velocity = 8 × 10,000 × 75 % ÷ 40 days = 1,500.00 a day; coverage = 45,000 ÷ (50,000 − 30,000) = 2.25
    health = selectors.pipeline_health(
        funnel=funnel, goal_total=Decimal("50000.00"), actual=Decimal("30000.00")
    )
    assert (health.velocity_per_day, health.coverage, health.remaining_goal) == (
        Decimal("1500.00"),
        Decimal("2.25"),
        Decimal("20000.00"),
    )
    reached = selectors.pipeline_health(
        funnel=funnel, goal_total=Decimal("20000.00"), actual=Decimal("30000.00")
    )
    assert (reached.coverage, reached.remaining_goal) == (None, Decimal("0"))


def test_seller_dashboard_offers_no_unit_links(world, login_as):
    response = login_as(world.rep).get(f"/dashboards/sellers/{world.rep.pk}/")
    assert response.context["children"] == []
    company = login_as(world.admin).get("/dashboards/company/")
    assert [u.name for u in company.context["children"]] == ["Division A", "Division B"]
