"""Complaints API: list with filters and pagination, get, open, resolve, reopen — exact values,
the same visibility as the pages, and 4xx answers naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attain.core import events
from attain.core.periods import today
from attain.service.models import Complaint
from attain.service.services import complaint_resolve
from attain.service.tests.factories import (
    DAY,
    make_account,
    make_complaint,
    make_contact,
    make_order,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/service/complaints"
JSON = "application/json"


def messages(response) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


@pytest.fixture
def emitted(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    heard: list[tuple[str, dict[str, Any]]] = []

    def listener(*, event: events.Event, payload: dict[str, Any]) -> None:
        heard.append((event.name, payload))

    monkeypatch.setattr(events, "_listeners", [listener])
    return heard


def test_anonymous_gets_401(client):
    assert client.get(API).status_code == 401
    assert client.post(API, {}, content_type=JSON).status_code == 401


def test_open_a_complaint(world, login_as, emitted, django_capture_on_commit_callbacks):
    account = make_account(owner=world.rep)
    order = make_order(owner=world.rep, account=account)
    contact = make_contact(account=account)
    with django_capture_on_commit_callbacks(execute=True):
        r = login_as(world.rep).post(
            API,
            {
                "account_id": account.pk,
                "order_id": order.pk,
                "contact_id": contact.pk,
                "category": "product",
                "subject": "Cracked housing",
                "description": "Two of three units.",
                "opened_on": "2025-03-06",
                "external_ref": "ZD-42",
            },
            content_type=JSON,
        )
    assert r.status_code == 201, r.content
    complaint = Complaint.objects.get()
    body = r.json()
    assert body.pop("created_at") and body.pop("updated_at")
    assert body == {
        "id": complaint.pk,
        "account_id": account.pk,
        "order_id": order.pk,
        "contact_id": contact.pk,
        "owner_id": world.rep.pk,
        "unit_id": world.team_a1.pk,
        "unit_path": world.team_a1.path,
        "territory_id": None,
        "category": "product",
        "subject": "Cracked housing",
        "description": "Two of three units.",
        "status": "open",
        "opened_on": "2025-03-06",
        "resolved_on": None,
        "resolution": "",
        "external_ref": "ZD-42",
    }
    assert [(name, payload["id"], payload["subject"]) for name, payload in emitted] == [
        ("complaint.opened", complaint.pk, "Cracked housing")
    ]


def test_open_defaults_to_today_and_the_account_manager(world, login_as):
    account = make_account(owner=world.rep)
    r = login_as(world.leader).post(
        API,
        {"account_id": account.pk, "category": "service", "subject": "Rude on the phone"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert (r.json()["opened_on"], r.json()["owner_id"]) == (today().isoformat(), world.rep.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": "praise"}, "category", "'praise' is not a complaint category."),
        ({"subject": "  "}, "subject", "Give the complaint a subject."),
        ({"opened_on": "2999-01-01"}, "opened_on", "A complaint cannot be opened in the future."),
        ({"opened_on": "yesterday"}, "opened_on", None),
        ({"subject": None}, "subject", None),
        ({"account_id": 987654}, "account_id", None),
        ({"order_id": "other"}, "order_id", "Order SO-OTHER is not an order of Globex."),
        ({"contact_id": "other"}, "contact_id", "Ann Other does not work at Globex."),
        ({"owner_id": 987654}, "owner_id", "There is no person with id 987654."),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_saves_nothing(
    world, login_as, changes, field, message
):
    account = make_account(owner=world.rep, name="Globex")
    other = make_account(owner=world.rep, name="Initech")
    payload: dict[str, Any] = {
        "account_id": account.pk,
        "category": "billing",
        "subject": "Billed twice",
        "opened_on": "2025-03-06",
    }
    payload.update(changes)
    if payload.get("order_id") == "other":
        payload["order_id"] = make_order(owner=world.rep, account=other, number="SO-OTHER").pk
    if payload.get("contact_id") == "other":
        payload["contact_id"] = make_contact(account=other, first_name="Ann", last_name="Other").pk
    if payload.get("subject") is None:
        del payload["subject"]
    r = login_as(world.rep).post(API, payload, content_type=JSON)
    assert r.status_code == 422, r.content
    found = messages(r)
    assert set(found) == {field}
    if message is not None:
        assert found[field] == message
    assert not Complaint.objects.exists()


def test_open_refuses_an_account_or_owner_the_caller_cannot_see(world, login_as):
    hidden = make_account(owner=world.rep_b)
    own = make_account(owner=world.rep)
    client = login_as(world.rep)
    r = client.post(
        API,
        {"account_id": hidden.pk, "category": "other", "subject": "x", "opened_on": "2025-03-06"},
        content_type=JSON,
    )
    assert r.status_code == 422
    assert messages(r) == {
        "account_id": f"There is no such record with id {hidden.pk} that you can see."
    }
    r = client.post(
        API,
        {
            "account_id": own.pk,
            "owner_id": world.rep2.pk,
            "category": "other",
            "subject": "x",
            "opened_on": "2025-03-06",
        },
        content_type=JSON,
    )
    assert r.status_code == 403
    assert r.json() == {"detail": [{"field": "", "message": "You may not do this."}]}
    assert not Complaint.objects.exists()


def test_list_filters_and_paginates_what_the_caller_sees(
    world, login_as, django_assert_max_num_queries
):
    globex = make_account(owner=world.rep, name="Globex")
    initech = make_account(owner=world.rep, name="Initech")
    first = make_complaint(account=globex, subject="First", opened_on=dt.date(2025, 3, 1))
    second = make_complaint(account=initech, subject="Second", opened_on=dt.date(2025, 3, 5))
    third = make_complaint(account=globex, subject="Third", opened_on=dt.date(2025, 3, 9))
    complaint_resolve(complaint=second, resolved_on=dt.date(2025, 3, 6), resolution="Refunded.")
    make_complaint(owner=world.rep_b, subject="Not for rep")
    client = login_as(world.rep)

    def ids(query: str = "") -> list[int]:
        r = client.get(f"{API}?{query}")
        assert r.status_code == 200, r.content
        return [item["id"] for item in r.json()["items"]]

    with django_assert_max_num_queries(8):
        r = client.get(API)
    assert r.json()["count"] == 3
    assert ids() == [third.pk, second.pk, first.pk]
    assert ids("status=open") == [third.pk, first.pk]
    assert ids("status=resolved") == [second.pk]
    assert ids(f"account_id={globex.pk}") == [third.pk, first.pk]
    assert ids("opened_from=2025-03-02&opened_to=2025-03-08") == [second.pk]
    assert ids("opened_from=2025-03-05") == [third.pk, second.pk]
    assert ids("q=initech") == [second.pk]
    assert ids("limit=1&offset=1") == [second.pk]
    resolved = client.get(f"{API}?status=resolved").json()["items"][0]
    assert (resolved["status"], resolved["resolved_on"], resolved["resolution"]) == (
        "resolved",
        "2025-03-06",
        "Refunded.",
    )


def test_list_rejects_bad_filters_naming_them(world, login_as):
    client = login_as(world.rep)
    r = client.get(f"{API}?status=closed")
    assert r.status_code == 422
    assert messages(r) == {"status": "'closed' is not a complaint status (open, resolved)."}
    r = client.get(f"{API}?opened_from=2025-03-09&opened_to=2025-03-01")
    assert messages(r) == {"opened_to": "The end cannot be before the start."}
    r = client.get(f"{API}?opened_from=someday")
    assert r.status_code == 422 and set(messages(r)) == {"opened_from"}


def test_get_resolve_and_reopen(world, login_as):
    complaint = make_complaint(owner=world.rep, opened_on=DAY, subject="Late pallet")
    client = login_as(world.leader)
    assert client.get(f"{API}/{complaint.pk}").json()["subject"] == "Late pallet"
    r = client.post(
        f"{API}/{complaint.pk}/resolve",
        {"resolved_on": "2025-03-04", "resolution": " Sent a new pallet. "},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["resolved_on"], r.json()["resolution"]) == (
        "resolved",
        "2025-03-04",
        "Sent a new pallet.",
    )
    again = client.post(
        f"{API}/{complaint.pk}/resolve",
        {"resolved_on": "2025-03-05", "resolution": "Again."},
        content_type=JSON,
    )
    assert again.status_code == 422
    assert messages(again) == {"status": "The complaint is already resolved."}
    r = client.post(f"{API}/{complaint.pk}/reopen")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["resolved_on"], r.json()["resolution"]) == (
        "open",
        None,
        "",
    )
    r = client.post(f"{API}/{complaint.pk}/reopen")
    assert (r.status_code, messages(r)) == (422, {"status": "The complaint is open already."})


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"resolved_on": "2025-03-02", "resolution": "Refunded."},
            "resolved_on",
            "A complaint cannot be resolved before it was opened (2025-03-03).",
        ),
        (
            {"resolved_on": "2999-01-01", "resolution": "Refunded."},
            "resolved_on",
            "A complaint cannot be resolved in the future.",
        ),
        (
            {"resolved_on": "2025-03-04", "resolution": ""},
            "resolution",
            "Say how the complaint was resolved.",
        ),
        ({"resolved_on": "2025-03-04"}, "resolution", None),
    ],
)
def test_resolve_refuses_bad_input_naming_the_field(world, login_as, payload, field, message):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    r = login_as(world.rep).post(f"{API}/{complaint.pk}/resolve", payload, content_type=JSON)
    assert r.status_code == 422, r.content
    found = messages(r)
    assert set(found) == {field}
    if message is not None:
        assert found[field] == message
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")


def test_the_api_document_lists_the_complaint_operations(world, login_as):
    document = login_as(world.rep).get("/api/v1/openapi.json").json()
    operations = {
        (path, method): op["operationId"]
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/service/")
        for method, op in methods.items()
    }
    assert operations == {
        ("/api/v1/service/complaints", "get"): "complaint_list",
        ("/api/v1/service/complaints", "post"): "complaint_open",
        ("/api/v1/service/complaints/{complaint_id}", "get"): "complaint_get",
        ("/api/v1/service/complaints/{complaint_id}/resolve", "post"): "complaint_resolve",
        ("/api/v1/service/complaints/{complaint_id}/reopen", "post"): "complaint_reopen",
    }
    tags = {
        tag
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/service/")
        for op in methods.values()
        for tag in op["tags"]
    }
    assert tags == {"service"}
