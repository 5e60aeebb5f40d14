"""Complaint test data: accounts and orders from the order factories, complaints through the
complaint services (the same path as the app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attain.customers.models import Account, Contact
from attain.orders.tests.factories import DAY, make_account, make_order
from attain.organization.models import Person
from attain.service.models import Complaint
from attain.service.services import complaint_open

__all__ = ["DAY", "make_account", "make_complaint", "make_contact", "make_order"]


def make_contact(
    *, account: Account, first_name: str = "Chris", last_name: str = "Buyer"
) -> Contact:
    return Contact.objects.create(account=account, first_name=first_name, last_name=last_name)


def make_complaint(
    *,
    owner: Person | None = None,
    account: Account | None = None,
    category: str = "product",
    subject: str = "Broken on arrival",
    opened_on: dt.date = DAY,
    **fields: Any,
) -> Complaint:
    """A complaint at `account` (default: a new account managed by `owner`)."""
    if account is None:
        assert owner is not None, "give an owner or an account"
        account = make_account(owner=owner)
    return complaint_open(
        account=account,
        category=category,
        subject=subject,
        opened_on=opened_on,
        owner=owner,
        **fields,
    )
