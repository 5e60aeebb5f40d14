"""HTTP API of customer service: complaints — list, get, open, resolve, reopen.

Every endpoint works on what the caller may see; a complaint id they cannot see is a 404.
Complaints are never deleted (there is no DELETE) — they are resolved.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.periods import today
from attain.customers.models import Account, Contact
from attain.customers.selectors import owner_is_covered
from attain.orders.models import Order
from attain.organization.models import Person
from attain.service import selectors, services
from attain.service.models import Complaint, ComplaintCategory, ComplaintStatus

router = Router(tags=["service"])


# --- schemas -----------------------------------------------------------------------------------


class ComplaintOut(Schema):
    id: int
    account_id: int
    order_id: int | None
    contact_id: int | None
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    category: str
    subject: str
    description: str
    status: str
    opened_on: dt.date
    resolved_on: dt.date | None
    resolution: str
    external_ref: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ComplaintOpenIn(Schema):
    account_id: int
    category: str
    subject: str
    opened_on: dt.date | None = None
    description: str = ""
    order_id: int | None = None
    contact_id: int | None = None
    owner_id: int | None = None
    external_ref: str = ""


class ComplaintResolveIn(Schema):
    resolved_on: dt.date | None = None
    resolution: str


# --- helpers -----------------------------------------------------------------------------------

_RENAMES = {"account": "account_id", "order": "order_id", "contact": "contact_id"}


def _rename(exc: ValidationError) -> ValidationError:
    """Service errors name model fields (`account`, `order`); the payload uses `*_id`."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {_RENAMES.get(key, key): errors for key, errors in exc.error_dict.items()}
    )


def _ref(queryset: Any, field: str, pk: int | None) -> Any:
    """A referenced record the caller can see, or a 422 naming the field."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError(
            {field: _("There is no such record with id %(id)s that you can see.") % {"id": pk}}
        )
    return obj


def _owner(request: HttpRequest, owner_id: int | None) -> Person | None:
    """An explicit owner (403 unless the caller covers them); None means the account manager."""
    if owner_id is None:
        return None
    person = Person.objects.filter(pk=owner_id).first()
    if person is None:
        raise ValidationError(
            {"owner_id": _("There is no person with id %(id)s.") % {"id": owner_id}}
        )
    if not owner_is_covered(user=request.user, person_id=person.pk):
        raise PermissionDenied
    return person


def _detail(request: HttpRequest, complaint_id: int) -> Complaint:
    return selectors.complaint_get(user=request.user, complaint_id=complaint_id)


# --- complaints --------------------------------------------------------------------------------


@router.get("/complaints", response=list[ComplaintOut], operation_id="complaint_list")
@paginate(LimitOffsetPagination)
def complaint_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    category: str = "",
    account_id: int | None = None,
    opened_from: dt.date | None = None,
    opened_to: dt.date | None = None,
) -> Any:
    errors: dict[str, str] = {}
    if status and status not in ComplaintStatus.values:
        errors["status"] = _("%(status)s is not a complaint status (%(choices)s).") % {
            "status": repr(status),
            "choices": ", ".join(ComplaintStatus.values),
        }
    if category and category not in ComplaintCategory.values:
        errors["category"] = _("%(category)s is not a complaint category.") % {
            "category": repr(category)
        }
    if opened_from is not None and opened_to is not None and opened_to < opened_from:
        errors["opened_to"] = _("The end cannot be before the start.")
    if errors:
        raise ValidationError(errors)
    return selectors.complaint_list(
        user=request.user,
        search=q,
        status=status,
        category=category,
        account_id=account_id,
        opened_from=opened_from,
        opened_to=opened_to,
    )


@router.get("/complaints/{complaint_id}", response=ComplaintOut, operation_id="complaint_get")
def complaint_get(request: HttpRequest, complaint_id: int) -> Any:
    return _detail(request, complaint_id)


@router.post("/complaints", response={201: ComplaintOut}, operation_id="complaint_open")
def complaint_open(request: HttpRequest, payload: ComplaintOpenIn) -> Any:
    user = request.user
    account = _ref(Account.objects.visible_to(user), "account_id", payload.account_id)
    order = _ref(Order.objects.visible_to(user), "order_id", payload.order_id)
    contact = _ref(Contact.objects.visible_to(user), "contact_id", payload.contact_id)
    owner = _owner(request, payload.owner_id)
    try:
        complaint = services.complaint_open(
            account=account,
            category=payload.category,
            subject=payload.subject,
            opened_on=payload.opened_on or today(),
            description=payload.description,
            order=order,
            contact=contact,
            owner=owner,
            external_ref=payload.external_ref,
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, _detail(request, complaint.pk))


@router.post(
    "/complaints/{complaint_id}/resolve", response=ComplaintOut, operation_id="complaint_resolve"
)
def complaint_resolve(request: HttpRequest, complaint_id: int, payload: ComplaintResolveIn) -> Any:
    complaint = _detail(request, complaint_id)
    services.complaint_resolve(
        complaint=complaint,
        resolved_on=payload.resolved_on or today(),
        resolution=payload.resolution,
    )
    return _detail(request, complaint_id)


@router.post(
    "/complaints/{complaint_id}/reopen", response=ComplaintOut, operation_id="complaint_reopen"
)
def complaint_reopen(request: HttpRequest, complaint_id: int) -> Any:
    services.complaint_reopen(complaint=_detail(request, complaint_id))
    return _detail(request, complaint_id)
