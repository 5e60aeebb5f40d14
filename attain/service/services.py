"""Every write to customer service: opening, resolving and reopening complaints.

A complaint is stamped with its owner's place in the organisation on the day it was opened
(`person_placement_at`), like every sales fact, so visibility is the same prefix test on the
row. Opening one emits `complaint.opened` once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.core.events import event_emit, record_payload
from attain.core.periods import today
from attain.customers.models import Account, Contact
from attain.orders.models import Order
from attain.organization.models import Person
from attain.organization.selectors import placement_stamp
from attain.service.models import Complaint, ComplaintCategory, ComplaintStatus

SUBJECT_MAX = 200
EXTERNAL_REF_MAX = 64
#: What `complaint.opened` tells its receivers (besides id, external id, currency and URL).
OPENED_PAYLOAD_FIELDS = (
    "account_id",
    "order_id",
    "contact_id",
    "owner_id",
    "unit_id",
    "category",
    "subject",
    "description",
    "opened_on",
    "status",
)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _lock(complaint: Complaint) -> Complaint:
    """Re-read the complaint under a row lock so two concurrent resolutions cannot both pass."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _validate_open(
    errors: dict[str, str],
    *,
    account: Account | None,
    category: str,
    subject: str,
    description: str,
    opened_on: Any,
    order: Order | None,
    contact: Contact | None,
    owner: Person | None,
    external_ref: str,
) -> None:
    if not isinstance(account, Account):
        errors["account"] = _("Say which customer account the complaint comes from.")
        account = None
    if category not in ComplaintCategory.values:
        errors["category"] = _("%(category)s is not a complaint category.") % {
            "category": repr(category)
        }
    if not isinstance(subject, str) or not subject.strip():
        errors["subject"] = _("Give the complaint a subject.")
    elif len(subject.strip()) > SUBJECT_MAX:
        errors["subject"] = _("The subject is at most %(max)s characters long.") % {
            "max": SUBJECT_MAX
        }
    if not isinstance(description, str):
        errors["description"] = _("The description must be text.")
    if not _is_date(opened_on):
        errors["opened_on"] = _("Say on which day the complaint was opened (YYYY-MM-DD).")
    elif opened_on > today():
        errors["opened_on"] = _("A complaint cannot be opened in the future.")
    if order is not None:
        if not isinstance(order, Order):
            errors["order"] = _("This is not an order.")
        elif account is not None and order.account_id != account.pk:
            errors["order"] = _("Order %(order)s is not an order of %(account)s.") % {
                "order": order.number,
                "account": account,
            }
        elif _is_date(opened_on) and opened_on < order.ordered_on and "opened_on" not in errors:
            errors["opened_on"] = _(
                "A complaint about an order cannot be opened before the order was taken (%(on)s)."
            ) % {"on": order.ordered_on.isoformat()}
    if contact is not None:
        if not isinstance(contact, Contact):
            errors["contact"] = _("This is not a contact.")
        elif account is not None and contact.account_id != account.pk:
            errors["contact"] = _("%(contact)s does not work at %(account)s.") % {
                "contact": contact,
                "account": account,
            }
    if owner is not None and not isinstance(owner, Person):
        errors["owner"] = _("Say who is accountable for the complaint.")
    if not isinstance(external_ref, str) or len(external_ref.strip()) > EXTERNAL_REF_MAX:
        errors["external_ref"] = _("The external id is at most %(max)s characters long.") % {
            "max": EXTERNAL_REF_MAX
        }


@transaction.atomic
def complaint_open(
    *,
    account: Account,
    category: str,
    subject: str,
    opened_on: dt.date,
    description: str = "",
    order: Order | None = None,
    contact: Contact | None = None,
    owner: Person | None = None,
    external_ref: str = "",
) -> Complaint:
    """Record a customer's complaint, owned by `owner` (default: the account manager) and
    stamped with the owner's placement on `opened_on`; emits `complaint.opened` on commit."""
    description = "" if description is None else description
    external_ref = "" if external_ref is None else external_ref
    errors: dict[str, str] = {}
    _validate_open(
        errors,
        account=account,
        category=category,
        subject=subject,
        description=description,
        opened_on=opened_on,
        order=order,
        contact=contact,
        owner=owner,
        external_ref=external_ref,
    )
    _raise(errors)
    complaint = Complaint(
        account=account,
        order=order,
        contact=contact,
        category=category,
        subject=subject.strip(),
        description=description.strip(),
        opened_on=opened_on,
        status=ComplaintStatus.OPEN,
        external_ref=external_ref.strip(),
    )
    placement_stamp(complaint, owner=owner if owner is not None else account.owner, on=opened_on)
    complaint.save()
    event_emit("complaint.opened", payload=record_payload(complaint, *OPENED_PAYLOAD_FIELDS))
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, resolved_on: dt.date, resolution: str) -> Complaint:
    """Close an open complaint on `resolved_on` (not before it was opened, not in the future)
    with what was done about it."""
    locked = _lock(complaint)
    if locked.status == ComplaintStatus.RESOLVED:
        raise ValidationError({"status": _("The complaint is already resolved.")})
    errors: dict[str, str] = {}
    if not _is_date(resolved_on):
        errors["resolved_on"] = _("Say on which day the complaint was resolved (YYYY-MM-DD).")
    elif resolved_on < locked.opened_on:
        errors["resolved_on"] = _(
            "A complaint cannot be resolved before it was opened (%(on)s)."
        ) % {"on": locked.opened_on.isoformat()}
    elif resolved_on > today():
        errors["resolved_on"] = _("A complaint cannot be resolved in the future.")
    if not isinstance(resolution, str) or not resolution.strip():
        errors["resolution"] = _("Say how the complaint was resolved.")
    _raise(errors)
    locked.status = ComplaintStatus.RESOLVED
    locked.resolved_on = resolved_on
    locked.resolution = resolution.strip()
    locked.save(update_fields=["status", "resolved_on", "resolution", "updated_at"])
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint) -> Complaint:
    """Open a resolved complaint again (its resolution date and text are cleared)."""
    locked = _lock(complaint)
    if locked.status != ComplaintStatus.RESOLVED:
        raise ValidationError({"status": _("The complaint is open already.")})
    locked.status = ComplaintStatus.OPEN
    locked.resolved_on = None
    locked.resolution = ""
    locked.save(update_fields=["status", "resolved_on", "resolution", "updated_at"])
    complaint.refresh_from_db()
    return complaint
