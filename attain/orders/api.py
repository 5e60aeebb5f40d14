"""HTTP API of the orders app: orders with their lines and lifecycle, returns, a period summary.

Every endpoint works on what the caller may see; an order id they cannot see is a 404. Orders
are never deleted (there is no DELETE; the path answers 405) — cancel them instead.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.catalog.models import Product
from attain.core.periods import Period, month_of, today
from attain.core.web import get_visible_or_404
from attain.customers.models import Account
from attain.orders import selectors, services
from attain.orders.models import Order, OrderLine
from attain.orders.permissions import may_own
from attain.organization.models import Person
from attain.organization.selectors import person_of
from attain.organization.visibility import scope_for
from attain.pipeline.models import Deal

router = Router(tags=["orders"])


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise ValidationError({"by": _("Your sign-in is not linked to a person; ask sales ops.")})
    return person


# --- schemas -----------------------------------------------------------------------------------


class OrderLineOut(Schema):
    id: int
    product_id: int
    product_line_id: int
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    net_amount: Decimal
    net_amount_reporting: Decimal
    cost_reporting: Decimal


class CancellationOut(Schema):
    cancelled_on: dt.date
    reason: str
    cancelled_by_id: int
    previous_status: str


class OrderOut(Schema):
    id: int
    number: str
    account_id: int
    deal_id: int | None
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    currency: str
    fx_rate: Decimal
    status: str
    ordered_on: dt.date
    confirm_promised_on: dt.date | None
    confirmed_on: dt.date | None
    ship_promised_on: dt.date | None
    shipped_on: dt.date | None
    delivery_promised_on: dt.date | None
    delivered_on: dt.date | None
    follow_up_promised_on: dt.date | None
    followed_up_on: dt.date | None
    paid_on: dt.date | None
    net_total: Decimal
    net_total_reporting: Decimal
    notes: str
    external_ref: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    cancellation: CancellationOut | None

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_cancellation(obj: Order) -> Any:
        return getattr(obj, "cancellation", None) if obj.status == "cancelled" else None


class OrderLineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_pct: Decimal = Decimal("0")


class OrderCreateIn(Schema):
    account_id: int | None = None
    owner_id: int | None = None
    currency: str | None = None
    ordered_on: dt.date
    deal_id: int | None = None
    number: str | None = None
    confirm_promised_on: dt.date | None = None
    ship_promised_on: dt.date | None = None
    delivery_promised_on: dt.date | None = None
    follow_up_promised_on: dt.date | None = None
    notes: str = ""
    external_ref: str = ""
    lines: list[OrderLineIn] = []


class OrderUpdateIn(Schema):
    notes: str | None = None
    external_ref: str | None = None
    confirm_promised_on: dt.date | None = None
    ship_promised_on: dt.date | None = None
    delivery_promised_on: dt.date | None = None
    follow_up_promised_on: dt.date | None = None


class AdvanceIn(Schema):
    to_status: str
    on: dt.date


class PaymentIn(Schema):
    on: dt.date


class CancelIn(Schema):
    on: dt.date
    reason: str


class LifecycleStepOut(Schema):
    step: str
    label: str
    promised: dt.date | None
    actual: dt.date | None
    done: bool
    late: bool
    days_late: int


class ReturnOut(Schema):
    id: int
    line_id: int
    order_id: int
    returned_on: dt.date
    quantity: Decimal
    reason: str
    note: str
    amount: Decimal
    amount_reporting: Decimal
    recorded_by_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_order_id(obj: Any) -> int:
        return int(obj.line.order_id)


class ReturnCreateIn(Schema):
    line_id: int
    quantity: Decimal
    returned_on: dt.date
    reason: str
    note: str = ""


class SummaryOut(Schema):
    start: dt.date
    end: dt.date
    count: int
    cancelled: int
    net_total_reporting: Decimal
    delivered: int
    delivered_on_time: int
    on_time_rate: Decimal | None
    returns_reporting: Decimal


# --- helpers -----------------------------------------------------------------------------------

_RENAMES = {"account": "account_id", "owner": "owner_id", "deal": "deal_id", "line": "line_id"}


def _rename(exc: ValidationError) -> ValidationError:
    """Service errors name model fields (`owner`, `lines[0].product`); the payload uses `*_id`."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed: dict[str, Any] = {}
    for key, errors in exc.error_dict.items():
        if key.endswith(".product"):
            key = f"{key}_id"
        renamed[_RENAMES.get(key, key)] = errors
    return ValidationError(renamed)


def _visible_order(request: HttpRequest, order_id: int) -> Order:
    return get_visible_or_404(Order.objects.visible_to(request.user), pk=order_id)


def _detail(request: HttpRequest, order_id: int) -> Order:
    try:
        return selectors.order_detail(user=request.user, order_id=order_id)
    except (Order.DoesNotExist, ValueError) as exc:
        raise Order.DoesNotExist from exc


def _line_inputs(lines: list[OrderLineIn]) -> list[services.OrderLineInput]:
    products = Product.objects.in_bulk({line.product_id for line in lines})
    errors: dict[str, str] = {}
    inputs = []
    for index, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None:
            errors[f"lines[{index}].product_id"] = _("There is no product with id %(id)s.") % {
                "id": line.product_id
            }
            continue
        inputs.append(
            services.OrderLineInput(
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_pct=line.discount_pct,
            )
        )
    if errors:
        raise ValidationError(errors)
    return inputs


# --- orders ------------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut], operation_id="order_list")
@paginate(LimitOffsetPagination)
def order_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    late: bool = False,
    account_id: int | None = None,
    owner_id: int | None = None,
    ordered_from: dt.date | None = None,
    ordered_to: dt.date | None = None,
) -> Any:
    return selectors.order_list(
        user=request.user,
        search=q,
        status=status,
        late=late,
        account_id=account_id,
        owner_id=owner_id,
        ordered_from=ordered_from,
        ordered_to=ordered_to,
    ).order_by("-ordered_on", "-pk")


@router.get("/orders/{order_id}", response=OrderDetailOut, operation_id="order_get")
def order_get(request: HttpRequest, order_id: int) -> Any:
    return _detail(request, order_id)


@router.post("/orders", response={201: OrderDetailOut}, operation_id="order_create")
def order_create(request: HttpRequest, payload: OrderCreateIn) -> Any:
    user = request.user
    deal: Deal | None = None
    if payload.deal_id is not None:
        deal = Deal.objects.visible_to(user).filter(pk=payload.deal_id).first()
        if deal is None:
            raise ValidationError(
                {"deal_id": _("There is no deal with id %(id)s.") % {"id": payload.deal_id}}
            )
    owner_id = payload.owner_id or (deal.owner_id if deal else scope_for(user).person_id)
    if owner_id is None:
        raise ValidationError({"owner_id": _("Give the id of the order's owner.")})
    owner = Person.objects.filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError(
            {"owner_id": _("There is no person with id %(id)s.") % {"id": owner_id}}
        )
    if not may_own(user, owner):
        raise PermissionDenied
    account_id = payload.account_id or (deal.account_id if deal else None)
    if account_id is None:
        raise ValidationError({"account_id": _("Give the id of the customer account.")})
    account = Account.objects.visible_to(user).filter(pk=account_id).first()
    if account is None:
        raise ValidationError(
            {"account_id": _("There is no account with id %(id)s.") % {"id": account_id}}
        )
    currency = payload.currency or (deal.currency if deal else None)
    if not currency:
        raise ValidationError({"currency": _("Give the order currency (ISO code, e.g. EUR).")})
    lines = _line_inputs(payload.lines)
    try:
        order = services.order_create(
            account=account,
            owner=owner,
            currency=currency,
            ordered_on=payload.ordered_on,
            lines=lines,
            deal=deal,
            number=payload.number,
            confirm_promised_on=payload.confirm_promised_on,
            ship_promised_on=payload.ship_promised_on,
            delivery_promised_on=payload.delivery_promised_on,
            follow_up_promised_on=payload.follow_up_promised_on,
            notes=payload.notes,
            external_ref=payload.external_ref,
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, _detail(request, order.pk))


@router.patch("/orders/{order_id}", response=OrderDetailOut, operation_id="order_update")
def order_update(request: HttpRequest, order_id: int, payload: OrderUpdateIn) -> Any:
    order = _visible_order(request, order_id)
    data = payload.dict(exclude_unset=True)
    for text in ("notes", "external_ref"):
        if text in data and data[text] is None:
            data[text] = ""
    services.order_update(order=order, **data)
    return _detail(request, order.pk)


@router.post("/orders/{order_id}/advance", response=OrderDetailOut, operation_id="order_advance")
def order_advance(request: HttpRequest, order_id: int, payload: AdvanceIn) -> Any:
    order = _visible_order(request, order_id)
    by = person_of(request.user)
    services.order_advance(order=order, to_status=payload.to_status, on=payload.on, by=by)
    return _detail(request, order.pk)


@router.post("/orders/{order_id}/payment", response=OrderDetailOut, operation_id="order_payment")
def order_payment(request: HttpRequest, order_id: int, payload: PaymentIn) -> Any:
    """Record the day the customer paid the order (a plan may credit sales on payment)."""
    order = _visible_order(request, order_id)
    services.order_record_payment(order=order, on=payload.on)
    return _detail(request, order.pk)


@router.post("/orders/{order_id}/cancel", response=OrderDetailOut, operation_id="order_cancel")
def order_cancel(request: HttpRequest, order_id: int, payload: CancelIn) -> Any:
    order = _visible_order(request, order_id)
    services.order_cancel(order=order, on=payload.on, reason=payload.reason, by=_me(request))
    return _detail(request, order.pk)


@router.post(
    "/orders/{order_id}/lines", response={201: OrderLineOut}, operation_id="order_line_add"
)
def order_line_add(request: HttpRequest, order_id: int, payload: OrderLineIn) -> Any:
    order = _visible_order(request, order_id)
    product = Product.objects.filter(pk=payload.product_id).first()
    if product is None:
        raise ValidationError(
            {"product_id": _("There is no product with id %(id)s.") % {"id": payload.product_id}}
        )
    line = services.OrderLineInput(
        product=product,
        quantity=payload.quantity,
        unit_price=payload.unit_price,
        discount_pct=payload.discount_pct,
    )
    try:
        return Status(201, services.order_line_add(order=order, line=line))
    except ValidationError as exc:
        raise _rename(exc) from exc


@router.delete(
    "/orders/{order_id}/lines/{line_id}",
    response=OrderDetailOut,
    operation_id="order_line_remove",
)
def order_line_remove(request: HttpRequest, order_id: int, line_id: int) -> Any:
    order = _visible_order(request, order_id)
    line = get_visible_or_404(OrderLine.objects.filter(order=order), pk=line_id)
    services.order_line_remove(line=line)
    return _detail(request, order.pk)


@router.get(
    "/orders/{order_id}/lifecycle",
    response=list[LifecycleStepOut],
    operation_id="order_lifecycle",
)
def order_lifecycle(request: HttpRequest, order_id: int) -> Any:
    return selectors.order_lifecycle(order=_visible_order(request, order_id))


# --- returns -----------------------------------------------------------------------------------


@router.get("/returns", response=list[ReturnOut], operation_id="return_list")
@paginate(LimitOffsetPagination)
def return_list(
    request: HttpRequest, q: str = "", order_id: int | None = None, reason: str = ""
) -> Any:
    return selectors.return_list(
        user=request.user, search=q, order_id=order_id, reason=reason
    ).order_by("-returned_on", "-pk")


@router.post("/returns", response={201: ReturnOut}, operation_id="return_create")
def return_create(request: HttpRequest, payload: ReturnCreateIn) -> Any:
    line = OrderLine.objects.visible_to(request.user).filter(pk=payload.line_id).first()
    if line is None:
        raise ValidationError(
            {"line_id": _("There is no order line with id %(id)s.") % {"id": payload.line_id}}
        )
    try:
        created = services.order_return_record(
            line=line,
            quantity=payload.quantity,
            returned_on=payload.returned_on,
            reason=payload.reason,
            note=payload.note,
            by=_me(request),
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, created)


# --- summary -----------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut, operation_id="order_summary")
def order_summary(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> Any:
    month = month_of(today())
    start = start or month.start
    end = end or month.end
    if end < start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    summary = selectors.orders_summary(user=request.user, period=Period(start, end))
    return {
        "start": start,
        "end": end,
        "count": summary.count,
        "cancelled": summary.cancelled,
        "net_total_reporting": summary.net_total_reporting,
        "delivered": summary.delivered,
        "delivered_on_time": summary.delivered_on_time,
        "on_time_rate": summary.on_time_rate,
        "returns_reporting": summary.returns_reporting,
    }
