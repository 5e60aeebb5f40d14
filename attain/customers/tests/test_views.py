"""Customer pages render, list search/filter/sort, forms show field errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attain.customers.models import Account, Contact
from attain.customers.tests.factories import lead_model, make_account, make_contact
from attain.organization.models import Role
from attain.organization.services import person_move

pytestmark = pytest.mark.django_db


def test_pages_render(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep, name="Acme", annual_revenue=None)
    contact = make_contact(account=account, first_name="Ada", is_primary=True)
    for n in range(10):
        make_account(owner=world.rep, name=f"Filler {n}")
    client = login_as(world.rep)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("customers:account_list"))
    assert r.status_code == 200
    with django_assert_max_num_queries(14):
        r = client.get(reverse("customers:contact_list"))
    assert r.status_code == 200 and "Ada" in r.content.decode()
    for url in (
        account.get_absolute_url(),
        reverse("customers:account_create"),
        reverse("customers:account_edit", args=[account.pk]),
        reverse("customers:contact_create", args=[account.pk]),
        contact.get_absolute_url(),
        reverse("customers:contact_edit", args=[contact.pk]),
        reverse("customers:contact_delete", args=[contact.pk]),
    ):
        assert client.get(url).status_code == 200, url
    body = client.get(account.get_absolute_url()).content.decode()
    assert "Ada" in body
    # reps cannot delete accounts: no delete button
    assert reverse("customers:account_delete", args=[account.pk]) not in body
    body = login_as(world.leader).get(account.get_absolute_url()).content.decode()
    assert reverse("customers:account_delete", args=[account.pk]) in body


def test_account_list_search_filters_and_sort(world, login_as):
    make_account(owner=world.rep, name="Alpha", city="Bergen", country="NO", segment="enterprise")
    make_account(owner=world.rep, name="Beta", industry="Mining", country="SE", size_band="micro")
    client = login_as(world.rep)
    url = reverse("customers:account_list")
    body = client.get(url, {"q": "bergen"}).content.decode()
    assert "Alpha" in body and "Beta" not in body
    body = client.get(url, {"q": "mining"}).content.decode()
    assert "Beta" in body and "Alpha" not in body
    body = client.get(url, {"segment": "enterprise"}).content.decode()
    assert "Alpha" in body and "Beta" not in body
    body = client.get(url, {"size": "micro"}).content.decode()
    assert "Beta" in body and "Alpha" not in body
    body = client.get(url, {"country": "SE"}).content.decode()
    assert "Beta" in body and "Alpha" not in body
    body = client.get(url, {"sort": "-name"}).content.decode()
    assert body.index("Beta") < body.index("Alpha")
    for sort in ("segment", "-created_at", "nonsense"):
        assert client.get(url, {"sort": sort}).status_code == 200


def test_account_form_shows_field_errors_and_saves_nothing(world, login_as):
    client = login_as(world.rep)
    r = client.post(
        reverse("customers:account_create"),
        {
            "name": "Bad",
            "segment": "consumer",
            "owner": world.rep.pk,
            "annual_revenue": "-1",
            "country": "X1",
            "employees": "-4",
        },
    )
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert set(errors) == {"annual_revenue", "country", "employees"}
    assert "negative" in errors["annual_revenue"][0]
    r = client.post(reverse("customers:account_create"), {"segment": "consumer"})
    assert set(r.context["form"].errors) == {"name", "owner"}
    assert Account.objects.count() == 0


def test_account_edit_keeps_owner_it_cannot_assign(world, login_as):
    """The owner moved out of the leader's team: the leader still edits the account (its stamp
    is in the team) and may keep that owner, but cannot assign it to someone outside."""
    account = make_account(owner=world.rep, name="Old team's")
    person_move(person=world.rep, unit=world.team_b1, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    client = login_as(world.leader)
    url = reverse("customers:account_edit", args=[account.pk])
    r = client.post(url, {"name": "Renamed", "segment": "consumer", "owner": world.rep.pk})
    assert r.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.unit_path) == ("Renamed", world.team_a1.path)
    r = client.post(url, {"name": "Renamed", "segment": "consumer", "owner": world.rep_b.pk})
    assert r.status_code == 200
    assert "owner" in r.context["form"].errors
    account.refresh_from_db()
    assert account.owner_id == world.rep.pk


def test_account_edit_change_owner_restamps(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.manager)
    r = client.post(
        reverse("customers:account_edit", args=[account.pk]),
        {"name": account.name, "segment": "consumer", "owner": world.rep_a2.pk},
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert (account.owner_id, account.unit_path) == (world.rep_a2.pk, world.team_a2.path)


def test_account_delete_blocked_by_lead_shows_why(world, login_as):
    account = make_account(owner=world.rep, name="Busy")
    lead_model().objects.create(
        company="Busy",
        source="website",
        channel="inbound",
        received_on=dt.date(2024, 1, 1),
        account=account,
        owner=world.rep,
    )
    client = login_as(world.admin)
    assert client.get(reverse("customers:account_delete", args=[account.pk])).status_code == 200
    r = client.post(reverse("customers:account_delete", args=[account.pk]), follow=True)
    assert r.status_code == 200
    assert "leads" in r.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()


def test_contact_form_shows_field_errors(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    r = client.post(
        reverse("customers:contact_create", args=[account.pk]),
        {"first_name": "", "last_name": "X", "email": "nope"},
    )
    assert r.status_code == 200
    assert set(r.context["form"].errors) == {"first_name", "email"}
    assert Contact.objects.count() == 0
    contact = make_contact(account=account, first_name="Keep")
    r = client.post(
        reverse("customers:contact_edit", args=[contact.pk]), {"first_name": "", "last_name": ""}
    )
    assert set(r.context["form"].errors) == {"first_name", "last_name"}
    contact.refresh_from_db()
    assert contact.first_name == "Keep"


def test_contact_list_search(world, login_as):
    account = make_account(owner=world.rep, name="Umbrella")
    make_contact(account=account, first_name="Alice", last_name="Ng")
    make_contact(account=make_account(owner=world.rep, name="Other"), first_name="Bob")
    client = login_as(world.rep)
    body = client.get(reverse("customers:contact_list"), {"q": "umbrella"}).content.decode()
    assert "Alice" in body and "Bob" not in body


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get(reverse("customers:account_list"))
    assert r.status_code == 302 and "login" in r.url


def test_admin_screens_are_read_only_for_admins(world, login_as):
    world.admin.user.is_staff = True
    world.admin.user.save(update_fields=["is_staff"])
    make_contact(account=make_account(owner=world.rep, name="Seen in admin"))
    client = login_as(world.admin)
    for model in ("account", "contact"):
        assert client.get(f"/admin/customers/{model}/").status_code == 200, model
        assert client.get(f"/admin/customers/{model}/add/").status_code == 403, model
    assert "Seen in admin" in client.get("/admin/customers/account/").content.decode()


def test_a_seller_adds_a_private_contact_seen_by_them_and_sales_operations(world, login_as):
    client = login_as(world.rep)
    page = client.get(reverse("customers:contact_list")).content.decode()
    assert reverse("customers:private_contact_create") in page  # the list's "New" button
    form = client.get(reverse("customers:private_contact_create"))
    assert "is_primary" not in form.context["form"].fields

    r = client.post(
        reverse("customers:private_contact_create"),
        {"first_name": "", "last_name": "Vos", "email": "not-an-email"},
    )
    assert r.status_code == 200 and set(r.context["form"].errors) == {"first_name", "email"}
    assert Contact.objects.count() == 0

    r = client.post(
        reverse("customers:private_contact_create"),
        {"first_name": "Anke", "last_name": "Vos", "email": "anke@example.org", "phone": "06"},
    )
    contact = Contact.objects.get()
    assert r.status_code == 302 and r.url == contact.get_absolute_url()
    assert (contact.account, contact.owner, contact.email, contact.is_primary) == (
        None,
        world.rep,
        "anke@example.org",
        False,
    )
    assert "private contact of" in client.get(contact.get_absolute_url()).content.decode()
    assert login_as(world.admin).get(contact.get_absolute_url()).status_code == 200
    assert login_as(world.rep2).get(contact.get_absolute_url()).status_code == 404
