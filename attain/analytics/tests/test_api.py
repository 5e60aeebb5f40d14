"""The performance API: figures, visibility of scopes (404 / 403) and query budgets."""

from __future__ import annotations

import pytest

BASE = "/api/v1/performance"
MARCH = "start=2026-03-01&end=2026-03-31"


def get(client, path: str):
    return client.get(f"{BASE}{path}")


def test_metrics_lists_the_registry_with_formulas(world, login_as, django_assert_max_num_queries):
    client = login_as(world.rep)
    with django_assert_max_num_queries(4):
        response = get(client, "/metrics")
    assert response.status_code == 200
    metrics = {m["key"]: m for m in response.json()}
    assert metrics["revenue"]["unit"] == "money"
    assert "cancelled orders excluded" in metrics["revenue"]["formula"]
    assert metrics["revenue"]["filters"] == ["product", "product_line", "segment", "territory"]
    assert metrics["csat"]["aggregation"] == "none"


def test_value_for_self_and_exact_figure(data, login_as):
    w = data.world
    response = get(login_as(w.rep), f"/value?metric=revenue&person_id={w.rep.pk}&{MARCH}")
    assert response.status_code == 200
    assert response.json()["value"] == "1234.56"


def test_value_with_filters(data, login_as):
    w = data.world
    client = login_as(w.admin)
    r = get(client, f"/value?metric=revenue&{MARCH}&product_id={data.p2.pk}")
    assert r.json()["value"] == "440.00"
    r = get(client, f"/value?metric=revenue&{MARCH}&segment=enterprise")
    assert r.json()["value"] == "200.00"
    r = get(client, f"/value?metric=csat&{MARCH}")
    assert r.status_code == 200 and r.json()["value"] is None


@pytest.mark.parametrize(
    ("who", "person", "status", "value"),
    [
        ("admin", "rep", 200, "1234.56"),
        ("manager", "rep", 200, "1234.56"),  # both of rep's teams are in division A
        ("assistant", "rep", 200, "1234.56"),
        ("leader", "rep", 200, "840.00"),  # only what rep sold while in the leader's team
        ("rep", "rep", 200, "1234.56"),
        ("rep2", "rep", 404, None),
        ("rep_a2", "rep", 404, None),
        ("manager_b", "rep", 404, None),
        ("rep_b", "rep", 404, None),
        ("marketer", "rep", 404, None),
        ("outsider", "rep", 404, None),
        ("outsider", "outsider", 200, "0.00"),
        ("leader", "rep_b", 404, None),
        ("manager_b", "rep_b", 200, "150.00"),
    ],
)
def test_person_scope_visibility(data, login_as, who, person, status, value):
    w = data.world
    target = getattr(w, person)
    response = get(
        login_as(getattr(w, who)), f"/value?metric=revenue&person_id={target.pk}&{MARCH}"
    )
    assert response.status_code == status
    if value is not None:
        assert response.json()["value"] == value


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("admin", "div_b", 200),
        ("manager", "div_a", 200),
        ("manager", "team_a2", 200),
        ("manager", "div_b", 404),
        ("leader", "team_a1", 200),
        ("leader", "team_a2", 404),
        ("leader", "bu_a", 404),
        ("rep", "team_a1", 404),
        ("outsider", "company", 404),
    ],
)
def test_unit_scope_visibility(data, login_as, who, unit, status):
    w = data.world
    response = get(
        login_as(getattr(w, who)), f"/value?metric=revenue&unit_id={getattr(w, unit).pk}&{MARCH}"
    )
    assert response.status_code == status


@pytest.mark.parametrize("who", ["manager", "leader", "rep", "outsider"])
def test_company_scope_is_for_admins_only(data, login_as, who):
    response = get(login_as(getattr(data.world, who)), f"/value?metric=revenue&{MARCH}")
    assert response.status_code == 403


def test_company_scope_for_admin(data, login_as):
    response = get(login_as(data.world.admin), f"/value?metric=revenue&{MARCH}")
    assert response.json()["value"] == "1584.56"


def test_guessed_ids_are_404(data, login_as):
    client = login_as(data.world.admin)
    assert get(client, f"/value?metric=revenue&person_id=999999&{MARCH}").status_code == 404
    assert get(client, f"/value?metric=revenue&unit_id=999999&{MARCH}").status_code == 404


def test_bad_input_is_422_naming_the_field(data, login_as):
    client = login_as(data.world.admin)
    r = get(client, f"/value?metric=nope&{MARCH}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "metric"
    r = get(client, f"/value?metric=deals_won&product_line_id={data.l1.pk}&{MARCH}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "product_line"
    r = get(client, "/value?metric=revenue&start=2026-03-05&end=2026-03-01")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "end"
    r = get(client, f"/series?metric=revenue&grain=hour&{MARCH}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "grain"
    r = get(client, f"/breakdown?metric=revenue&by=planet&{MARCH}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "by"


def test_series_endpoint(data, login_as, django_assert_max_num_queries):
    w = data.world
    client = login_as(w.rep)
    with django_assert_max_num_queries(8):
        r = get(
            client,
            f"/series?metric=revenue&grain=month&person_id={w.rep.pk}"
            "&start=2026-01-01&end=2026-04-30",
        )
    assert r.status_code == 200
    assert [(p["start"], p["value"]) for p in r.json()["points"]] == [
        ("2026-01-01", "0.00"),
        ("2026-02-01", "0.00"),
        ("2026-03-01", "1234.56"),
        ("2026-04-01", "50.00"),
    ]


def test_breakdown_endpoint(data, login_as, django_assert_max_num_queries):
    w = data.world
    client = login_as(w.manager)
    with django_assert_max_num_queries(9):
        r = get(client, f"/breakdown?metric=revenue&by=seller&unit_id={w.div_a.pk}&{MARCH}")
    assert r.status_code == 200
    assert [(row["id"], row["value"]) for row in r.json()["rows"]] == [
        (w.rep.pk, "1234.56"),
        (w.rep2.pk, "200.00"),
    ]


def test_value_query_budget(data, login_as, django_assert_max_num_queries):
    w = data.world
    client = login_as(w.leader)
    with django_assert_max_num_queries(8):
        r = get(client, f"/value?metric=revenue&person_id={w.rep.pk}&{MARCH}")
    assert r.status_code == 200


def test_funnel_endpoint(data, login_as, django_assert_max_num_queries):
    client = login_as(data.world.admin)
    with django_assert_max_num_queries(14):
        r = get(client, f"/funnel?{MARCH}")
    assert r.status_code == 200
    body = r.json()
    assert (body["won"], body["lost"], body["win_rate"], body["weighted_pipeline"]) == (
        2,
        1,
        "66.67",
        "250.00",
    )
    assert {s["code"]: s["entered"] for s in body["stages"]}["prospecting"] == 3


def test_funnel_respects_visibility(data, login_as):
    w = data.world
    assert get(login_as(w.rep), f"/funnel?person_id={w.rep2.pk}&{MARCH}").status_code == 404
    r = get(login_as(w.rep), f"/funnel?person_id={w.rep.pk}&{MARCH}")
    assert r.status_code == 200 and r.json()["won"] == 2


def test_anonymous_is_rejected(client):
    assert client.get(f"{BASE}/value?metric=revenue").status_code == 401


def test_openapi_schema_lists_the_performance_endpoints(world, login_as):
    response = login_as(world.admin).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in ("metrics", "value", "series", "breakdown", "funnel"):
        assert f"{BASE}/{name}" in paths
