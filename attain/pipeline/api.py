"""HTTP API of the pipeline: stages, lost reasons, leads, deals with their history, activities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.catalog.models import ProductLine
from attain.core.money import quantize_money
from attain.core.web import get_visible_or_404
from attain.customers.models import Account, Contact
from attain.organization.models import Person
from attain.organization.selectors import person_of
from attain.organization.visibility import is_admin, visible
from attain.pipeline import selectors, services
from attain.pipeline.models import Activity, Deal, Lead, LostReason, Stage
from attain.pipeline.permissions import may_delete_activity, may_delete_stamped, may_own

router = Router(tags=["pipeline"])


# --- schemas -----------------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    code: str
    name: str
    position: int
    probability: int
    is_won: bool
    is_lost: bool
    is_active: bool


class StageIn(Schema):
    code: str
    name: str
    position: int
    probability: int
    is_won: bool = False
    is_lost: bool = False


class StagePatch(Schema):
    name: str
    position: int
    probability: int
    is_active: bool = True


class LostReasonOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class LostReasonIn(Schema):
    code: str
    name: str


class LostReasonPatch(Schema):
    name: str
    is_active: bool = True


class LeadOut(Schema):
    id: int
    company: str
    contact_name: str
    email: str
    phone: str
    source: str
    channel: str
    status: str
    received_on: dt.date
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    account_id: int | None
    notes: str
    external_ref: str


class LeadIn(Schema):
    company: str
    source: str
    channel: str
    received_on: dt.date
    owner_id: int | None = None
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    account_id: int | None = None
    notes: str = ""
    external_ref: str = ""


class LeadPatch(Schema):
    company: str | None = None
    source: str | None = None
    channel: str | None = None
    received_on: dt.date | None = None
    owner_id: int | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    account_id: int | None = None
    notes: str | None = None


class LeadConvertIn(Schema):
    account_id: int
    amount: Decimal
    currency: str
    expected_close_on: dt.date
    name: str = ""


class LeadDisqualifyIn(Schema):
    reason: str


class DealOut(Schema):
    id: int
    name: str
    account_id: int | None
    contact_id: int | None
    lead_id: int | None
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    currency: str
    amount: Decimal
    fx_rate: Decimal
    amount_reporting: Decimal
    weighted_value: Decimal
    stage_id: int
    stage_code: str
    probability: int
    status: str
    created_on: dt.date
    expected_close_on: dt.date
    closed_on: dt.date | None
    lost_reason_id: int | None
    lost_note: str
    external_ref: str

    @staticmethod
    def resolve_stage_code(obj: Deal) -> str:
        return obj.stage.code

    @staticmethod
    def resolve_weighted_value(obj: Deal) -> Decimal:
        value = getattr(obj, "weighted_value", None)
        if value is None:
            value = obj.amount_reporting * obj.probability / 100
        return quantize_money(Decimal(value))


class DealDetailOut(DealOut):
    product_line_ids: list[int]

    @staticmethod
    def resolve_product_line_ids(obj: Deal) -> list[int]:
        return sorted(line.pk for line in obj.product_lines.all())


class DealIn(Schema):
    name: str
    account_id: int
    amount: Decimal
    currency: str
    expected_close_on: dt.date
    owner_id: int | None = None
    stage_id: int | None = None
    created_on: dt.date | None = None
    product_line_ids: list[int] = []
    contact_id: int | None = None
    lead_id: int | None = None
    probability: int | None = None
    external_ref: str = ""


class DealPatch(Schema):
    name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    expected_close_on: dt.date | None = None
    product_line_ids: list[int] | None = None
    contact_id: int | None = None
    owner_id: int | None = None
    probability: int | None = None


class StageMoveIn(Schema):
    stage_id: int
    at: dt.datetime | None = None


class WinIn(Schema):
    closed_on: dt.date
    at: dt.datetime | None = None


class LoseIn(Schema):
    closed_on: dt.date
    lost_reason_id: int | None = None
    note: str = ""
    at: dt.datetime | None = None


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    to_stage_id: int
    to_stage_code: str
    changed_at: dt.datetime
    changed_by_id: int | None
    amount_reporting: Decimal

    @staticmethod
    def resolve_to_stage_code(obj: Any) -> str:
        return obj.to_stage.code


class ActivityOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    minutes: int
    outcome: str
    subject: str
    notes: str
    owner_id: int
    unit_id: int | None
    unit_path: str
    territory_id: int | None
    deal_id: int | None
    account_id: int | None
    lead_id: int | None
    external_ref: str


class ActivityIn(Schema):
    kind: str
    occurred_at: dt.datetime
    minutes: int
    outcome: str
    subject: str
    notes: str = ""
    owner_id: int | None = None
    deal_id: int | None = None
    account_id: int | None = None
    lead_id: int | None = None
    external_ref: str = ""


class ActivityPatch(Schema):
    kind: str | None = None
    occurred_at: dt.datetime | None = None
    minutes: int | None = None
    outcome: str | None = None
    subject: str | None = None
    notes: str | None = None
    owner_id: int | None = None
    deal_id: int | None = None
    account_id: int | None = None
    lead_id: int | None = None


class SummaryOut(Schema):
    period_start: dt.date
    period_end: dt.date
    open_count: int
    open_amount: Decimal
    weighted_amount: Decimal
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal


# --- helpers -----------------------------------------------------------------------------------


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


def _me(request: HttpRequest) -> Person | None:
    return person_of(request.user)


def _owner(request: HttpRequest, owner_id: int | None) -> Person:
    """The owner of a new record: the caller by default; 403 unless the caller covers them."""
    if owner_id is None:
        me = _me(request)
        if me is None:
            raise ValidationError({"owner_id": _("Say who owns the record.")})
        return me
    person = Person.objects.filter(pk=owner_id).first()
    if person is None:
        raise ValidationError(
            {"owner_id": _("There is no person with id %(id)s.") % {"id": owner_id}}
        )
    if not may_own(request.user, person):
        raise PermissionDenied
    return person


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


def _account(request: HttpRequest, pk: int | None) -> Account | None:
    return _ref(visible(Account.objects.all(), request.user), "account_id", pk)


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    return get_visible_or_404(
        Deal.objects.visible_to(request.user)
        .with_weighted_value()
        .select_related("stage")
        .prefetch_related("product_lines"),
        pk=deal_id,
    )


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return get_visible_or_404(Lead.objects.visible_to(request.user), pk=lead_id)


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    return get_visible_or_404(Activity.objects.visible_to(request.user), pk=activity_id)


def _product_lines(ids: list[int]) -> list[ProductLine]:
    lines = list(ProductLine.objects.filter(pk__in=ids))
    missing = set(ids) - {line.pk for line in lines}
    if missing:
        raise ValidationError(
            {
                "product_line_ids": _("Unknown product lines: %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(missing)))}
            }
        )
    return lines


# --- reference data ----------------------------------------------------------------------------


@router.get("/stages", response=list[StageOut], operation_id="stage_list")
def stage_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return list(selectors.stage_list(include_inactive=include_inactive))


@router.post("/stages", response={201: StageOut}, operation_id="stage_create")
def stage_create(request: HttpRequest, payload: StageIn) -> Status:
    _admin_only(request)
    return Status(201, services.stage_create(**payload.dict()))


@router.put("/stages/{stage_id}", response=StageOut, operation_id="stage_update")
def stage_update(request: HttpRequest, stage_id: int, payload: StagePatch) -> Any:
    _admin_only(request)
    stage = get_visible_or_404(Stage.objects.all(), pk=stage_id)
    return services.stage_update(stage=stage, **payload.dict())


@router.get("/lost-reasons", response=list[LostReasonOut], operation_id="lost_reason_list")
def lost_reason_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return list(selectors.lost_reason_list(include_inactive=include_inactive))


@router.post("/lost-reasons", response={201: LostReasonOut}, operation_id="lost_reason_create")
def lost_reason_create(request: HttpRequest, payload: LostReasonIn) -> Status:
    _admin_only(request)
    return Status(201, services.lost_reason_create(**payload.dict()))


@router.put("/lost-reasons/{reason_id}", response=LostReasonOut, operation_id="lost_reason_update")
def lost_reason_update(request: HttpRequest, reason_id: int, payload: LostReasonPatch) -> Any:
    _admin_only(request)
    reason = get_visible_or_404(LostReason.objects.all(), pk=reason_id)
    return services.lost_reason_update(lost_reason=reason, **payload.dict())


# --- leads -------------------------------------------------------------------------------------


@router.get("/leads", response=list[LeadOut], operation_id="lead_list")
@paginate(LimitOffsetPagination)
def lead_list(
    request: HttpRequest, q: str = "", status: str = "", source: str = "", channel: str = ""
) -> Any:
    return selectors.lead_list(
        user=request.user, search=q, status=status, source=source, channel=channel
    )


@router.get("/leads/{lead_id}", response=LeadOut, operation_id="lead_get")
def lead_get(request: HttpRequest, lead_id: int) -> Any:
    return _lead(request, lead_id)


@router.post("/leads", response={201: LeadOut}, operation_id="lead_create")
def lead_create(request: HttpRequest, payload: LeadIn) -> Status:
    data = payload.dict()
    owner = _owner(request, data.pop("owner_id"))
    account = _account(request, data.pop("account_id"))
    return Status(201, services.lead_create(owner=owner, account=account, **data))


@router.patch("/leads/{lead_id}", response=LeadOut, operation_id="lead_update")
def lead_update(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Any:
    lead = _lead(request, lead_id)
    data = payload.dict(exclude_unset=True)
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        if owner_id != lead.owner_id:
            data["owner"] = _owner(request, owner_id)
    if "account_id" in data:
        data["account"] = _account(request, data.pop("account_id"))
    for name in ("company", "source", "channel", "received_on"):
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    data = {k: ("" if v is None and k in ("contact_name", "email", "phone", "notes") else v)
            for k, v in data.items()}  # fmt: skip
    return services.lead_update(lead=lead, **data)


@router.delete("/leads/{lead_id}", response={204: None}, operation_id="lead_delete")
def lead_delete(request: HttpRequest, lead_id: int) -> Status:
    lead = _lead(request, lead_id)
    if not may_delete_stamped(request.user, lead):
        raise PermissionDenied
    services.lead_delete(lead=lead)
    return Status(204, None)


@router.post("/leads/{lead_id}/qualify", response=LeadOut, operation_id="lead_qualify")
def lead_qualify(request: HttpRequest, lead_id: int) -> Any:
    return services.lead_qualify(lead=_lead(request, lead_id))


@router.post("/leads/{lead_id}/disqualify", response=LeadOut, operation_id="lead_disqualify")
def lead_disqualify(request: HttpRequest, lead_id: int, payload: LeadDisqualifyIn) -> Any:
    return services.lead_disqualify(lead=_lead(request, lead_id), reason=payload.reason)


@router.post("/leads/{lead_id}/convert", response={201: DealOut}, operation_id="lead_convert")
def lead_convert(request: HttpRequest, lead_id: int, payload: LeadConvertIn) -> Status:
    lead = _lead(request, lead_id)
    account = _account(request, payload.account_id)
    deal = services.lead_convert(
        lead=lead,
        account=account,  # type: ignore[arg-type]
        amount=payload.amount,
        currency=payload.currency,
        expected_close_on=payload.expected_close_on,
        name=payload.name,
        by=_me(request),
    )
    return Status(201, _deal(request, deal.pk))


# --- deals -------------------------------------------------------------------------------------


@router.get("/deals", response=list[DealOut], operation_id="deal_list")
@paginate(LimitOffsetPagination)
def deal_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    stage_id: int | None = None,
    owner_id: int | None = None,
    account_id: int | None = None,
) -> Any:
    return selectors.deal_list(
        user=request.user,
        search=q,
        status=status,
        stage_id=stage_id,
        owner_id=owner_id,
        account_id=account_id,
    )


@router.get("/deals/{deal_id}", response=DealDetailOut, operation_id="deal_get")
def deal_get(request: HttpRequest, deal_id: int) -> Any:
    return _deal(request, deal_id)


@router.post("/deals", response={201: DealDetailOut}, operation_id="deal_create")
def deal_create(request: HttpRequest, payload: DealIn) -> Status:
    owner = _owner(request, payload.owner_id)
    account = _account(request, payload.account_id)
    stage = _ref(Stage.objects.all(), "stage_id", payload.stage_id)
    contact = _ref(Contact.objects.all(), "contact_id", payload.contact_id)
    lead = _ref(Lead.objects.visible_to(request.user), "lead_id", payload.lead_id)
    deal = services.deal_create(
        name=payload.name,
        account=account,  # type: ignore[arg-type]
        owner=owner,
        amount=payload.amount,
        currency=payload.currency,
        expected_close_on=payload.expected_close_on,
        stage=stage,
        created_on=payload.created_on,
        product_lines=_product_lines(payload.product_line_ids),
        contact=contact,
        lead=lead,
        probability=payload.probability,
        external_ref=payload.external_ref,
        by=_me(request),
    )
    return Status(201, _deal(request, deal.pk))


@router.patch("/deals/{deal_id}", response=DealDetailOut, operation_id="deal_update")
def deal_update(request: HttpRequest, deal_id: int, payload: DealPatch) -> Any:
    deal = _deal(request, deal_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for name in ("name", "amount", "currency", "expected_close_on", "probability"):
        if name in data:
            if data[name] is None:
                raise ValidationError({name: _("This field cannot be empty.")})
            changes[name] = data[name]
    if "product_line_ids" in data:
        changes["product_lines"] = _product_lines(data["product_line_ids"] or [])
    if "contact_id" in data:
        changes["contact"] = _ref(Contact.objects.all(), "contact_id", data["contact_id"])
    if "owner_id" in data and data["owner_id"] != deal.owner_id:
        changes["owner"] = _owner(request, data["owner_id"])
    services.deal_update(deal=deal, **changes)
    return _deal(request, deal.pk)


@router.delete("/deals/{deal_id}", response={204: None}, operation_id="deal_delete")
def deal_delete(request: HttpRequest, deal_id: int) -> Status:
    deal = _deal(request, deal_id)
    if not may_delete_stamped(request.user, deal):
        raise PermissionDenied
    services.deal_delete(deal=deal)
    return Status(204, None)


@router.post("/deals/{deal_id}/stage", response=DealDetailOut, operation_id="deal_move_stage")
def deal_move_stage(request: HttpRequest, deal_id: int, payload: StageMoveIn) -> Any:
    deal = _deal(request, deal_id)
    stage = _ref(Stage.objects.all(), "stage_id", payload.stage_id)
    services.deal_move_stage(deal=deal, stage=stage, by=_me(request), at=payload.at)
    return _deal(request, deal.pk)


@router.post("/deals/{deal_id}/win", response=DealDetailOut, operation_id="deal_close_won")
def deal_close_won(request: HttpRequest, deal_id: int, payload: WinIn) -> Any:
    deal = _deal(request, deal_id)
    services.deal_close_won(deal=deal, closed_on=payload.closed_on, by=_me(request), at=payload.at)
    return _deal(request, deal.pk)


@router.post("/deals/{deal_id}/lose", response=DealDetailOut, operation_id="deal_close_lost")
def deal_close_lost(request: HttpRequest, deal_id: int, payload: LoseIn) -> Any:
    deal = _deal(request, deal_id)
    reason = _ref(LostReason.objects.all(), "lost_reason_id", payload.lost_reason_id)
    services.deal_close_lost(
        deal=deal,
        reason=reason,
        closed_on=payload.closed_on,
        note=payload.note,
        by=_me(request),
        at=payload.at,
    )
    return _deal(request, deal.pk)


@router.post("/deals/{deal_id}/reopen", response=DealDetailOut, operation_id="deal_reopen")
def deal_reopen(request: HttpRequest, deal_id: int, payload: StageMoveIn) -> Any:
    deal = _deal(request, deal_id)
    stage = _ref(Stage.objects.all(), "stage_id", payload.stage_id)
    services.deal_reopen(deal=deal, stage=stage, by=_me(request), at=payload.at)
    return _deal(request, deal.pk)


@router.get(
    "/deals/{deal_id}/history", response=list[StageChangeOut], operation_id="deal_stage_history"
)
def deal_stage_history(request: HttpRequest, deal_id: int) -> Any:
    return list(selectors.deal_stage_history(deal=_deal(request, deal_id)))


@router.get("/summary", response=SummaryOut, operation_id="pipeline_summary")
def pipeline_summary(request: HttpRequest, on: dt.date | None = None) -> Any:
    summary = selectors.pipeline_summary(user=request.user, on=on)
    return {
        "period_start": summary.period.start,
        "period_end": summary.period.end,
        "open_count": summary.open_count,
        "open_amount": summary.open_amount,
        "weighted_amount": summary.weighted_amount,
        "won_count": summary.won_count,
        "won_amount": summary.won_amount,
        "lost_count": summary.lost_count,
        "lost_amount": summary.lost_amount,
    }


# --- activities --------------------------------------------------------------------------------


@router.get("/activities", response=list[ActivityOut], operation_id="activity_list")
@paginate(LimitOffsetPagination)
def activity_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    outcome: str = "",
    deal_id: int | None = None,
    lead_id: int | None = None,
) -> Any:
    return selectors.activity_list(
        user=request.user, search=q, kind=kind, outcome=outcome, deal_id=deal_id, lead_id=lead_id
    )


@router.get("/activities/{activity_id}", response=ActivityOut, operation_id="activity_get")
def activity_get(request: HttpRequest, activity_id: int) -> Any:
    return _activity(request, activity_id)


def _activity_links(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {}
    if "deal_id" in data:
        links["deal"] = _ref(Deal.objects.visible_to(request.user), "deal_id", data.pop("deal_id"))
    if "account_id" in data:
        links["account"] = _account(request, data.pop("account_id"))
    if "lead_id" in data:
        links["lead"] = _ref(Lead.objects.visible_to(request.user), "lead_id", data.pop("lead_id"))
    return links


@router.post("/activities", response={201: ActivityOut}, operation_id="activity_log")
def activity_log(request: HttpRequest, payload: ActivityIn) -> Status:
    data = payload.dict()
    owner = _owner(request, data.pop("owner_id"))
    links = _activity_links(request, data)
    return Status(201, services.activity_log(owner=owner, **data, **links))


@router.patch(
    "/activities/{activity_id}",
    response=ActivityOut,
    operation_id="activity_update",
)
def activity_update(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Any:
    activity = _activity(request, activity_id)
    data = payload.dict(exclude_unset=True)
    owner = None
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        if owner_id != activity.owner_id:
            owner = _owner(request, owner_id)
    links = _activity_links(request, data)
    for name in ("kind", "occurred_at", "minutes", "outcome", "subject"):
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    if "notes" in data and data["notes"] is None:
        data["notes"] = ""
    return services.activity_update(activity=activity, owner=owner, **data, **links)


@router.delete("/activities/{activity_id}", response={204: None}, operation_id="activity_delete")
def activity_delete(request: HttpRequest, activity_id: int) -> Status:
    activity = _activity(request, activity_id)
    if not may_delete_activity(request.user, activity):
        raise PermissionDenied
    services.activity_delete(activity=activity)
    return Status(204, None)


class WinRateOut(Schema):
    key: int | None
    label: str
    won: int
    lost: int
    win_rate: Decimal | None
    won_value: Decimal
    lost_value: Decimal
    win_rate_by_value: Decimal | None


@router.get("/win-rates", response=list[WinRateOut], operation_id="deal_win_rates")
def deal_win_rates(
    request: HttpRequest,
    by: str = "product",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Won ÷ (won + lost) of the deals you see closed in [start, end], per product, product line
    or seller (`by`); also by value. Open deals are left out."""
    rows = selectors.deal_win_rates(user=request.user, by=by, start=start, end=end)
    return [
        {
            "key": r.key,
            "label": r.label,
            "won": r.won,
            "lost": r.lost,
            "win_rate": r.win_rate,
            "won_value": r.won_value,
            "lost_value": r.lost_value,
            "win_rate_by_value": r.win_rate_by_value,
        }
        for r in rows
    ]
