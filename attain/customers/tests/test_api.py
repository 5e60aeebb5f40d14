"""Customers API: payloads, filters, pagination, errors naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.customers.models import Account, Contact
from attain.customers.tests.factories import lead_model, make_account, make_contact

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"


def _fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/accounts").status_code == 401


def test_create_account_with_every_field(world, login_as):
    parent = make_account(owner=world.rep, name="Parent")
    client = login_as(world.leader)
    r = client.post(
        f"{API}/accounts",
        {
            "name": "Initech",
            "segment": "enterprise",
            "owner_id": world.rep2.pk,
            "industry": "Software",
            "size_band": "medium",
            "employees": 120,
            "annual_revenue": "2500000.10",
            "country": "no",
            "region": "Viken",
            "city": "Oslo",
            "website": "initech.example",
            "parent_id": parent.pk,
            "external_ref": "X-9",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["annual_revenue"] == "2500000.10"
    assert (body["country"], body["owner_id"], body["parent_id"]) == (
        "NO",
        world.rep2.pk,
        parent.pk,
    )
    assert (body["unit_id"], body["unit_path"]) == (world.team_a1.pk, world.team_a1.path)
    account = Account.objects.get(pk=body["id"])
    assert account.annual_revenue == Decimal("2500000.10")


def test_create_account_defaults_owner_to_caller(world, login_as):
    client = login_as(world.rep_b)
    r = client.post(
        f"{API}/accounts", {"name": "Mine", "segment": "consumer"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["owner_id"] == world.rep_b.pk
    assert r.json()["unit_path"] == world.team_b1.path


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"segment": "consumer"}, {"name"}),
        ({"name": "X", "segment": "galactic"}, {"segment"}),
        ({"name": "X", "segment": "consumer", "annual_revenue": "-5"}, {"annual_revenue"}),
        ({"name": "X", "segment": "consumer", "annual_revenue": "abc"}, {"annual_revenue"}),
        ({"name": "X", "segment": "consumer", "employees": -3}, {"employees"}),
        ({"name": "X", "segment": "consumer", "owner_id": 999999}, {"owner_id"}),
        ({"name": "X", "segment": "consumer", "parent_id": 999999}, {"parent_id"}),
        ({"name": "X", "segment": "consumer", "country": "Germany"}, {"country"}),
    ],
)
def test_create_account_validation_is_422_naming_the_field(world, login_as, payload, fields):
    client = login_as(world.admin)
    r = client.post(f"{API}/accounts", payload, content_type="application/json")
    assert r.status_code == 422, r.content
    assert fields <= _fields(r)
    assert Account.objects.count() == 0


def test_parent_must_be_visible(world, login_as):
    hidden = make_account(owner=world.rep_b)
    client = login_as(world.rep)
    r = client.post(
        f"{API}/accounts",
        {"name": "X", "segment": "consumer", "parent_id": hidden.pk},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _fields(r) == {"parent_id"}


def test_update_account_changes_owner_and_restamps(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.manager)
    r = client.patch(
        f"{API}/accounts/{account.pk}",
        {"owner_id": world.rep_a2.pk, "employees": None},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert (r.json()["owner_id"], r.json()["unit_path"]) == (world.rep_a2.pk, world.team_a2.path)


def test_update_account_to_uncovered_owner_is_403(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.leader)
    r = client.patch(
        f"{API}/accounts/{account.pk}",
        {"owner_id": world.rep_b.pk},
        content_type="application/json",
    )
    assert r.status_code == 403
    account.refresh_from_db()
    assert account.owner_id == world.rep.pk


def test_update_account_validation(world, login_as):
    account = make_account(owner=world.rep, name="Keep")
    client = login_as(world.rep)
    for payload, field in (
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"owner_id": None}, "owner_id"),
    ):
        r = client.patch(f"{API}/accounts/{account.pk}", payload, content_type="application/json")
        assert r.status_code == 422, payload
        assert field in _fields(r)
    account.refresh_from_db()
    assert account.name == "Keep"


def test_delete_account_with_lead_is_422(world, login_as):
    account = make_account(owner=world.rep)
    lead_model().objects.create(
        company="X",
        source="website",
        channel="inbound",
        received_on=dt.date(2024, 1, 1),
        account=account,
        owner=world.rep,
    )
    r = login_as(world.admin).delete(f"{API}/accounts/{account.pk}")
    assert r.status_code == 422
    assert "leads" in r.json()["detail"][0]["message"]
    assert Account.objects.filter(pk=account.pk).exists()


def test_account_list_filters_paginates_within_budget(
    world, login_as, django_assert_max_num_queries
):
    for n in range(6):
        make_account(owner=world.rep, name=f"Acc {n}", country="DE" if n % 2 else "FR")
    make_account(owner=world.rep, name="Special", segment="enterprise", size_band="large")
    client = login_as(world.leader)
    with django_assert_max_num_queries(10):
        r = client.get(f"{API}/accounts", {"country": "de", "limit": 2, "offset": 1})
    body = r.json()
    assert body["count"] == 3
    assert [i["name"] for i in body["items"]] == ["Acc 3", "Acc 5"]
    r = client.get(f"{API}/accounts", {"segment": "enterprise", "size_band": "large"})
    assert [i["name"] for i in r.json()["items"]] == ["Special"]
    r = client.get(f"{API}/accounts", {"q": "spec"})
    assert [i["name"] for i in r.json()["items"]] == ["Special"]


def test_contact_crud_and_validation(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    r = client.post(
        f"{API}/contacts",
        {"account_id": account.pk, "first_name": "Ada", "last_name": "L", "email": "bad"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _fields(r) == {"email"}
    assert Contact.objects.count() == 0
    r = client.post(
        f"{API}/contacts",
        {"account_id": account.pk, "first_name": "Ada", "last_name": "L", "is_primary": True},
        content_type="application/json",
    )
    assert r.status_code == 201
    contact_id = r.json()["id"]
    r = client.patch(
        f"{API}/contacts/{contact_id}", {"last_name": ""}, content_type="application/json"
    )
    assert r.status_code == 422
    assert _fields(r) == {"last_name"}
    r = client.get(f"{API}/contacts", {"account_id": account.pk, "q": "ada"})
    assert [i["id"] for i in r.json()["items"]] == [contact_id]
    assert client.delete(f"{API}/contacts/{contact_id}").status_code == 204


def test_contact_list_budget(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep)
    for _ in range(5):
        make_contact(account=account)
    client = login_as(world.manager)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/contacts")
    assert r.json()["count"] == 5
