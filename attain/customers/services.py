"""Every write to accounts and contacts.

Accounts are stamped with their owner's place in the organisation (unit, path, territory) when
created; the stamp changes only when the owner changes. Who may call what (owner coverage,
deleting) is checked by the pages and the API with `customers.selectors`; these functions
validate the data and save all of it or nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.core.facts import facts_changed
from attain.core.money import parse_decimal, quantize_money
from attain.core.periods import today
from attain.customers.models import Account, Contact, Segment, SizeBand
from attain.organization.models import Person
from attain.organization.selectors import person_placement_at

ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "segment",
        "owner",
        "industry",
        "size_band",
        "employees",
        "annual_revenue",
        "country",
        "region",
        "city",
        "website",
        "parent",
        "external_ref",
    }
)
CONTACT_FIELDS = frozenset(
    {"first_name", "last_name", "email", "phone", "job_title", "is_primary", "external_ref"}
)
_TEXT_FIELDS = ("name", "industry", "region", "city", "website", "external_ref")

#: Reverse relations from other apps that keep an account alive (defined in pipeline/orders).
_BLOCKING_RELATIONS = (
    ("deals", gettext_noop("deals")),
    ("orders", gettext_noop("orders")),
    ("leads", gettext_noop("leads")),
    ("activities", gettext_noop("activities")),
    ("subsidiaries", gettext_noop("subsidiary accounts")),
)


def _stamp(account: Account, *, owner: Person, on: dt.date) -> None:
    placement = person_placement_at(person_id=owner.pk, on=on)
    account.owner = owner
    account.unit_id = placement.unit_id
    account.unit_path = placement.unit_path
    account.territory_id = placement.territory_id


def _clean_account_data(data: dict[str, Any], *, account_pk: int | None) -> dict[str, Any]:
    """Normalise and validate account fields; raise one ValidationError naming every field."""
    errors: dict[str, str] = {}
    clean = dict(data)
    for field in _TEXT_FIELDS:
        clean[field] = (clean.get(field) or "").strip()
    if not clean["name"]:
        errors["name"] = _("Give the account a name.")
    if clean.get("segment") not in Segment.values:
        errors["segment"] = _("“%(segment)s” is not a segment; choose one of %(choices)s.") % {
            "segment": clean.get("segment"),
            "choices": ", ".join(Segment.values),
        }
    clean["size_band"] = clean.get("size_band") or ""
    if clean["size_band"] and clean["size_band"] not in SizeBand.values:
        errors["size_band"] = _(
            "“%(size_band)s” is not a size band; choose one of %(choices)s."
        ) % {"size_band": clean["size_band"], "choices": ", ".join(SizeBand.values)}
    if not isinstance(clean.get("owner"), Person):
        errors["owner"] = _("Choose the account manager (owner).")
    employees = clean.get("employees")
    if employees is not None:
        if isinstance(employees, bool) or not isinstance(employees, int):
            errors["employees"] = _("The number of employees must be a whole number.")
        elif employees < 0:
            errors["employees"] = _(
                "The number of employees cannot be negative (got %(employees)s)."
            ) % {"employees": employees}
    revenue = clean.get("annual_revenue")
    if revenue is not None and revenue != "":
        try:
            amount = parse_decimal(revenue)
        except ValueError as exc:
            errors["annual_revenue"] = _("The annual revenue must be a number (%(error)s).") % {
                "error": exc
            }
        else:
            if amount < 0:
                errors["annual_revenue"] = _(
                    "The annual revenue cannot be negative (got %(amount)s)."
                ) % {"amount": amount}
            elif quantize_money(amount) != amount:
                errors["annual_revenue"] = _(
                    "The annual revenue has at most 2 decimal places (got %(amount)s)."
                ) % {"amount": amount}
            else:
                clean["annual_revenue"] = quantize_money(amount)
    else:
        clean["annual_revenue"] = None
    country = (clean.get("country") or "").strip().upper()
    if country and not (len(country) == 2 and country.isalpha() and country.isascii()):
        errors["country"] = _("“%(country)s” is not a 2-letter ISO country code (e.g. DE, FR).") % {
            "country": country
        }
    clean["country"] = country
    parent = clean.get("parent")
    if parent is not None:
        if not isinstance(parent, Account):
            errors["parent"] = _("The parent must be an account.")
        elif account_pk is not None and _is_self_or_descendant(parent, account_pk):
            errors["parent"] = _(
                "“%(parent)s” cannot be the parent: it is this account or one of its subsidiaries."
            ) % {"parent": parent}
    if errors:
        raise ValidationError(errors)
    return clean


def _is_self_or_descendant(parent: Account, account_pk: int) -> bool:
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == account_pk:
            return True
        seen.add(current)
        current = Account.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return False


@transaction.atomic
def account_create(
    *,
    name: str,
    segment: str,
    owner: Person,
    industry: str = "",
    size_band: str = "",
    employees: int | None = None,
    annual_revenue: Decimal | None = None,
    country: str = "",
    region: str = "",
    city: str = "",
    website: str = "",
    parent: Account | None = None,
    external_ref: str = "",
    on: dt.date | None = None,
) -> Account:
    """Create an account owned by `owner`, stamped with the owner's placement on `on` (today)."""
    data = _clean_account_data(
        {
            "name": name,
            "segment": segment,
            "owner": owner,
            "industry": industry,
            "size_band": size_band,
            "employees": employees,
            "annual_revenue": annual_revenue,
            "country": country,
            "region": region,
            "city": city,
            "website": website,
            "parent": parent,
            "external_ref": external_ref,
        },
        account_pk=None,
    )
    owner = data.pop("owner")
    account = Account(**data)
    _stamp(account, owner=owner, on=on or today())
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(*, account: Account, **fields: Any) -> Account:
    """Change any of the account's fields; a new owner re-stamps it with today's placement."""
    unknown = sorted(set(fields) - ACCOUNT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("“%(name)s” cannot be changed here.") % {"name": name} for name in unknown}
        )
    fresh = (
        Account.objects.select_for_update(of=("self",))
        .select_related("owner", "parent")
        .get(pk=account.pk)
    )
    current = {name: getattr(fresh, name) for name in ACCOUNT_FIELDS}
    data = _clean_account_data({**current, **fields}, account_pk=fresh.pk)
    owner = data.pop("owner")
    for name, value in data.items():
        setattr(fresh, name, value)
    if owner.pk != fresh.owner_id:
        _stamp(fresh, owner=owner, on=today())
    fresh.full_clean()
    fresh.save()
    if fresh.segment != current["segment"]:
        facts_changed("account", ids=[fresh.pk])  # rollups are keyed by the account's segment
    account.refresh_from_db()
    return account


def account_delete_blockers(*, account: Account) -> list[str]:
    """What still refers to the account (deals, orders, leads…); empty when it may be deleted."""
    blockers = []
    for relation, label in _BLOCKING_RELATIONS:
        manager = getattr(account, relation, None)
        if manager is not None and manager.exists():
            blockers.append(label)
    return blockers


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Delete an account nothing refers to; its contacts go with it."""
    blockers = account_delete_blockers(account=account)
    if blockers:
        raise ValidationError(
            {
                "account": _(
                    "“%(account)s” cannot be deleted: it still has %(blockers)s. "
                    "Reassign or remove those first."
                )
                % {"account": account, "blockers": ", ".join(_(label) for label in blockers)}
            }
        )
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError as exc:
        raise ValidationError(
            {
                "account": _("“%(account)s” cannot be deleted: other records still refer to it.")
                % {"account": account}
            }
        ) from exc


# --- contacts ----------------------------------------------------------------------------------


def _clean_contact(contact: Contact) -> None:
    errors: dict[str, str] = {}
    for field in ("first_name", "last_name", "email", "phone", "job_title", "external_ref"):
        setattr(contact, field, (getattr(contact, field) or "").strip())
    if not contact.first_name:
        errors["first_name"] = _("Give the contact's first name.")
    if not contact.last_name:
        errors["last_name"] = _("Give the contact's last name.")
    if errors:
        raise ValidationError(errors)
    contact.is_primary = bool(contact.is_primary)
    contact.full_clean()


def _make_only_primary(contact: Contact) -> None:
    if contact.is_primary and contact.account_id is not None:
        Contact.objects.filter(account_id=contact.account_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def contact_create(
    *,
    account: Account | None,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    job_title: str = "",
    is_primary: bool = False,
    external_ref: str = "",
    owner: Person | None = None,
) -> Contact:
    """Add a contact to an account (a new primary contact replaces the previous primary), or a
    private contact of `owner` without an account."""
    if account is None:
        if not isinstance(owner, Person):
            raise ValidationError(
                {"account": _("Choose the account this contact works at, or an owner.")}
            )
        is_primary = False
    elif not isinstance(account, Account) or account.pk is None:
        raise ValidationError({"account": _("Choose the account this contact works at.")})
    contact = Contact(
        account=account,
        owner=owner,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        job_title=job_title,
        is_primary=is_primary,
        external_ref=external_ref,
    )
    _clean_contact(contact)
    contact.save()
    _make_only_primary(contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, **fields: Any) -> Contact:
    """Change a contact's details (not its account)."""
    unknown = sorted(set(fields) - CONTACT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("“%(name)s” cannot be changed here.") % {"name": name} for name in unknown}
        )
    fresh = Contact.objects.select_for_update().get(pk=contact.pk)
    for name, value in fields.items():
        setattr(fresh, name, value)
    _clean_contact(fresh)
    fresh.save()
    _make_only_primary(fresh)
    contact.refresh_from_db()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    try:
        with transaction.atomic():
            contact.delete()
    except ProtectedError as exc:
        raise ValidationError(
            {
                "contact": _("“%(contact)s” cannot be deleted: other records still refer to it.")
                % {"contact": contact}
            }
        ) from exc
