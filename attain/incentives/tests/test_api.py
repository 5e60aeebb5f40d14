"""Pay API: the KPIS.md worked example end to end (plan → run → statement with its trace and
credits), who may read whose pay, bad input as a 422 naming the field with nothing saved, the
run life cycle, disputes, acceptance, the what-if, and query budgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from attain.goals.tests.factories import make_goal
from attain.incentives import services
from attain.incentives.models import (
    Adjustment,
    Assignment,
    Component,
    CreditSplit,
    Dispute,
    PayoutRun,
    Plan,
    PlanVersion,
)
from attain.incentives.tests.factories import (
    KPIS_TIERS,
    MARCH,
    MARCH_END,
    assign,
    component,
    make_plan,
)
from attain.orders.models import Order
from attain.orders.tests.factories import make_order, make_product
from attain.organization.models import Person
from attain.organization.tests.factories import World

pytestmark = pytest.mark.django_db
API = "/api/v1/pay"
JSON = "application/json"


def fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def grant_pay_admin(person: Person) -> Person:
    person.user.user_permissions.add(Permission.objects.get(codename="manage_pay"))
    return person


@dataclass
class Kpis:
    """The KPIS.md worked example for world.rep in March 2025: goal 250,000, credit 325,000."""

    version: PlanVersion
    orders: list[Order]
    run: PayoutRun


def kpis_run(world: World) -> Kpis:
    payroll = grant_pay_admin(world.admin)
    version = make_plan(
        by=payroll,
        name="Sales commission",
        components=[component(name="Commission", kind="marginal", tiers=KPIS_TIERS)],
    )
    assign(version, world.rep)
    make_goal(world, person=world.rep, target="250000.00")
    product = make_product()
    orders = [
        make_order(
            owner=world.rep,
            product=product,
            quantity="1",
            unit_price=price,
            ordered_on=dt.date(2025, 3, day),
        )
        for price, day in (("200000.00", 5), ("125000.00", 20))
    ]
    run = services.run_request(period_start=MARCH, period_end=MARCH_END, by=payroll)
    run = services.run_calculate(run=run)
    return Kpis(version, orders, run)


# --- the worked example ------------------------------------------------------------------------


def test_statement_of_the_kpis_worked_example(world, login_as):
    """250,000 × 8 % + 62,500 × 12 % + 12,500 × 15 % = 20,000 + 7,500 + 1,875 = 29,375."""
    k = kpis_run(world)
    r = login_as(world.rep).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == "29375.00"
    assert body["name"] == world.rep.full_name
    assert body["run"] == {
        "id": k.run.pk,
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "status": "draft",
    }
    [line] = body["lines"]
    assert (line["kind"], line["amount"], line["credit"], line["goal"], line["attainment_pct"]) == (
        "commission",
        "29375.00",
        "325000.00",
        "250000.00",
        "130.00",
    )
    assert [(s["basis"], s["rate"], s["amount"]) for s in line["steps"]] == [
        ("250000.00", "0.08", "20000.00"),
        ("62500.00", "0.12", "7500.00"),
        ("12500.00", "0.15", "1875.00"),
    ]
    first, second = k.orders
    assert [
        (c["order_line_id"], c["order_number"], c["credited_on"], c["share_pct"], c["value"])
        for c in line["credits"]
    ] == [
        (first.lines.get().pk, first.number, "2025-03-05", "100.00", "200000.00"),
        (second.lines.get().pk, second.number, "2025-03-20", "100.00", "125000.00"),
    ]
    amounts = [Decimal(c["amount"]) for c in line["credits"]]
    assert sum(amounts) == Decimal("29375.00")
    assert amounts == [Decimal("18076.92"), Decimal("11298.08")]  # in proportion to the value


def test_statement_pdf_download(world, login_as):
    k = kpis_run(world)
    r = login_as(world.rep).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}/pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_run_detail_list_and_my_statements(world, login_as):
    k = kpis_run(world)
    admin = login_as(world.admin)
    detail = admin.get(f"{API}/runs/{k.run.pk}").json()
    assert (detail["total"], detail["payees"], detail["status"], detail["calculating"]) == (
        "29375.00",
        1,
        "draft",
        False,
    )
    assert detail["people"] == [
        {"person_id": world.rep.pk, "name": world.rep.full_name, "total": "29375.00"}
    ]
    listed = admin.get(f"{API}/runs").json()
    assert listed["count"] == 1 and listed["items"][0]["total"] == "29375.00"
    assert admin.get(f"{API}/runs?status=paid").json()["count"] == 0
    mine = login_as(world.rep).get(f"{API}/me/statements").json()
    assert [(s["run_id"], s["total"], s["status"]) for s in mine["items"]] == [
        (k.run.pk, "29375.00", "draft")
    ]


# --- who sees what ------------------------------------------------------------------------------


def test_rep_cannot_read_a_colleagues_statement(world, login_as):
    k = kpis_run(world)
    r = login_as(world.rep2).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}")
    assert r.status_code == 404
    r = login_as(world.rep2).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}/pdf")
    assert r.status_code == 404
    assert (
        login_as(world.manager_b).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}").status_code
        == 404
    )


def test_the_management_line_reads_the_statement(world, login_as):
    k = kpis_run(world)
    for boss in (world.manager, world.leader):
        r = login_as(boss).get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}")
        assert r.status_code == 200, boss
        assert r.json()["total"] == "29375.00"


def test_a_statement_without_lines_is_404(world, login_as):
    k = kpis_run(world)
    r = login_as(world.admin).get(f"{API}/runs/{k.run.pk}/people/{world.rep2.pk}")
    assert r.status_code == 404


def test_non_admins_cannot_manage_pay(world, login_as):
    k = kpis_run(world)
    for person in (world.manager, world.rep):
        client = login_as(person)
        assert client.post(f"{API}/plans", {"name": "Mine"}, content_type=JSON).status_code == 403
        assert client.get(f"{API}/plans").status_code == 403
        assert client.get(f"{API}/runs").status_code == 403
        assert client.get(f"{API}/runs/{k.run.pk}").status_code == 403
        assert client.post(f"{API}/runs/{k.run.pk}/approve").status_code == 403
        r = client.post(
            f"{API}/adjustments",
            {
                "person_id": world.rep2.pk,
                "effective_on": "2025-04-01",
                "amount": "10",
                "reason": "x",
            },
            content_type=JSON,
        )
        assert r.status_code == 403
        r = client.put(f"{API}/orders/{k.orders[0].pk}/splits", {"shares": []}, content_type=JSON)
        assert r.status_code == 403
    assert Plan.objects.count() == 1
    assert Adjustment.objects.count() == 0


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/me/statements").status_code == 401


# --- plans, versions and components -------------------------------------------------------------


def test_build_and_publish_a_plan(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    r = client.post(
        f"{API}/plans", {"name": "Hunters", "description": "New logos"}, content_type=JSON
    )
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    r = client.post(
        f"{API}/plans/{plan_id}/versions",
        {"effective_from": "2025-01-01", "document": "Bonus for closers."},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    version = r.json()
    assert (version["number"], version["status"], version["components"]) == (1, "draft", [])
    r = client.post(
        f"{API}/versions/{version['id']}/components",
        {
            "name": "Commission",
            "kind": "marginal",
            "tiers": [
                {"floor_pct": 0, "ceiling_pct": 100, "rate": "0.08"},
                {"floor_pct": "100", "ceiling_pct": None, "rate": 0.12},
            ],
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert r.json()["tiers"] == [
        {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.08"},
        {"floor_pct": "100", "ceiling_pct": "", "rate": "0.12"},
    ]
    bonus = client.post(
        f"{API}/versions/{version['id']}/components",
        {"name": "Bonus", "kind": "bonus", "amount": "500", "threshold_pct": "100"},
        content_type=JSON,
    ).json()
    assert bonus["amount"] == "500.00"
    r = client.put(
        f"{API}/components/{bonus['id']}",
        {"name": "Club bonus", "kind": "bonus", "amount": "750.5", "threshold_pct": "110"},
        content_type=JSON,
    )
    assert r.status_code == 200 and (r.json()["name"], r.json()["amount"]) == (
        "Club bonus",
        "750.50",
    )
    r = client.put(
        f"{API}/versions/{version['id']}",
        {"effective_from": "2025-02-01", "goal_metric": "gross_margin", "crediting": "delivery"},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["goal_metric"] == "gross_margin"
    r = client.post(f"{API}/versions/{version['id']}/publish")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["published_by_id"]) == ("published", world.admin.pk)
    assert len(r.json()["components"]) == 2

    # a published version is fixed: changing it names the status
    r = client.delete(f"{API}/components/{bonus['id']}")
    assert r.status_code == 422 and fields(r) == {"status"}
    r = client.post(f"{API}/versions/{version['id']}/copy")
    assert r.status_code == 201
    copy = r.json()
    assert (copy["number"], copy["status"], len(copy["components"])) == (2, "draft", 2)
    assert client.delete(f"{API}/components/{copy['components'][1]['id']}").status_code == 204
    r = client.post(
        f"{API}/versions/{version['id']}/end", {"effective_to": "2025-06-01"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["effective_to"] == "2025-06-01"
    plans = client.get(f"{API}/plans").json()
    assert plans["count"] == 1 and [v["number"] for v in plans["items"][0]["versions"]] == [2, 1]
    assert Component.objects.count() == 3


def test_overlapping_published_versions_are_refused(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    first = make_plan(by=world.admin, components=[component(kind="flat", rate="0.05")])
    r = client.post(
        f"{API}/plans/{first.plan_id}/versions", {"effective_from": "2025-05-01"}, content_type=JSON
    )
    second = r.json()["id"]
    client.post(
        f"{API}/versions/{second}/components",
        {"name": "Flat", "kind": "flat", "rate": "0.06"},
        content_type=JSON,
    )
    r = client.post(f"{API}/versions/{second}/publish")
    assert r.status_code == 422
    assert fields(r) == {"effective_from"}
    assert PlanVersion.objects.get(pk=second).status == "draft"


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"kind": "flat", "rate": "-0.05"}, "rate"),
        ({"kind": "flat"}, "rate"),
        ({"kind": "flat", "rate": "0.1234567"}, "rate"),
        (
            {
                "kind": "marginal",
                "tiers": [
                    {"floor_pct": "0", "ceiling_pct": "90", "rate": "0.08"},
                    {"floor_pct": "100", "ceiling_pct": "", "rate": "0.12"},
                ],
            },
            "tiers",
        ),
        ({"kind": "marginal", "tiers": [{"floor_pct": "zero", "rate": "x"}]}, "tiers"),
        ({"kind": "bonus", "amount": "100"}, "threshold_pct"),
        ({"kind": "flat", "rate": "0.1", "deal_cap": "-1"}, "deal_cap"),
        ({"kind": "flat", "rate": "0.1", "product_line_id": 999999}, "product_line_id"),
        ({"kind": "spiff", "rate": "0.1", "window_start": "2025-03-10"}, "window_start"),
        ({"kind": "nope"}, "kind"),
        ({"kind": "flat", "rate": "0.1", "amount": "not money"}, "amount"),
    ],
)
def test_bad_component_is_422_naming_the_field(world, login_as, terms, field):
    client = login_as(grant_pay_admin(world.admin))
    version = make_plan(by=world.admin, components=[], publish=False)
    r = client.post(
        f"{API}/versions/{version.pk}/components", {"name": "C", **terms}, content_type=JSON
    )
    assert r.status_code == 422, r.content
    assert field in fields(r)
    assert Component.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({}, "name"),
    ],
)
def test_bad_plan_is_422(world, login_as, payload, field):
    client = login_as(grant_pay_admin(world.admin))
    r = client.post(f"{API}/plans", payload, content_type=JSON)
    assert r.status_code == 422 and field in fields(r)
    assert Plan.objects.count() == 0


def test_bad_version_dates_are_422(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    plan = services.plan_create(name="P")
    r = client.post(
        f"{API}/plans/{plan.pk}/versions",
        {"effective_from": "2025-03-01", "effective_to": "2025-02-01", "crediting": "never"},
        content_type=JSON,
    )
    assert r.status_code == 422 and fields(r) == {"effective_to", "crediting"}
    r = client.post(
        f"{API}/plans/{plan.pk}/versions", {"effective_from": "2025-02-30"}, content_type=JSON
    )
    assert r.status_code == 422 and fields(r) == {"effective_from"}
    assert PlanVersion.objects.count() == 0
    assert client.get(f"{API}/plans/999999").status_code == 404


# --- assignments and splits ---------------------------------------------------------------------


def test_assignments_create_list_end_and_refuse_overlap(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    version = make_plan(by=world.admin, components=[component(kind="flat", rate="0.05")])
    url = f"{API}/plans/{version.plan_id}/assignments"
    r = client.post(
        url,
        {
            "person_id": world.rep.pk,
            "start": "2025-03-01",
            "draw_amount": "1000",
            "ramp": ["50", 75],
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["draw_amount"], created["ramp"]) == ("1000.00", ["50", "75"])
    r = client.post(url, {"person_id": world.rep.pk, "start": "2025-06-01"}, content_type=JSON)
    assert r.status_code == 422 and fields(r) == {"start"}
    for bad, field in (
        ({"person_id": world.rep2.pk, "role": "sales_rep"}, "person_id"),
        ({"person_id": 999999}, "person_id"),
        ({"role": "sales_rep", "unit_id": 999999}, "unit_id"),
        ({"person_id": world.rep2.pk, "draw_amount": "-5"}, "draw_amount"),
        ({"person_id": world.rep2.pk, "ramp": ["120"]}, "ramp"),
        ({"person_id": world.rep2.pk, "end": "2025-02-01"}, "end"),
    ):
        r = client.post(url, {"start": "2025-03-01", **bad}, content_type=JSON)
        assert r.status_code == 422, (bad, r.content)
        assert field in fields(r), bad
    assert Assignment.objects.count() == 1
    r = client.post(
        f"{API}/assignments/{created['id']}/end", {"end": "2025-05-01"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["end"] == "2025-05-01"
    listed = client.get(url).json()
    assert [(a["person_id"], a["end"]) for a in listed] == [(world.rep.pk, "2025-05-01")]


def test_credit_splits_set_and_refused(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    order = make_order(owner=world.rep)
    url = f"{API}/orders/{order.pk}/splits"
    r = client.put(
        url,
        {
            "shares": [
                {"person_id": world.rep.pk, "share_pct": "60"},
                {"person_id": world.rep2.pk, "share_pct": "40"},
            ]
        },
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert r.json() == [
        {"person_id": world.rep.pk, "share_pct": "60.00"},
        {"person_id": world.rep2.pk, "share_pct": "40.00"},
    ]
    for shares in (
        [
            {"person_id": world.rep.pk, "share_pct": "60"},
            {"person_id": world.rep2.pk, "share_pct": "30"},
        ],
        [
            {"person_id": world.rep.pk, "share_pct": "110"},
            {"person_id": world.rep2.pk, "share_pct": "-10"},
        ],
        [
            {"person_id": world.rep.pk, "share_pct": "50"},
            {"person_id": world.rep.pk, "share_pct": "50"},
        ],
        [{"person_id": 999999, "share_pct": "100"}],
    ):
        r = client.put(url, {"shares": shares}, content_type=JSON)
        assert r.status_code == 422, (shares, r.content)
        assert fields(r) == {"shares"}
    r = client.put(
        url, {"shares": [{"person_id": world.rep.pk, "share_pct": "33.333"}]}, content_type=JSON
    )
    assert r.status_code == 422 and "shares.0.share_pct" in fields(r)
    assert sorted(CreditSplit.objects.values_list("share_pct", flat=True)) == [
        Decimal("40.00"),
        Decimal("60.00"),
    ]
    assert client.put(url, {"shares": []}, content_type=JSON).json() == []
    assert CreditSplit.objects.count() == 0
    assert (
        client.put(f"{API}/orders/999999/splits", {"shares": []}, content_type=JSON).status_code
        == 404
    )


# --- runs ---------------------------------------------------------------------------------------


def test_request_approve_pay_and_discard(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    version = make_plan(by=world.admin, components=[component(kind="flat", rate="0.10")])
    assign(version, world.rep)
    make_order(owner=world.rep, quantity="2", unit_price="500.00", ordered_on=dt.date(2025, 3, 4))
    r = client.post(
        f"{API}/runs", {"period_start": "2025-03-01", "period_end": "2025-03-31"}, content_type=JSON
    )
    assert r.status_code == 201, r.content
    run = r.json()
    assert (run["status"], run["calculating"], run["total"]) == ("draft", True, "0.00")
    r = client.post(f"{API}/runs/{run['id']}/approve")
    assert r.status_code == 422 and fields(r) == {"status"}  # not calculated yet
    services.run_calculate(run=PayoutRun.objects.get(pk=run["id"]))  # what the task worker does
    r = client.post(f"{API}/runs/{run['id']}/approve")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["total"], r.json()["approved_by_id"]) == (
        "approved",
        "100.00",
        world.admin.pk,
    )
    assert client.delete(f"{API}/runs/{run['id']}").status_code == 422
    r = client.post(f"{API}/runs/{run['id']}/paid")
    assert r.status_code == 200 and r.json()["status"] == "paid"
    r = client.post(
        f"{API}/runs", {"period_start": "2025-03-01", "period_end": "2025-03-31"}, content_type=JSON
    )
    assert r.status_code == 422 and fields(r) == {"period_start"}
    r = client.post(
        f"{API}/runs", {"period_start": "2025-04-01", "period_end": "2025-04-30"}, content_type=JSON
    )
    assert r.status_code == 201
    assert client.delete(f"{API}/runs/{r.json()['id']}").status_code == 204
    assert list(PayoutRun.objects.values_list("status", flat=True)) == ["paid"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"period_start": "2025-03-31", "period_end": "2025-03-01"}, "period_end"),
        ({"period_start": "2025-03-01", "period_end": "2026-03-31"}, "period_end"),
        ({"period_start": "March", "period_end": "2025-03-31"}, "period_start"),
        ({"period_start": "2030-03-01", "period_end": "2030-03-31"}, "period_start"),
    ],
)
def test_bad_run_request_is_422(world, login_as, payload, field):
    client = login_as(grant_pay_admin(world.admin))
    r = client.post(f"{API}/runs", payload, content_type=JSON)
    assert r.status_code == 422 and field in fields(r)
    assert PayoutRun.objects.count() == 0


def test_run_lacking_a_goal_names_the_person(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    version = make_plan(by=world.admin, components=[component(kind="marginal", tiers=KPIS_TIERS)])
    assign(version, world.rep)
    r = client.post(
        f"{API}/runs", {"period_start": "2025-03-01", "period_end": "2025-03-31"}, content_type=JSON
    )
    assert r.status_code == 422 and fields(r) == {"period_start"}
    assert world.rep.full_name in r.json()["detail"][0]["message"]
    assert PayoutRun.objects.count() == 0


# --- adjustments, disputes, acceptance, what-if -------------------------------------------------


def test_adjustments_create_list_and_refuse(world, login_as):
    client = login_as(grant_pay_admin(world.admin))
    payload = {
        "person_id": world.rep.pk,
        "effective_on": "2025-04-10",
        "amount": "-40.5",
        "reason": "Returned demo unit",
    }
    r = client.post(f"{API}/adjustments", payload, content_type=JSON)
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["author_id"]) == ("-40.50", world.admin.pk)
    for change, field in (
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"reason": "  "}, "reason"),
        ({"person_id": world.admin.pk}, "person_id"),
        ({"person_id": 999999}, "person_id"),
        ({"effective_on": "soon"}, "effective_on"),
    ):
        r = client.post(f"{API}/adjustments", {**payload, **change}, content_type=JSON)
        assert r.status_code == 422, change
        assert field in fields(r), change
    assert Adjustment.objects.count() == 1
    assert client.get(f"{API}/adjustments").json()["count"] == 1
    assert login_as(world.rep).get(f"{API}/adjustments").json()["count"] == 1
    assert login_as(world.rep2).get(f"{API}/adjustments").json()["count"] == 0


def test_dispute_open_and_decide_with_an_adjustment(world, login_as):
    k = kpis_run(world)
    services.run_approve(run=k.run, by=world.admin)
    line = k.run.lines.get()
    rep = login_as(world.rep)
    r = rep.post(f"{API}/lines/{line.pk}/disputes", {"reason": ""}, content_type=JSON)
    assert r.status_code == 422 and fields(r) == {"reason"}, r.json()
    r = rep.post(
        f"{API}/lines/{line.pk}/disputes", {"reason": "Order 2 was mine alone"}, content_type=JSON
    )
    assert r.status_code == 201, r.content
    dispute = r.json()
    assert (dispute["status"], dispute["run_id"], dispute["person_id"]) == (
        "open",
        k.run.pk,
        world.rep.pk,
    )
    r = rep.post(f"{API}/lines/{line.pk}/disputes", {"reason": "again"}, content_type=JSON)
    assert r.status_code == 422 and fields(r) == {"line_id"}
    assert (
        login_as(world.rep2)
        .post(f"{API}/lines/{line.pk}/disputes", {"reason": "me too"}, content_type=JSON)
        .status_code
        == 404
    )
    r = login_as(world.rep).post(
        f"{API}/disputes/{dispute['id']}/decide",
        {"upheld": True, "outcome": "Yes"},
        content_type=JSON,
    )
    assert r.status_code == 403
    leader = login_as(world.leader)
    r = leader.post(
        f"{API}/disputes/{dispute['id']}/decide",
        {"upheld": False, "outcome": "No", "amount": "10"},
        content_type=JSON,
    )
    assert r.status_code == 422 and fields(r) == {"amount"}
    r = leader.post(
        f"{API}/disputes/{dispute['id']}/decide",
        {
            "upheld": True,
            "outcome": "Checked the order",
            "amount": "120.00",
            "effective_on": "2025-04-15",
        },
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reviewed_by_id"]) == ("approved", world.leader.pk)
    adjustment = Adjustment.objects.get()
    assert (adjustment.amount, adjustment.person_id) == (Decimal("120.00"), world.rep.pk)
    assert leader.get(f"{API}/disputes").json()["count"] == 1
    assert login_as(world.rep2).get(f"{API}/disputes").json()["count"] == 0
    assert Dispute.objects.count() == 1


def test_plan_accept(world, login_as, monkeypatch):
    version = make_plan(
        by=grant_pay_admin(world.admin), components=[component(kind="flat", rate="0.05")]
    )
    assign(version, world.rep)
    monkeypatch.setattr("attain.incentives.selectors.today", lambda: dt.date(2025, 3, 15))
    rep = login_as(world.rep)
    r = rep.post(f"{API}/versions/{version.pk}/accept")
    assert r.status_code == 201, r.content
    assert (r.json()["version_id"], r.json()["person_id"]) == (version.pk, world.rep.pk)
    r = rep.post(f"{API}/versions/{version.pk}/accept")
    assert r.status_code == 422 and fields(r) == {"version"}
    assert login_as(world.rep2).post(f"{API}/versions/{version.pk}/accept").status_code == 404


def test_what_if_compares_a_draft(world, login_as):
    k = kpis_run(world)
    client = login_as(world.admin)
    draft = services.version_copy(version=k.version)
    flat = draft.components.get()
    services.component_save(
        version=draft, component=flat, **component(name="Flat", kind="flat", rate="0.10")
    )
    r = client.post(
        f"{API}/what-if",
        {"version_id": draft.pk, "periods": [{"start": "2025-03-01", "end": "2025-03-31"}]},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["current"], body["proposed"], body["difference"]) == (
        "29375.00",
        "32500.00",
        "3125.00",
    )
    assert body["rows"] == [
        {
            "person_id": world.rep.pk,
            "name": world.rep.full_name,
            "current": "29375.00",
            "proposed": "32500.00",
            "difference": "3125.00",
        }
    ]
    r = client.post(
        f"{API}/what-if",
        {"version_id": k.version.pk, "periods": [{"start": "2025-03-31", "end": "2025-03-01"}]},
        content_type=JSON,
    )
    assert r.status_code == 422 and fields(r) == {"version_id", "periods"}
    r = client.post(f"{API}/what-if", {"version_id": 999999, "periods": []}, content_type=JSON)
    assert r.status_code == 422 and fields(r) == {"version_id"}


# --- query budgets ------------------------------------------------------------------------------


def test_statement_query_budget(world, login_as, django_assert_max_num_queries):
    k = kpis_run(world)
    for day in range(1, 8):
        make_order(
            owner=world.rep, quantity="1", unit_price="1000.00", ordered_on=dt.date(2025, 3, day)
        )
    services.run_calculate(run=k.run)
    client = login_as(world.manager)
    with django_assert_max_num_queries(16):
        r = client.get(f"{API}/runs/{k.run.pk}/people/{world.rep.pk}")
    assert r.status_code == 200
    assert len(r.json()["lines"][0]["credits"]) == 9


def test_run_list_query_budget(world, login_as, django_assert_max_num_queries):
    kpis_run(world)
    for month in (4, 5, 6):
        start = dt.date(2025, month, 1)
        PayoutRun.objects.create(
            period_start=start, period_end=start.replace(day=28), requested_by=world.admin
        )
    client = login_as(world.admin)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/runs?limit=50")
    assert r.json()["count"] == 4
