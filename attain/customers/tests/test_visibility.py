"""Visibility matrix: every world role × list/detail/create/edit/delete, pages and API.

The records belong to `rep` (team A1), so they are visible to admin, the division A managers,
the team A1 leader and rep; deletable by admin and those leaders; invisible (404) to all others.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.customers.models import Account, Contact
from attain.customers.tests.factories import make_account, make_contact

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"
ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep2",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]
SEES_REP = {"admin", "manager", "assistant", "leader", "rep"}
DELETES_REP = {"admin", "manager", "assistant", "leader"}
GUESS = 987654


@pytest.fixture
def records(world):
    account = make_account(owner=world.rep, name="Zeta Industries", city="Turin")
    contact = make_contact(account=account, first_name="Quentin", last_name="Quill")
    return account, contact


def _account_snapshot():
    return list(Account.objects.order_by("pk").values_list("pk", "name", "owner_id", "unit_path"))


def _contact_snapshot():
    return list(Contact.objects.order_by("pk").values_list("pk", "first_name", "account_id"))


# --- accounts: pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_account_pages_matrix(world, login_as, records, role):
    account, _contact = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP

    body = client.get(reverse("customers:account_list")).content.decode()
    assert ("Zeta Industries" in body) is sees

    expected = 200 if sees else 404
    assert client.get(reverse("customers:account_detail", args=[account.pk])).status_code == (
        expected
    )
    assert client.get(reverse("customers:account_edit", args=[account.pk])).status_code == expected
    assert client.get(reverse("customers:account_detail", args=[GUESS])).status_code == 404
    assert client.get(reverse("customers:account_edit", args=[GUESS])).status_code == 404
    assert client.post(reverse("customers:account_delete", args=[GUESS])).status_code == 404

    before = _account_snapshot()
    r = client.post(
        reverse("customers:account_edit", args=[account.pk]),
        {"name": "Renamed", "segment": "mid_market", "owner": world.rep.pk},
    )
    if sees:
        assert r.status_code == 302, r.context["form"].errors if r.context else r
        account.refresh_from_db()
        assert account.name == "Renamed"
    else:
        assert r.status_code == 404
        assert _account_snapshot() == before

    before = _account_snapshot()
    r = client.post(reverse("customers:account_delete", args=[account.pk]))
    if role in DELETES_REP:
        assert r.status_code == 302
        assert not Account.objects.filter(pk=account.pk).exists()
    else:
        assert r.status_code == (403 if sees else 404)
        assert _account_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_account_create_page_owner_must_be_covered(world, login_as, role):
    client = login_as(getattr(world, role))
    r = client.get(reverse("customers:account_create"))
    assert r.status_code == 200
    offered = {p.pk for p in r.context["form"].fields["owner"].queryset}
    assert (world.rep.pk in offered) is (role in SEES_REP)

    r = client.post(
        reverse("customers:account_create"),
        {"name": "For rep", "segment": "consumer", "owner": world.rep.pk},
    )
    if role in SEES_REP:
        assert r.status_code == 302
        created = Account.objects.get(name="For rep")
        assert (created.owner_id, created.unit_path) == (world.rep.pk, world.team_a1.path)
    else:
        assert r.status_code == 200
        assert "owner" in r.context["form"].errors
        assert not Account.objects.filter(name="For rep").exists()

    # everyone may create an account they own themselves
    me = getattr(world, role)
    r = client.post(
        reverse("customers:account_create"),
        {"name": "Mine", "segment": "consumer", "owner": me.pk},
    )
    assert r.status_code == 302
    assert Account.objects.get(name="Mine").owner_id == me.pk


# --- accounts: API -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_account_api_matrix(world, login_as, records, role):
    account, _contact = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP

    ids = [item["id"] for item in client.get(f"{API}/accounts").json()["items"]]
    assert (account.pk in ids) is sees
    expected = 200 if sees else 404
    assert client.get(f"{API}/accounts/{account.pk}").status_code == expected
    assert client.get(f"{API}/accounts/{GUESS}").status_code == 404
    assert (
        client.patch(
            f"{API}/accounts/{GUESS}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/accounts/{GUESS}").status_code == 404

    before = _account_snapshot()
    r = client.post(
        f"{API}/accounts",
        {"name": "API for rep", "segment": "consumer", "owner_id": world.rep.pk},
        content_type="application/json",
    )
    if sees:
        assert r.status_code == 201, r.content
        assert r.json()["unit_path"] == world.team_a1.path
    else:
        assert r.status_code == 403
        assert _account_snapshot() == before

    before = _account_snapshot()
    r = client.patch(
        f"{API}/accounts/{account.pk}", {"city": "Milan"}, content_type="application/json"
    )
    if sees:
        assert r.status_code == 200
        assert r.json()["city"] == "Milan"
    else:
        assert r.status_code == 404
        assert _account_snapshot() == before

    before = _account_snapshot()
    r = client.delete(f"{API}/accounts/{account.pk}")
    if role in DELETES_REP:
        assert r.status_code == 204
        assert not Account.objects.filter(pk=account.pk).exists()
    else:
        assert r.status_code == (403 if sees else 404)
        assert _account_snapshot() == before


# --- contacts: pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_contact_pages_matrix(world, login_as, records, role):
    account, contact = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP
    expected = 200 if sees else 404

    body = client.get(reverse("customers:contact_list")).content.decode()
    assert ("Quill" in body) is sees
    assert client.get(reverse("customers:contact_detail", args=[contact.pk])).status_code == (
        expected
    )
    assert client.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == (
        expected
    )
    assert client.get(reverse("customers:contact_create", args=[account.pk])).status_code == (
        expected
    )
    for name in ("contact_detail", "contact_edit", "contact_delete"):
        assert client.get(reverse(f"customers:{name}", args=[GUESS])).status_code == 404
    assert client.get(reverse("customers:contact_create", args=[GUESS])).status_code == 404

    before = _contact_snapshot()
    r = client.post(
        reverse("customers:contact_create", args=[account.pk]),
        {"first_name": "New", "last_name": "Person"},
    )
    if sees:
        assert r.status_code == 302
        assert Contact.objects.filter(account=account, first_name="New").exists()
    else:
        assert r.status_code == 404
        assert _contact_snapshot() == before

    before = _contact_snapshot()
    r = client.post(
        reverse("customers:contact_edit", args=[contact.pk]),
        {"first_name": "Peter", "last_name": "Quill"},
    )
    if sees:
        assert r.status_code == 302
        contact.refresh_from_db()
        assert contact.first_name == "Peter"
    else:
        assert r.status_code == 404
        assert _contact_snapshot() == before

    before = _contact_snapshot()
    r = client.post(reverse("customers:contact_delete", args=[contact.pk]))
    if sees:
        assert r.status_code == 302
        assert not Contact.objects.filter(pk=contact.pk).exists()
    else:
        assert r.status_code == 404
        assert _contact_snapshot() == before


# --- contacts: API -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_contact_api_matrix(world, login_as, records, role):
    account, contact = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP
    expected = 200 if sees else 404

    ids = [item["id"] for item in client.get(f"{API}/contacts").json()["items"]]
    assert (contact.pk in ids) is sees
    assert client.get(f"{API}/contacts/{contact.pk}").status_code == expected
    assert client.get(f"{API}/contacts/{GUESS}").status_code == 404
    assert client.delete(f"{API}/contacts/{GUESS}").status_code == 404

    before = _contact_snapshot()
    r = client.post(
        f"{API}/contacts",
        {"account_id": account.pk, "first_name": "New", "last_name": "Person"},
        content_type="application/json",
    )
    if sees:
        assert r.status_code == 201, r.content
    else:
        assert r.status_code == 422
        assert r.json()["detail"][0]["field"] == "account_id"
        assert _contact_snapshot() == before

    before = _contact_snapshot()
    r = client.patch(
        f"{API}/contacts/{contact.pk}", {"job_title": "Buyer"}, content_type="application/json"
    )
    if sees:
        assert r.status_code == 200
        assert r.json()["job_title"] == "Buyer"
    else:
        assert r.status_code == 404
        assert _contact_snapshot() == before

    before = _contact_snapshot()
    r = client.delete(f"{API}/contacts/{contact.pk}")
    if sees:
        assert r.status_code == 204
        assert not Contact.objects.filter(pk=contact.pk).exists()
    else:
        assert r.status_code == 404
        assert _contact_snapshot() == before
