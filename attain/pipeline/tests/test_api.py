"""Pipeline API: payload validation (422 naming the field), 404 for what one cannot see, 403."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from attain.pipeline.models import Activity, Deal, DealStageChange, Lead
from attain.pipeline.tests.factories import (
    DAY,
    make_account,
    make_activity,
    make_deal,
    make_lead,
    make_product_line,
    make_rate,
    reason,
    stage,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/pipeline"


def post(client, url, payload):
    return client.post(f"{API}{url}", json.dumps(payload), content_type="application/json")


def patch(client, url, payload):
    return client.patch(f"{API}{url}", json.dumps(payload), content_type="application/json")


def fields(response) -> set[str]:
    return {row["field"] for row in response.json()["detail"]}


def test_reference_lists(world, login_as):
    client = login_as(world.rep)
    stages = client.get(f"{API}/stages").json()
    assert [row["code"] for row in stages] == [
        "prospecting",
        "qualification",
        "needs_analysis",
        "proposal",
        "negotiation",
        "won",
        "lost",
    ]
    assert stages[2]["probability"] == 35
    reasons = client.get(f"{API}/lost-reasons").json()
    assert {row["code"] for row in reasons} >= {"price", "competitor", "delivery_terms"}


def test_only_admins_change_stages_and_reasons(world, login_as):
    payload = {"code": "demo", "name": "Demo", "position": 45, "probability": 60}
    assert post(login_as(world.manager), "/stages", payload).status_code == 403
    assert post(login_as(world.rep), "/lost-reasons", {"code": "x", "name": "X"}).status_code == 403
    admin = login_as(world.admin)
    created = post(admin, "/stages", payload)
    assert created.status_code == 201
    assert created.json()["probability"] == 60
    assert post(admin, "/lost-reasons", {"code": "legal", "name": "Legal"}).status_code == 201
    bad = post(admin, "/stages", {**payload, "code": "demo2", "probability": 150})
    assert (bad.status_code, fields(bad)) == (422, {"probability"})


def test_create_deal_converts_the_amount(world, login_as):
    make_rate(currency="USD", valid_on=dt.date(2024, 1, 1), rate="0.9")
    account = make_account(owner=world.rep)
    line = make_product_line()
    client = login_as(world.rep)
    response = post(
        client,
        "/deals",
        {
            "name": "API deal",
            "account_id": account.pk,
            "amount": "1234.55",
            "currency": "USD",
            "expected_close_on": "2024-06-30",
            "created_on": "2024-03-01",
            "product_line_ids": [line.pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount_reporting"] == "1111.10"
    assert body["amount"] == "1234.55"
    assert body["weighted_value"] == "111.11"  # 1111.10 × 10 % = 111.11
    assert (body["owner_id"], body["stage_code"], body["probability"]) == (
        world.rep.pk,
        "prospecting",
        10,
    )
    assert body["unit_path"] == world.team_a1.path
    assert body["product_line_ids"] == [line.pk]


def test_bad_deal_payloads_name_the_field(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    base = {
        "name": "X",
        "account_id": account.pk,
        "amount": "10.00",
        "currency": "EUR",
        "expected_close_on": "2030-01-01",
    }
    cases = [
        ({**base, "amount": "-5"}, {"amount"}),
        ({**base, "currency": "GBP"}, {"currency"}),  # no rate for GBP
        ({**base, "currency": "ZZZ"}, {"currency"}),
        ({k: v for k, v in base.items() if k != "name"}, {"name"}),
        ({**base, "amount": "abc"}, {"amount"}),
        ({**base, "expected_close_on": "not a date"}, {"expected_close_on"}),
        ({**base, "account_id": 999999}, {"account_id"}),
        ({**base, "stage_id": stage("won").pk}, {"stage"}),
        ({**base, "product_line_ids": [999999]}, {"product_line_ids"}),
    ]
    for payload, expected in cases:
        response = post(client, "/deals", payload)
        assert response.status_code == 422, payload
        assert fields(response) == expected, (payload, response.json())
    assert Deal.objects.count() == 0


def test_deal_on_an_account_one_cannot_see_is_refused(world, login_as):
    hidden = make_account(owner=world.rep_b)
    response = post(
        login_as(world.rep),
        "/deals",
        {
            "name": "X",
            "account_id": hidden.pk,
            "amount": "1",
            "currency": "EUR",
            "expected_close_on": "2030-01-01",
        },
    )
    assert (response.status_code, fields(response)) == (422, {"account_id"})


def test_stage_moves_win_and_history(world, login_as):
    deal = make_deal(owner=world.rep, amount="100.00")
    client = login_as(world.rep)
    moved = post(
        client,
        f"/deals/{deal.pk}/stage",
        {"stage_id": stage("proposal").pk, "at": "2024-03-05T10:00:00+01:00"},
    )
    assert moved.status_code == 200
    assert (moved.json()["stage_code"], moved.json()["probability"]) == ("proposal", 50)
    again = post(client, f"/deals/{deal.pk}/stage", {"stage_id": stage("won").pk})
    assert (again.status_code, fields(again)) == (422, {"stage"})
    won = post(client, f"/deals/{deal.pk}/win", {"closed_on": "2024-03-20"})
    assert won.status_code == 200
    assert (won.json()["status"], won.json()["closed_on"], won.json()["probability"]) == (
        "won",
        "2024-03-20",
        100,
    )
    history = client.get(f"{API}/deals/{deal.pk}/history").json()
    assert [(row["to_stage_code"], row["changed_at"]) for row in history] == [
        ("prospecting", "2024-03-01T08:00:00Z"),
        ("proposal", "2024-03-05T09:00:00Z"),
        ("won", "2024-03-20T16:00:00Z"),
    ]
    assert history[1]["changed_by_id"] == world.rep.pk
    twice = post(client, f"/deals/{deal.pk}/win", {"closed_on": "2024-03-21"})
    assert (twice.status_code, fields(twice)) == (422, {"status"})


def test_lose_without_reason_is_422_and_changes_nothing(world, login_as):
    deal = make_deal(owner=world.rep)
    client = login_as(world.rep)
    response = post(client, f"/deals/{deal.pk}/lose", {"closed_on": "2024-03-10"})
    assert (response.status_code, fields(response)) == (422, {"lost_reason"})
    deal.refresh_from_db()
    assert (deal.status, DealStageChange.objects.filter(deal=deal).count()) == ("open", 1)
    ok = post(
        client,
        f"/deals/{deal.pk}/lose",
        {"closed_on": "2024-03-10", "lost_reason_id": reason("price").pk, "note": "Too dear"},
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["lost_note"]) == ("lost", "Too dear")


def test_update_deal_partially(world, login_as):
    deal = make_deal(owner=world.rep, amount="100.00")
    client = login_as(world.rep)
    response = patch(client, f"/deals/{deal.pk}", {"amount": "250.50", "name": "Bigger"})
    assert response.status_code == 200
    assert (response.json()["amount_reporting"], response.json()["name"]) == ("250.50", "Bigger")
    assert patch(client, f"/deals/{deal.pk}", {"probability": 101}).status_code == 422
    handover = patch(client, f"/deals/{deal.pk}", {"owner_id": world.rep2.pk})
    assert handover.status_code == 403
    deal.refresh_from_db()
    assert (deal.owner, deal.amount) == (world.rep, Decimal("250.50"))


def test_invisible_and_missing_deals_are_404(world, login_as):
    deal = make_deal(owner=world.rep)
    client = login_as(world.rep_b)
    for method, url in [
        ("get", f"/deals/{deal.pk}"),
        ("get", f"/deals/{deal.pk}/history"),
        ("delete", f"/deals/{deal.pk}"),
        ("get", "/deals/999999"),
    ]:
        assert getattr(client, method)(f"{API}{url}").status_code == 404, url
    assert post(client, f"/deals/{deal.pk}/win", {"closed_on": "2024-03-20"}).status_code == 404
    assert patch(client, f"/deals/{deal.pk}", {"name": "Mine now"}).status_code == 404
    deal.refresh_from_db()
    assert deal.status == "open"


def test_rep_cannot_create_for_others_or_delete(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    response = post(
        client,
        "/deals",
        {
            "name": "For rep2",
            "owner_id": world.rep2.pk,
            "account_id": account.pk,
            "amount": "1",
            "currency": "EUR",
            "expected_close_on": "2030-01-01",
        },
    )
    assert response.status_code == 403
    unknown = post(
        login_as(world.admin),
        "/deals",
        {"name": "X", "owner_id": 999999, "account_id": account.pk, "amount": "1",
         "currency": "EUR", "expected_close_on": "2030-01-01"},
    )  # fmt: skip
    assert (unknown.status_code, fields(unknown)) == (422, {"owner_id"})
    client = login_as(world.rep)
    deal = make_deal(owner=world.rep)
    assert client.delete(f"{API}/deals/{deal.pk}").status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()
    assert login_as(world.leader).delete(f"{API}/deals/{deal.pk}").status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_summary(world, login_as):
    make_deal(owner=world.rep, amount="1000.00", stage_code="negotiation")
    body = login_as(world.rep).get(f"{API}/summary?on=2024-03-15").json()
    assert body["open_count"] == 1
    assert (body["open_amount"], body["weighted_amount"]) == ("1000.00", "750.00")
    assert (body["period_start"], body["period_end"]) == ("2024-03-01", "2024-03-31")


def test_lead_crud_and_convert(world, login_as):
    client = login_as(world.rep)
    created = post(
        client,
        "/leads",
        {"company": "Initech", "source": "event", "channel": "phone", "received_on": "2024-03-01"},
    )
    assert created.status_code == 201
    lead_id = created.json()["id"]
    assert created.json()["owner_id"] == world.rep.pk
    bad = post(client, "/leads", {"company": "X", "source": "tv", "channel": "phone",
                                  "received_on": "2024-03-01"})  # fmt: skip
    assert (bad.status_code, fields(bad)) == (422, {"source"})
    updated = patch(client, f"/leads/{lead_id}", {"contact_name": "Bill"})
    assert updated.json()["contact_name"] == "Bill"
    account = make_account(owner=world.rep)
    converted = post(
        client,
        f"/leads/{lead_id}/convert",
        {"account_id": account.pk, "amount": "990.00", "currency": "EUR",
         "expected_close_on": "2099-01-01"},
    )  # fmt: skip
    assert converted.status_code == 201, converted.content
    assert (converted.json()["lead_id"], converted.json()["name"]) == (lead_id, "Initech")
    assert Lead.objects.get(pk=lead_id).status == "converted"
    disq = post(client, f"/leads/{lead_id}/disqualify", {"reason": "late"})
    assert (disq.status_code, fields(disq)) == (422, {"status"})


def test_activity_crud(world, login_as):
    deal = make_deal(owner=world.rep)
    client = login_as(world.rep)
    created = post(
        client,
        "/activities",
        {
            "kind": "meeting",
            "occurred_at": "2024-03-04T10:00:00+01:00",
            "minutes": 60,
            "outcome": "positive",
            "subject": "Workshop",
            "deal_id": deal.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["account_id"], body["unit_path"]) == (deal.account_id, world.team_a1.path)
    too_long = post(client, "/activities", {**{k: body[k] for k in
                    ("kind", "occurred_at", "outcome", "subject")}, "minutes": 2000})  # fmt: skip
    assert (too_long.status_code, fields(too_long)) == (422, {"minutes"})
    changed = patch(client, f"/activities/{body['id']}", {"minutes": 90})
    assert changed.json()["minutes"] == 90
    listed = client.get(f"{API}/activities?deal_id={deal.pk}").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]
    assert client.delete(f"{API}/activities/{body['id']}").status_code == 204
    assert Activity.objects.count() == 0


def test_deal_list_query_budget(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep)
    for _ in range(30):
        make_deal(owner=world.rep, account=account)
    client = login_as(world.leader)
    with django_assert_max_num_queries(7):
        response = client.get(f"{API}/deals?limit=50")
    assert response.json()["count"] == 30


def test_activity_and_lead_list_query_budget(world, login_as, django_assert_max_num_queries):
    deal = make_deal(owner=world.rep)
    for _ in range(20):
        make_activity(owner=world.rep, deal=deal)
        make_lead(owner=world.rep)
    client = login_as(world.manager)
    with django_assert_max_num_queries(7):
        assert client.get(f"{API}/activities?limit=50").json()["count"] == 20
    with django_assert_max_num_queries(7):
        assert client.get(f"{API}/leads?limit=50").json()["count"] == 20


def test_day_constant_is_a_friday(world):
    assert DAY.isoweekday() == 5
