"""Customer test data, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from attain.customers.models import Account, Contact, Segment
from attain.customers.services import account_create, contact_create
from attain.organization.models import Person

_seq = itertools.count(1)


def make_account(*, owner: Person, name: str | None = None, **fields: Any) -> Account:
    fields.setdefault("segment", Segment.MID_MARKET)
    fields.setdefault("on", dt.date(2024, 1, 15))
    return account_create(name=name or f"Account {next(_seq)}", owner=owner, **fields)


def make_contact(*, account: Account, **fields: Any) -> Contact:
    n = next(_seq)
    fields.setdefault("first_name", "Chris")
    fields.setdefault("last_name", f"Buyer{n}")
    return contact_create(account=account, **fields)


def lead_model() -> Any:
    """The pipeline Lead model, reached through the reverse relation (no upward import)."""
    return Account._meta.get_field("leads").related_model
