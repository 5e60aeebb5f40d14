"""Complaint services: opening stamps the accountable seller's placement on the day and emits
`complaint.opened` after the commit; every bad input names its field and saves nothing;
resolving and reopening keep the invariants (also enforced by the database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from attain.core import events
from attain.core.periods import today
from attain.organization.models import Role
from attain.organization.services import person_move
from attain.service.models import Complaint
from attain.service.services import complaint_open, complaint_reopen, complaint_resolve
from attain.service.tests.factories import (
    DAY,
    make_account,
    make_complaint,
    make_contact,
    make_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """The events emitted (and committed), in order: (name, payload)."""
    heard: list[tuple[str, dict[str, Any]]] = []

    def listener(*, event: events.Event, payload: dict[str, Any]) -> None:
        heard.append((event.name, payload))

    monkeypatch.setattr(events, "_listeners", [listener])
    return heard


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- opening -----------------------------------------------------------------------------------


def test_open_owns_it_by_the_account_manager_stamped_on_the_day(world):
    account = make_account(owner=world.rep)
    complaint = complaint_open(
        account=account,
        category="delivery",
        subject="  Pallet arrived late  ",
        description=" Two days after the promised date. ",
        opened_on=DAY,
    )
    complaint.refresh_from_db()
    assert (
        complaint.owner,
        complaint.unit_id,
        complaint.unit_path,
        complaint.territory_id,
    ) == (world.rep, world.team_a1.pk, world.team_a1.path, None)
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")
    assert (complaint.subject, complaint.description) == (
        "Pallet arrived late",
        "Two days after the promised date.",
    )
    assert (complaint.opened_on, complaint.category) == (DAY, "delivery")
    assert complaint.get_absolute_url() == f"/service/complaints/{complaint.pk}/"


def test_open_with_an_order_a_contact_and_another_accountable_seller(world):
    account = make_account(owner=world.rep)
    order = make_order(owner=world.rep, account=account)
    contact = make_contact(account=account)
    complaint = complaint_open(
        account=account,
        category="product",
        subject="Cracked housing",
        opened_on=DAY + dt.timedelta(days=4),
        order=order,
        contact=contact,
        owner=world.rep_a2,
        external_ref="ZD-1001",
    )
    complaint.refresh_from_db()
    assert (complaint.order, complaint.contact, complaint.external_ref) == (
        order,
        contact,
        "ZD-1001",
    )
    assert (complaint.owner, complaint.unit_id, complaint.unit_path) == (
        world.rep_a2,
        world.team_a2.pk,
        world.team_a2.path,
    )


def test_the_stamp_is_the_owners_placement_on_the_opening_day(world):
    account = make_account(owner=world.rep, on=dt.date(2024, 1, 2))
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    before = make_complaint(account=account, opened_on=dt.date(2024, 5, 31))
    after = make_complaint(account=account, opened_on=dt.date(2024, 6, 1))
    assert (before.owner, before.unit_path) == (world.rep, world.team_a1.path)
    assert (after.owner, after.unit_path) == (world.rep, world.team_a2.path)
    # the old team's leader keeps the complaint from the seller's time in the team
    assert list(Complaint.objects.visible_to(world.leader.user)) == [before]


def _bad_inputs(world) -> dict[str, tuple[dict[str, Any], str, str]]:
    """name → (arguments changed from a good call, the field, its exact message)."""
    account = make_account(owner=world.rep, name="Globex")
    other = make_account(owner=world.rep, name="Initech")
    order = make_order(owner=world.rep, account=other, number="SO-OTHER-1")
    own_order = make_order(owner=world.rep, account=account, ordered_on=DAY)
    contact = make_contact(account=other, first_name="Ann", last_name="Other")
    tomorrow = today() + dt.timedelta(days=1)
    return {
        "good": ({"account": account}, "", ""),
        "no account": (
            {"account": None},
            "account",
            "Say which customer account the complaint comes from.",
        ),
        "unknown category": (
            {"account": account, "category": "praise"},
            "category",
            "'praise' is not a complaint category.",
        ),
        "blank subject": (
            {"account": account, "subject": "   "},
            "subject",
            "Give the complaint a subject.",
        ),
        "long subject": (
            {"account": account, "subject": "x" * 201},
            "subject",
            "The subject is at most 200 characters long.",
        ),
        "no date": (
            {"account": account, "opened_on": None},
            "opened_on",
            "Say on which day the complaint was opened (YYYY-MM-DD).",
        ),
        "future date": (
            {"account": account, "opened_on": tomorrow},
            "opened_on",
            "A complaint cannot be opened in the future.",
        ),
        "order of another account": (
            {"account": account, "order": order},
            "order",
            "Order SO-OTHER-1 is not an order of Globex.",
        ),
        "before the order": (
            {"account": account, "order": own_order, "opened_on": DAY - dt.timedelta(days=1)},
            "opened_on",
            "A complaint about an order cannot be opened before the order was taken (2025-03-03).",
        ),
        "contact elsewhere": (
            {"account": account, "contact": contact},
            "contact",
            "Ann Other does not work at Globex.",
        ),
        "long external id": (
            {"account": account, "external_ref": "z" * 65},
            "external_ref",
            "The external id is at most 64 characters long.",
        ),
    }


BAD = [
    "no account",
    "unknown category",
    "blank subject",
    "long subject",
    "no date",
    "future date",
    "order of another account",
    "before the order",
    "contact elsewhere",
    "long external id",
]


@pytest.mark.parametrize("case", BAD)
def test_each_bad_input_names_its_field_and_saves_nothing(
    world, emitted, django_capture_on_commit_callbacks, case
):
    changes, field, message = _bad_inputs(world)[case]
    arguments = {"category": "billing", "subject": "Invoice twice", "opened_on": DAY, **changes}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        complaint_open(**arguments)
    assert _messages(exc) == {field: [message]}
    assert not Complaint.objects.exists()
    assert emitted == []


def test_all_problems_are_reported_at_once(world):
    with pytest.raises(ValidationError) as exc:
        complaint_open(account=None, category="", subject="", opened_on=None)  # type: ignore[arg-type]
    assert set(_messages(exc)) == {"account", "category", "subject", "opened_on"}
    assert not Complaint.objects.exists()


def test_the_good_call_of_the_table_works(world):
    changes, _field, _message = _bad_inputs(world)["good"]
    complaint_open(category="billing", subject="Invoice twice", opened_on=DAY, **changes)
    assert Complaint.objects.count() == 1


# --- the event ---------------------------------------------------------------------------------


def test_opening_emits_complaint_opened_after_the_commit(
    world, emitted, django_capture_on_commit_callbacks
):
    account = make_account(owner=world.rep)
    order = make_order(owner=world.rep, account=account)
    contact = make_contact(account=account)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_open(
            account=account,
            category="delivery",
            subject="Late pallet",
            description="Promised on Monday, came on Thursday.",
            opened_on=dt.date(2025, 3, 10),
            order=order,
            contact=contact,
            external_ref="ZD-7",
        )
        assert emitted == []  # not before the commit
    assert emitted == [
        (
            "complaint.opened",
            {
                "id": complaint.pk,
                "external_id": "ZD-7",
                "account_id": account.pk,
                "order_id": order.pk,
                "contact_id": contact.pk,
                "owner_id": world.rep.pk,
                "unit_id": world.team_a1.pk,
                "category": "delivery",
                "subject": "Late pallet",
                "description": "Promised on Monday, came on Thursday.",
                "opened_on": "2025-03-10",
                "status": "open",
                "reporting_currency": "EUR",
                "url": f"/service/complaints/{complaint.pk}/",
            },
        )
    ]


def test_a_rolled_back_opening_emits_nothing(world, emitted, django_capture_on_commit_callbacks):
    account = make_account(owner=world.rep)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                complaint_open(account=account, category="other", subject="Rude", opened_on=DAY)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert not Complaint.objects.exists()
    assert emitted == []


def test_resolving_emits_nothing(world, emitted, django_capture_on_commit_callbacks):
    complaint = make_complaint(owner=world.rep)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_resolve(complaint=complaint, resolved_on=DAY, resolution="Replaced.")
    assert emitted == []


def test_complaint_opened_is_in_the_catalogue_and_emitted():
    assert str(events.EVENTS["complaint.opened"]) == "A customer complaint was opened."
    assert not events.NOT_EMITTED_YET


# --- resolving and reopening -------------------------------------------------------------------


def test_resolve_records_the_day_and_the_resolution(world):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    complaint_resolve(complaint=complaint, resolved_on=DAY, resolution="  Sent a new unit.  ")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == (
        "resolved",
        DAY,
        "Sent a new unit.",
    )


@pytest.mark.parametrize(
    ("resolved_on", "resolution", "field", "message"),
    [
        (
            DAY - dt.timedelta(days=1),
            "Refunded.",
            "resolved_on",
            "A complaint cannot be resolved before it was opened (2025-03-03).",
        ),
        ("future", "Refunded.", "resolved_on", "A complaint cannot be resolved in the future."),
        (
            None,
            "Refunded.",
            "resolved_on",
            "Say on which day the complaint was resolved (YYYY-MM-DD).",
        ),
        (DAY, "   ", "resolution", "Say how the complaint was resolved."),
    ],
)
def test_resolve_refuses_bad_input_and_changes_nothing(
    world, resolved_on, resolution, field, message
):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    day = today() + dt.timedelta(days=1) if resolved_on == "future" else resolved_on
    with pytest.raises(ValidationError) as exc:
        complaint_resolve(complaint=complaint, resolved_on=day, resolution=resolution)
    assert _messages(exc) == {field: [message]}
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")


def test_resolve_refuses_an_already_resolved_complaint(world):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    complaint_resolve(complaint=complaint, resolved_on=DAY, resolution="Refunded.")
    with pytest.raises(ValidationError) as exc:
        complaint_resolve(
            complaint=complaint, resolved_on=DAY + dt.timedelta(1), resolution="Again."
        )
    assert _messages(exc) == {"status": ["The complaint is already resolved."]}
    complaint.refresh_from_db()
    assert (complaint.resolved_on, complaint.resolution) == (DAY, "Refunded.")


def test_reopen_clears_the_resolution_and_refuses_an_open_complaint(world):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    with pytest.raises(ValidationError) as exc:
        complaint_reopen(complaint=complaint)
    assert _messages(exc) == {"status": ["The complaint is open already."]}
    complaint_resolve(complaint=complaint, resolved_on=DAY, resolution="Refunded.")
    complaint_reopen(complaint=complaint)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")
    assert complaint.unit_path == world.team_a1.path  # reopening does not re-stamp


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "resolved", "resolved_on": None, "resolution": "Done."},  # no date
        {"status": "open", "resolved_on": DAY},  # a date while open
        {"status": "resolved", "resolved_on": DAY - dt.timedelta(1), "resolution": "Done."},
        {"status": "resolved", "resolved_on": DAY, "resolution": ""},  # no resolution
        {"status": "closed"},
    ],
)
def test_the_database_enforces_the_invariants(world, changes):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(**changes)
