"""The dashboards in the API: the same figures as the page, visibility, and records behind them."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.goals.services import goal_create

pytestmark = pytest.mark.django_db

MARCH = "period=custom&start=2026-03-01&end=2026-03-31"


def test_a_team_dashboard_has_the_pages_figures(
    world, login_as, sales, django_assert_max_num_queries
):
    goal_create(
        scope_kind="team",
        metric="revenue",
        period_kind="month",
        start=dt.date(2026, 3, 1),
        end=None,
        target=2000,
        set_by=world.admin,
        unit=world.team_a1,
    )
    client = login_as(world.leader)
    with django_assert_max_num_queries(60):
        response = client.get(f"/api/v1/dashboards/unit?pk={world.team_a1.pk}&{MARCH}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["subject"] == {"kind": "unit", "label": world.team_a1.name, "pk": world.team_a1.pk}
    revenue = next(c for c in data["cards"] if c["metric"] == "revenue")
    assert revenue["value"] == "940.00"  # rep 840.00 + rep2 100.00
    margin = next(c for c in data["cards"] if c["metric"] == "gross_margin")
    assert margin["value"] == "340.00"  # 940.00 − cost 500.00 − 100.00
    assert data["trend"]["goal_total"] == "2000.00"
    assert data["trend"]["cumulative"][-1] == "940.00"
    assert {r["label"]: r["value"] for r in data["breakdown"]["rows"]} == {
        str(world.rep): "840.00",
        str(world.rep2): "100.00",
    }
    assert data["breakdown"]["by"] == "seller"
    assert data["team_leaderboard"] == []  # a team ranks no teams
    assert data["alerts"]["count"] == 0


def test_records_behind_a_figure_add_up_to_it(world, login_as, sales):
    client = login_as(world.leader)
    response = client.get(
        f"/api/v1/dashboards/unit/records?pk={world.team_a1.pk}&{MARCH}&metric=revenue"
    )
    data = response.json()
    assert data["count"] == 3
    assert data["totals"]["revenue"] == "940.00"
    assert sorted(r["net_amount_reporting"] for r in data["rows"]) == ["100.00", "750.00", "90.00"]
    assert {r["kind"] for r in data["rows"]} == {"order_line"}


def test_a_subject_out_of_sight_is_not_found(world, login_as, sales):
    client = login_as(world.leader)
    assert client.get(f"/api/v1/dashboards/unit?pk={world.team_a2.pk}&{MARCH}").status_code == 404
    assert client.get(f"/api/v1/dashboards/company?{MARCH}").status_code == 404
    assert client.get(f"/api/v1/dashboards/unit/records?pk=999999&{MARCH}").status_code == 404
    assert login_as(world.admin).get(f"/api/v1/dashboards/company?{MARCH}").status_code == 200
