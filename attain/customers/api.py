"""HTTP API of the customers app: accounts and contacts, limited to what the caller may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.web import get_visible_or_404
from attain.customers import selectors, services
from attain.customers.models import Account, Contact
from attain.organization.models import Person
from attain.organization.visibility import scope_for

router = Router(tags=["customers"])


# --- schemas -----------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    segment: str
    industry: str
    size_band: str
    employees: int | None
    annual_revenue: Decimal | None
    country: str
    region: str
    city: str
    website: str
    parent_id: int | None
    external_ref: str
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountCreateIn(Schema):
    name: str
    segment: str
    owner_id: int | None = None
    industry: str = ""
    size_band: str = ""
    employees: int | None = None
    annual_revenue: Decimal | None = None
    country: str = ""
    region: str = ""
    city: str = ""
    website: str = ""
    parent_id: int | None = None
    external_ref: str = ""


class AccountUpdateIn(Schema):
    name: str | None = None
    segment: str | None = None
    owner_id: int | None = None
    industry: str | None = None
    size_band: str | None = None
    employees: int | None = None
    annual_revenue: Decimal | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    website: str | None = None
    parent_id: int | None = None
    external_ref: str | None = None


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    is_primary: bool
    external_ref: str


class ContactCreateIn(Schema):
    account_id: int
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    job_title: str = ""
    is_primary: bool = False
    external_ref: str = ""


class ContactUpdateIn(Schema):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    is_primary: bool | None = None
    external_ref: str | None = None


# --- helpers -----------------------------------------------------------------------------------


def _owner(request: HttpRequest, owner_id: int | None) -> Person:
    """The person to own the record: must exist (422) and be covered by the caller (403)."""
    user = request.user
    if owner_id is None:
        owner_id = scope_for(user).person_id
        if owner_id is None:
            raise ValidationError({"owner_id": "Give the id of the account manager (owner)."})
    owner = Person.objects.filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": f"There is no person with id {owner_id}."})
    if not selectors.owner_is_covered(user=user, person_id=owner.pk):
        raise PermissionDenied
    return owner


def _parent(request: HttpRequest, parent_id: int | None) -> Account | None:
    if parent_id is None:
        return None
    parent = Account.objects.visible_to(request.user).filter(pk=parent_id).first()
    if parent is None:
        raise ValidationError({"parent_id": f"There is no account with id {parent_id}."})
    return parent


def _rename(exc: ValidationError) -> ValidationError:
    """Service errors name model fields (`owner`, `parent`); the payload uses `*_id`."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {"owner": "owner_id", "parent": "parent_id", "account": "account_id"}
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


_NULLABLE = frozenset({"employees", "annual_revenue", "parent", "owner"})


# --- accounts ----------------------------------------------------------------------------------


@router.get("/accounts", response=list[AccountOut], operation_id="account_list")
@paginate(LimitOffsetPagination)
def account_list(
    request: HttpRequest,
    q: str = "",
    segment: str = "",
    size_band: str = "",
    country: str = "",
    owner_id: int | None = None,
) -> Any:
    return selectors.account_list(
        user=request.user,
        search=q,
        segment=segment,
        size_band=size_band,
        country=country,
        owner_id=owner_id,
    ).order_by("name", "pk")


@router.get("/accounts/{account_id}", response=AccountOut, operation_id="account_get")
def account_get(request: HttpRequest, account_id: int) -> Any:
    return get_visible_or_404(Account.objects.visible_to(request.user), pk=account_id)


@router.post("/accounts", response={201: AccountOut}, operation_id="account_create")
def account_create(request: HttpRequest, payload: AccountCreateIn) -> Any:
    data = payload.dict()
    owner = _owner(request, data.pop("owner_id"))
    parent = _parent(request, data.pop("parent_id"))
    try:
        return Status(201, services.account_create(owner=owner, parent=parent, **data))
    except ValidationError as exc:
        raise _rename(exc) from exc


@router.patch("/accounts/{account_id}", response=AccountOut, operation_id="account_update")
def account_update(request: HttpRequest, account_id: int, payload: AccountUpdateIn) -> Any:
    account = get_visible_or_404(Account.objects.visible_to(request.user), pk=account_id)
    data = payload.dict(exclude_unset=True)
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        if owner_id is None:
            raise ValidationError({"owner_id": "An account must have an owner."})
        if owner_id != account.owner_id:
            data["owner"] = _owner(request, owner_id)
    if "parent_id" in data:
        data["parent"] = _parent(request, data.pop("parent_id"))
    for required in ("name", "segment"):
        if required in data and data[required] is None:
            raise ValidationError({required: f"“{required}” cannot be empty."})
    data = {k: ("" if v is None and k not in _NULLABLE else v) for k, v in data.items()}
    try:
        return services.account_update(account=account, **data)
    except ValidationError as exc:
        raise _rename(exc) from exc


@router.delete("/accounts/{account_id}", response={204: None}, operation_id="account_delete")
def account_delete(request: HttpRequest, account_id: int) -> Any:
    user = request.user
    account = get_visible_or_404(Account.objects.visible_to(user), pk=account_id)
    if not selectors.account_can_delete(user=user, account=account):
        raise PermissionDenied
    services.account_delete(account=account)
    return Status(204, None)


# --- contacts ----------------------------------------------------------------------------------


@router.get("/contacts", response=list[ContactOut], operation_id="contact_list")
@paginate(LimitOffsetPagination)
def contact_list(request: HttpRequest, q: str = "", account_id: int | None = None) -> Any:
    return selectors.contact_list(user=request.user, search=q, account_id=account_id).order_by(
        "last_name", "first_name", "pk"
    )


@router.get("/contacts/{contact_id}", response=ContactOut, operation_id="contact_get")
def contact_get(request: HttpRequest, contact_id: int) -> Any:
    return get_visible_or_404(Contact.objects.visible_to(request.user), pk=contact_id)


@router.post("/contacts", response={201: ContactOut}, operation_id="contact_create")
def contact_create(request: HttpRequest, payload: ContactCreateIn) -> Any:
    data = payload.dict()
    account_id = data.pop("account_id")
    account = Account.objects.visible_to(request.user).filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"account_id": f"There is no account with id {account_id}."})
    return Status(201, services.contact_create(account=account, **data))


@router.patch("/contacts/{contact_id}", response=ContactOut, operation_id="contact_update")
def contact_update(request: HttpRequest, contact_id: int, payload: ContactUpdateIn) -> Any:
    contact = get_visible_or_404(Contact.objects.visible_to(request.user), pk=contact_id)
    data = payload.dict(exclude_unset=True)
    data = {
        k: (v if v is not None else ("" if k != "is_primary" else False)) for k, v in data.items()
    }
    return services.contact_update(contact=contact, **data)


@router.delete("/contacts/{contact_id}", response={204: None}, operation_id="contact_delete")
def contact_delete(request: HttpRequest, contact_id: int) -> Any:
    contact = get_visible_or_404(Contact.objects.visible_to(request.user), pk=contact_id)
    services.contact_delete(contact=contact)
    return Status(204, None)
