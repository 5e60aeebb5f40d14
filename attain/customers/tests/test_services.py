"""Account and contact writes: stamping, exact values, validation with nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.customers.models import Account, Contact, Segment, SizeBand
from attain.customers.services import (
    account_create,
    account_delete,
    account_update,
    contact_create,
    contact_delete,
    contact_update,
)
from attain.customers.tests.factories import lead_model, make_account, make_contact
from attain.organization.models import Role
from attain.organization.services import person_move

pytestmark = pytest.mark.django_db


def test_account_create_stores_values_and_stamps_owner_placement(world):
    account = account_create(
        name=" Globex ",
        segment=Segment.ENTERPRISE,
        owner=world.rep,
        industry="Energy",
        size_band=SizeBand.LARGE,
        employees=420,
        annual_revenue=Decimal("12500000.5"),
        country="de",
        region="Bavaria",
        city="Munich",
        website="globex.example",
        external_ref="CRM-1",
        on=dt.date(2024, 5, 1),
    )
    account.refresh_from_db()
    assert (account.name, account.segment, account.size_band, account.employees) == (
        "Globex",
        "enterprise",
        "large",
        420,
    )
    assert account.annual_revenue == Decimal("12500000.50")
    assert (account.country, account.city, account.external_ref) == ("DE", "Munich", "CRM-1")
    assert (account.owner_id, account.unit_id, account.unit_path) == (
        world.rep.pk,
        world.team_a1.pk,
        world.team_a1.path,
    )


def test_account_create_stamps_placement_on_the_given_day(world):
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    before = make_account(owner=world.rep, on=dt.date(2024, 5, 31))
    after = make_account(owner=world.rep, on=dt.date(2024, 6, 1))
    assert before.unit_path == world.team_a1.path
    assert after.unit_path == world.team_a2.path


def test_account_create_for_person_without_membership_has_empty_stamp(world):
    account = make_account(owner=world.outsider)
    assert (account.unit_id, account.unit_path, account.territory_id) == (None, "", None)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": "  "}, {"name"}),
        ({"segment": "galactic"}, {"segment"}),
        ({"size_band": "huge"}, {"size_band"}),
        ({"employees": -1}, {"employees"}),
        ({"annual_revenue": Decimal("-0.01")}, {"annual_revenue"}),
        ({"annual_revenue": Decimal("1.001")}, {"annual_revenue"}),
        ({"country": "DEU"}, {"country"}),
        ({"owner": None}, {"owner"}),
        ({"name": "", "segment": "x", "country": "1"}, {"name", "segment", "country"}),
    ],
)
def test_account_create_rejects_bad_input_and_saves_nothing(world, fields, bad):
    data = {"name": "Initech", "segment": Segment.SMALL_BUSINESS, "owner": world.rep, **fields}
    with pytest.raises(ValidationError) as exc:
        account_create(**data)
    assert set(exc.value.message_dict) == bad
    assert Account.objects.count() == 0


def test_account_update_changes_fields_and_keeps_stamp(world):
    account = make_account(owner=world.rep, name="Old")
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    account_update(account=account, name="New", city="Lyon", employees=None)
    account.refresh_from_db()
    assert (account.name, account.city, account.employees) == ("New", "Lyon", None)
    assert account.unit_path == world.team_a1.path  # the owner moved, the stamp stays


def test_account_update_new_owner_restamps_with_todays_placement(world):
    account = make_account(owner=world.rep)
    updated = account_update(account=account, owner=world.rep_b)
    assert updated is account
    account.refresh_from_db()
    assert (account.owner_id, account.unit_id, account.unit_path) == (
        world.rep_b.pk,
        world.team_b1.pk,
        world.team_b1.path,
    )


def test_account_update_rejects_bad_values_and_unknown_fields(world):
    account = make_account(owner=world.rep, name="Keep", city="Oslo")
    with pytest.raises(ValidationError) as exc:
        account_update(account=account, name="", city="Paris", segment="nope")
    assert set(exc.value.message_dict) == {"name", "segment"}
    with pytest.raises(ValidationError) as exc:
        account_update(account=account, unit_path="0001")
    assert "unit_path" in exc.value.message_dict
    account.refresh_from_db()
    assert (account.name, account.city, account.segment) == ("Keep", "Oslo", "mid_market")


def test_account_parent_cannot_be_itself_or_a_subsidiary(world):
    top = make_account(owner=world.rep, name="Top")
    child = make_account(owner=world.rep, name="Child", parent=top)
    with pytest.raises(ValidationError) as exc:
        account_update(account=top, parent=child)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        account_update(account=top, parent=top)
    top.refresh_from_db()
    assert top.parent_id is None


def test_account_delete_cascades_contacts(world):
    account = make_account(owner=world.rep)
    make_contact(account=account)
    make_contact(account=account)
    account_delete(account=account)
    assert Account.objects.count() == 0
    assert Contact.objects.count() == 0


def test_account_delete_refused_while_a_lead_refers_to_it(world):
    account = make_account(owner=world.rep, name="Busy")
    make_contact(account=account)
    lead_model().objects.create(
        company="Busy",
        source="website",
        channel="inbound",
        received_on=dt.date(2024, 1, 1),
        account=account,
        owner=world.rep,
        unit_path=world.team_a1.path,
    )
    with pytest.raises(ValidationError) as exc:
        account_delete(account=account)
    assert "leads" in exc.value.message_dict["account"][0]
    assert Account.objects.filter(pk=account.pk).exists()
    assert Contact.objects.filter(account=account).count() == 1


def test_account_delete_refused_while_it_has_subsidiaries(world):
    top = make_account(owner=world.rep, name="Top")
    make_account(owner=world.rep, name="Child", parent=top)
    with pytest.raises(ValidationError) as exc:
        account_delete(account=top)
    assert "subsidiary" in exc.value.message_dict["account"][0]
    assert Account.objects.count() == 2


def test_contact_create_update_delete(world):
    account = make_account(owner=world.rep)
    contact = contact_create(
        account=account,
        first_name=" Ada ",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+44 1",
        job_title="CTO",
        is_primary=True,
        external_ref="C-1",
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.is_primary) == (
        "Ada",
        "ada@example.com",
        True,
    )
    contact_update(contact=contact, job_title="CEO", email="")
    contact.refresh_from_db()
    assert (contact.job_title, contact.email) == ("CEO", "")
    contact_delete(contact=contact)
    assert Contact.objects.count() == 0


def test_only_one_primary_contact_per_account(world):
    account = make_account(owner=world.rep)
    first = make_contact(account=account, is_primary=True)
    second = make_contact(account=account, is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    contact_update(contact=first, is_primary=True)
    second.refresh_from_db()
    assert second.is_primary is False


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"first_name": ""}, {"first_name"}),
        ({"last_name": " "}, {"last_name"}),
        ({"email": "not-an-email"}, {"email"}),
    ],
)
def test_contact_create_rejects_bad_input_and_saves_nothing(world, fields, bad):
    account = make_account(owner=world.rep)
    data = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    with pytest.raises(ValidationError) as exc:
        contact_create(account=account, **data)
    assert set(exc.value.message_dict) == bad
    assert Contact.objects.count() == 0


def test_contact_update_rejects_bad_input_and_keeps_values(world):
    contact = make_contact(account=make_account(owner=world.rep), first_name="Ada")
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, first_name="", email="bad")
    assert set(exc.value.message_dict) == {"first_name"}
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, email="bad")
    assert set(exc.value.message_dict) == {"email"}
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, account=None)
    assert "account" in exc.value.message_dict
    contact.refresh_from_db()
    assert (contact.first_name, contact.email) == ("Ada", "")
