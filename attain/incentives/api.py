"""HTTP API of incentive pay: plans, versions, components and assignments; credit splits;
payout runs (request → calculate → approve → paid) and their statements (JSON and PDF); My
statements; adjustments; disputes; plan acceptance and the what-if.

Pay is seen only by the person, their management line and compensation admins: a statement,
line or dispute the caller may not see is a 404, exactly like one that does not exist. Plans,
runs, splits, adjustments and the what-if need `incentives.manage_pay` (403 otherwise). Bad
input is a 422 naming the field, and saves nothing. Money is a string with two decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import PlainSerializer

from attain.catalog.models import Product, ProductLine
from attain.core.money import quantize_money
from attain.core.web import get_visible_or_404
from attain.incentives import selectors, services
from attain.incentives.models import (
    Assignment,
    Basis,
    Component,
    CreditingEvent,
    CreditScope,
    CreditSplit,
    Dispute,
    PayoutLine,
    PayoutRun,
    Plan,
    PlanVersion,
    VersionStatus,
)
from attain.incentives.pdf import statement_pdf
from attain.orders.models import Order
from attain.organization.models import OrgUnit, Person
from attain.organization.selectors import person_of

router = Router(tags=["incentives"])


def _money_text(value: Decimal) -> str:
    return str(quantize_money(Decimal(value)))


#: Money out: a string with two decimals ("29375.00"), like every amount of the API.
Money = Annotated[Decimal, PlainSerializer(_money_text, return_type=str)]
#: Money in: at most 16 digits before the point and two after it.
MoneyIn = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
PctIn = Annotated[Decimal, Field(max_digits=7, decimal_places=2)]
RateIn = Annotated[Decimal, Field(max_digits=9, decimal_places=6)]


# --- schemas -----------------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    plan_id: int
    number: int
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    goal_metric: str
    crediting: str
    document: str
    published_at: dt.datetime | None
    published_by_id: int | None


class PlanOut(Schema):
    id: int
    name: str
    description: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Plan) -> list[Any]:
        return list(obj.versions.all())


class PlanIn(Schema):
    name: str
    description: str = ""


class ComponentOut(Schema):
    id: int
    version_id: int
    position: int
    name: str
    kind: str
    basis: str
    product_line_id: int | None
    product_id: int | None
    rate: Decimal | None
    tiers: list[dict[str, str]]
    bands: list[dict[str, str]]
    amount: Money | None
    threshold_pct: Decimal | None
    hurdle_pct: Decimal | None
    deal_cap: Money | None
    period_cap: Money | None
    period_floor: Money | None
    window_start: dt.date | None
    window_end: dt.date | None


class VersionDetailOut(VersionOut):
    components: list[ComponentOut]

    @staticmethod
    def resolve_components(obj: PlanVersion) -> list[Any]:
        return list(selectors.version_components(obj))


class AssignmentOut(Schema):
    id: int
    plan_id: int
    person_id: int | None
    role: str
    unit_id: int | None
    start: dt.date
    end: dt.date | None
    credit_scope: str
    draw_amount: Money | None
    draw_recoverable: bool
    ramp: list[str]


class PlanDetailOut(PlanOut):
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj: Plan) -> list[Any]:
        return list(selectors.assignment_list(obj))


class VersionIn(Schema):
    effective_from: dt.date
    effective_to: dt.date | None = None
    goal_metric: str = Basis.REVENUE
    crediting: str = CreditingEvent.BOOKING
    document: str = ""


class VersionEndIn(Schema):
    effective_to: dt.date


class ComponentIn(Schema):
    """Tiers and bands are lists of {"floor_pct", "ceiling_pct" (empty or null for the last
    row), "rate" | "factor"}; numbers or strings."""

    name: str
    kind: str
    basis: str = Basis.REVENUE
    product_line_id: int | None = None
    product_id: int | None = None
    rate: RateIn | None = None
    tiers: list[dict[str, Any]] = []
    bands: list[dict[str, Any]] = []
    amount: MoneyIn | None = None
    threshold_pct: PctIn | None = None
    hurdle_pct: PctIn | None = None
    deal_cap: MoneyIn | None = None
    period_cap: MoneyIn | None = None
    period_floor: MoneyIn | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None


class AssignmentIn(Schema):
    start: dt.date
    end: dt.date | None = None
    person_id: int | None = None
    role: str = ""
    unit_id: int | None = None
    credit_scope: str = CreditScope.OWN
    draw_amount: MoneyIn | None = None
    draw_recoverable: bool = True
    ramp: list[Decimal] = []


class AssignmentEndIn(Schema):
    end: dt.date


class ShareIn(Schema):
    person_id: int
    share_pct: PctIn


class SplitsIn(Schema):
    shares: list[ShareIn]


class SplitOut(Schema):
    person_id: int
    share_pct: Decimal


class RunIn(Schema):
    period_start: dt.date
    period_end: dt.date


class RunOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    status: str
    total: Money
    payees: int
    digest: str
    error: str
    calculating: bool
    calculated_at: dt.datetime | None
    requested_by_id: int
    approved_at: dt.datetime | None
    approved_by_id: int | None
    paid_at: dt.datetime | None
    paid_by_id: int | None

    @staticmethod
    def resolve_calculating(obj: PayoutRun) -> bool:
        return obj.calculated_at is None and not obj.error


class RunPersonOut(Schema):
    person_id: int
    name: str
    total: Money


class RunDetailOut(RunOut):
    people: list[RunPersonOut]


class StepOut(Schema):
    rule: str
    basis: str
    rate: str
    amount: str
    note: str = ""


class CreditOut(Schema):
    order_line_id: int
    order_id: int
    order_number: str
    product: str
    credited_on: dt.date
    share_pct: Decimal
    value: Money
    amount: Money


class LineDisputeOut(Schema):
    id: int
    status: str
    reason: str
    outcome: str


class LineOut(Schema):
    id: int
    position: int
    kind: str
    label: str
    version_id: int | None
    component_id: int | None
    adjustment_id: int | None
    credit: Decimal
    goal: Money | None
    attainment_pct: Decimal | None
    amount: Money
    balance_after: Money | None
    steps: list[StepOut]
    credits: list[CreditOut]
    disputes: list[LineDisputeOut]


class RunBriefOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    status: str


class StatementOut(Schema):
    run: RunBriefOut
    person_id: int
    name: str
    total: Money
    lines: list[LineOut]


class MyStatementOut(Schema):
    run_id: int
    period_start: dt.date
    period_end: dt.date
    status: str
    total: Money

    @staticmethod
    def resolve_run_id(obj: PayoutRun) -> int:
        return obj.pk

    @staticmethod
    def resolve_total(obj: PayoutRun) -> Decimal:
        return obj.person_total  # type: ignore[attr-defined]


class AdjustmentIn(Schema):
    person_id: int
    effective_on: dt.date
    amount: MoneyIn
    reason: str


class AdjustmentOut(Schema):
    id: int
    person_id: int
    effective_on: dt.date
    amount: Money
    reason: str
    author_id: int
    created_at: dt.datetime


class DisputeIn(Schema):
    reason: str


class DecideIn(Schema):
    upheld: bool
    outcome: str
    amount: MoneyIn | None = None
    effective_on: dt.date | None = None


class DisputeOut(Schema):
    id: int
    line_id: int
    run_id: int
    person_id: int
    raised_by_id: int
    reason: str
    status: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    outcome: str
    adjustment_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_run_id(obj: Dispute) -> int:
        return obj.line.run_id

    @staticmethod
    def resolve_person_id(obj: Dispute) -> int:
        return obj.line.person_id


class AcceptanceOut(Schema):
    id: int
    version_id: int
    person_id: int
    accepted_at: dt.datetime


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


class WhatIfIn(Schema):
    version_id: int
    periods: list[PeriodIn]


class WhatIfRowOut(Schema):
    person_id: int
    name: str
    current: Money
    proposed: Money
    difference: Money


class WhatIfOut(Schema):
    version_id: int
    periods: list[PeriodIn]
    current: Money
    proposed: Money
    difference: Money
    rows: list[WhatIfRowOut]
    errors: list[str]


# --- helpers -----------------------------------------------------------------------------------

#: Service error keys that are `<name>_id` in the request bodies.
_RENAMES = {
    "person": "person_id",
    "unit": "unit_id",
    "product_line": "product_line_id",
    "product": "product_id",
    "line": "line_id",
}
WHAT_IF_PERIODS_MAX = 24


@contextmanager
def _fields_named() -> Iterator[None]:
    """Re-raise a service's ValidationError with the field names of the request body."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({_RENAMES.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


def _admin(request: HttpRequest) -> None:
    selectors.require_pay_admin(request.user)


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with id %(id)s.") % {"id": pk}})
    return found


def _plan(pk: int) -> Plan:
    return get_visible_or_404(selectors.plan_list(), pk=pk)


def _version(pk: int) -> PlanVersion:
    return get_visible_or_404(PlanVersion.objects.select_related("plan"), pk=pk)


def _component(pk: int) -> Component:
    return get_visible_or_404(Component.objects.select_related("version__plan"), pk=pk)


def _run(pk: int) -> PayoutRun:
    return get_visible_or_404(selectors.run_list(), pk=pk)


def _terms(payload: ComponentIn) -> dict[str, Any]:
    data = payload.dict(exclude={"product_line_id", "product_id", "tiers", "bands"})
    data["product_line"] = _lookup(ProductLine, payload.product_line_id, "product_line_id")
    data["product"] = _lookup(Product, payload.product_id, "product_id")
    data["tiers"] = [_table_row(row) for row in payload.tiers]
    data["bands"] = [_table_row(row) for row in payload.bands]
    return data


def _table_row(row: dict[str, Any]) -> dict[str, str]:
    """A tier or band row as the component stores it: strings, "" for an open end."""
    return {key: "" if value is None else str(value) for key, value in row.items()}


def _statement(request: HttpRequest, run_id: int, person_id: int) -> selectors.Statement:
    run = _run(run_id)
    st = selectors.statement(user=request.user, run=run, person_id=person_id)
    if not st.lines:
        raise Http404
    return st


def _statement_out(st: selectors.Statement) -> dict[str, Any]:
    return {
        "run": st.run,
        "person_id": st.person.pk,
        "name": st.person.full_name,
        "total": st.total,
        "lines": [
            {
                "id": ln.pk,
                "position": ln.position,
                "kind": ln.kind,
                "label": ln.label,
                "version_id": ln.version_id,
                "component_id": ln.component_id,
                "adjustment_id": ln.adjustment_id,
                "credit": ln.credit,
                "goal": ln.goal,
                "attainment_pct": ln.attainment_pct,
                "amount": ln.amount,
                "balance_after": ln.balance_after,
                "steps": ln.trace,
                "credits": [
                    {
                        "order_line_id": c.order_line_id,
                        "order_id": c.order_line.order_id,
                        "order_number": c.order_line.order.number,
                        "product": c.order_line.product.name,
                        "credited_on": c.credited_on,
                        "share_pct": c.share_pct,
                        "value": c.value,
                        "amount": c.amount,
                    }
                    for c in ln.credits.all()
                ],
                "disputes": st.disputes.get(ln.pk, []),
            }
            for ln in st.lines
        ],
    }


def _run_detail(request: HttpRequest, run: PayoutRun) -> PayoutRun:
    run.people = selectors.run_people(run, user=request.user)  # type: ignore[attr-defined]
    return run


def _run_action(
    request: HttpRequest, run_id: int, action: Callable[[PayoutRun, Person], Any]
) -> PayoutRun:
    _admin(request)
    run = _run(run_id)
    action(run, _me(request))
    return _run_detail(request, _run(run_id))


# --- plans, versions, components ---------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], operation_id="plan_list")
@paginate(LimitOffsetPagination)
def plan_list(request: HttpRequest) -> Any:
    _admin(request)
    return selectors.plan_list().order_by("name")


@router.post("/plans", response={201: PlanDetailOut}, operation_id="plan_create")
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    _admin(request)
    plan = services.plan_create(name=payload.name, description=payload.description)
    return Status(201, _plan(plan.pk))


@router.get("/plans/{plan_id}", response=PlanDetailOut, operation_id="plan_get")
def plan_get(request: HttpRequest, plan_id: int) -> Any:
    _admin(request)
    return _plan(plan_id)


@router.post(
    "/plans/{plan_id}/versions", response={201: VersionDetailOut}, operation_id="version_create"
)
def version_create(request: HttpRequest, plan_id: int, payload: VersionIn) -> Any:
    _admin(request)
    version = services.version_create(plan=_plan(plan_id), **payload.dict())
    return Status(201, version)


@router.get("/versions/{version_id}", response=VersionDetailOut, operation_id="version_get")
def version_get(request: HttpRequest, version_id: int) -> Any:
    _admin(request)
    return _version(version_id)


@router.put("/versions/{version_id}", response=VersionDetailOut, operation_id="version_update")
def version_update(request: HttpRequest, version_id: int, payload: VersionIn) -> Any:
    _admin(request)
    return services.version_update(version=_version(version_id), **payload.dict())


@router.post(
    "/versions/{version_id}/publish", response=VersionDetailOut, operation_id="version_publish"
)
def version_publish(request: HttpRequest, version_id: int) -> Any:
    _admin(request)
    return services.version_publish(version=_version(version_id), by=_me(request))


@router.post(
    "/versions/{version_id}/copy", response={201: VersionDetailOut}, operation_id="version_copy"
)
def version_copy(request: HttpRequest, version_id: int) -> Any:
    _admin(request)
    return Status(201, services.version_copy(version=_version(version_id)))


@router.post("/versions/{version_id}/end", response=VersionDetailOut, operation_id="version_end")
def version_end(request: HttpRequest, version_id: int, payload: VersionEndIn) -> Any:
    _admin(request)
    return services.version_end(version=_version(version_id), effective_to=payload.effective_to)


@router.post(
    "/versions/{version_id}/components",
    response={201: ComponentOut},
    operation_id="component_add",
)
def component_add(request: HttpRequest, version_id: int, payload: ComponentIn) -> Any:
    _admin(request)
    version = _version(version_id)
    with _fields_named():
        component = services.component_save(version=version, **_terms(payload))
    return Status(201, component)


@router.put("/components/{component_id}", response=ComponentOut, operation_id="component_update")
def component_update(request: HttpRequest, component_id: int, payload: ComponentIn) -> Any:
    _admin(request)
    component = _component(component_id)
    with _fields_named():
        return services.component_save(
            version=component.version, component=component, **_terms(payload)
        )


@router.delete("/components/{component_id}", response={204: None}, operation_id="component_delete")
def component_delete(request: HttpRequest, component_id: int) -> Any:
    _admin(request)
    services.component_delete(component=_component(component_id))
    return Status(204, None)


# --- assignments and credit splits -------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/assignments", response=list[AssignmentOut], operation_id="assignment_list"
)
def assignment_list(request: HttpRequest, plan_id: int) -> Any:
    _admin(request)
    return list(selectors.assignment_list(_plan(plan_id)))


@router.post(
    "/plans/{plan_id}/assignments", response={201: AssignmentOut}, operation_id="assignment_create"
)
def assignment_create(request: HttpRequest, plan_id: int, payload: AssignmentIn) -> Any:
    _admin(request)
    plan = _plan(plan_id)
    with _fields_named():
        assignment = services.assignment_create(
            plan=plan,
            start=payload.start,
            end=payload.end,
            person=_lookup(Person, payload.person_id, "person_id"),
            role=payload.role,
            unit=_lookup(OrgUnit, payload.unit_id, "unit_id"),
            credit_scope=payload.credit_scope,
            draw_amount=payload.draw_amount,
            draw_recoverable=payload.draw_recoverable,
            ramp=payload.ramp,
        )
    return Status(201, assignment)


@router.post(
    "/assignments/{assignment_id}/end", response=AssignmentOut, operation_id="assignment_end"
)
def assignment_end(request: HttpRequest, assignment_id: int, payload: AssignmentEndIn) -> Any:
    _admin(request)
    assignment = get_visible_or_404(Assignment.objects.all(), pk=assignment_id)
    return services.assignment_end(assignment=assignment, end=payload.end)


@router.put("/orders/{order_id}/splits", response=list[SplitOut], operation_id="splits_set")
def splits_set(request: HttpRequest, order_id: int, payload: SplitsIn) -> Any:
    """Replace the order's credit splits: shares in % above 0 adding up to exactly 100, one per
    seller; an empty list credits the order wholly to its owner again."""
    _admin(request)
    order = get_visible_or_404(Order.objects.all(), pk=order_id)
    ids = [share.person_id for share in payload.shares]
    people = Person.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ValidationError({"shares": _("No person with id %(id)s.") % {"id": missing[0]}})
    services.credit_splits_set(
        order=order, shares=[(people[s.person_id], s.share_pct) for s in payload.shares]
    )
    return list(CreditSplit.objects.filter(order=order))


# --- payout runs and statements ----------------------------------------------------------------


@router.get("/runs", response=list[RunOut], operation_id="run_list")
@paginate(LimitOffsetPagination)
def run_list(request: HttpRequest, status: str = "") -> Any:
    _admin(request)
    runs = selectors.run_list().order_by("-period_start")
    return runs.filter(status=status) if status else runs


@router.post("/runs", response={201: RunOut}, operation_id="run_request")
def run_request(request: HttpRequest, payload: RunIn) -> Any:
    """Ask for a period's run; the task worker calculates it (`calculating` is true until
    then). Asking again for a draft's period queues it again."""
    _admin(request)
    run = services.run_request(
        period_start=payload.period_start, period_end=payload.period_end, by=_me(request)
    )
    return Status(201, _run(run.pk))


@router.get("/runs/{run_id}", response=RunDetailOut, operation_id="run_get")
def run_get(request: HttpRequest, run_id: int) -> Any:
    _admin(request)
    return _run_detail(request, _run(run_id))


@router.post("/runs/{run_id}/approve", response=RunDetailOut, operation_id="run_approve")
def run_approve(request: HttpRequest, run_id: int) -> Any:
    return _run_action(request, run_id, lambda run, me: services.run_approve(run=run, by=me))


@router.post("/runs/{run_id}/paid", response=RunDetailOut, operation_id="run_mark_paid")
def run_mark_paid(request: HttpRequest, run_id: int) -> Any:
    return _run_action(request, run_id, lambda run, me: services.run_mark_paid(run=run, by=me))


@router.delete("/runs/{run_id}", response={204: None}, operation_id="run_discard")
def run_discard(request: HttpRequest, run_id: int) -> Any:
    _admin(request)
    services.run_discard(run=_run(run_id))
    return Status(204, None)


@router.get(
    "/runs/{run_id}/people/{person_id}", response=StatementOut, operation_id="statement_get"
)
def statement_get(request: HttpRequest, run_id: int, person_id: int) -> Any:
    """One person's pay in a run: each line with its trace steps and the order lines credited."""
    return _statement_out(_statement(request, run_id, person_id))


@router.get("/runs/{run_id}/people/{person_id}/pdf", operation_id="statement_pdf")
def statement_pdf_get(request: HttpRequest, run_id: int, person_id: int) -> HttpResponse:
    """The same statement as a PDF document."""
    st = _statement(request, run_id, person_id)
    response = HttpResponse(statement_pdf(st), content_type="application/pdf")
    filename = slugify(f"statement {st.person.full_name} {st.run.period_start:%Y-%m}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@router.get("/me/statements", response=list[MyStatementOut], operation_id="statement_list_mine")
@paginate(LimitOffsetPagination)
def statement_list_mine(request: HttpRequest) -> Any:
    return selectors.statements_of(_me(request))


# --- adjustments, disputes, acceptance, what-if ------------------------------------------------


@router.get("/adjustments", response=list[AdjustmentOut], operation_id="adjustment_list")
@paginate(LimitOffsetPagination)
def adjustment_list(request: HttpRequest, person_id: int | None = None) -> Any:
    adjustments = selectors.adjustment_list(user=request.user)
    return adjustments.filter(person_id=person_id) if person_id else adjustments


@router.post("/adjustments", response={201: AdjustmentOut}, operation_id="adjustment_create")
def adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Any:
    _admin(request)
    author = _me(request)
    with _fields_named():
        adjustment = services.adjustment_create(
            person=_lookup(Person, payload.person_id, "person_id"),
            effective_on=payload.effective_on,
            amount=payload.amount,
            reason=payload.reason,
            author=author,
        )
    return Status(201, adjustment)


@router.get("/disputes", response=list[DisputeOut], operation_id="dispute_list")
@paginate(LimitOffsetPagination)
def dispute_list(request: HttpRequest, status: str = "") -> Any:
    disputes = selectors.dispute_list(user=request.user)
    return disputes.filter(status=status) if status else disputes


@router.post("/lines/{line_id}/disputes", response={201: DisputeOut}, operation_id="dispute_open")
def dispute_open(request: HttpRequest, line_id: int, payload: DisputeIn) -> Any:
    """The person a line pays disputes it, saying why."""
    me = _me(request)
    line = get_visible_or_404(
        PayoutLine.objects.filter(selectors.pay_people_q(request.user)).select_related("run"),
        pk=line_id,
    )
    with _fields_named():
        dispute = services.dispute_open(line=line, by=me, reason=payload.reason)
    return Status(201, _dispute(request, dispute.pk))


def _dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    return get_visible_or_404(selectors.dispute_list(user=request.user), pk=dispute_id)


@router.post("/disputes/{dispute_id}/decide", response=DisputeOut, operation_id="dispute_decide")
def dispute_decide(request: HttpRequest, dispute_id: int, payload: DecideIn) -> Any:
    """Someone who sees the disputed pay, other than the person who raised it, upholds it (with
    an adjustment if money is owed) or rejects it, saying why."""
    me = _me(request)
    dispute = _dispute(request, dispute_id)
    if dispute.raised_by_id == me.pk:
        raise PermissionDenied
    with _fields_named():
        services.dispute_decide(
            dispute=dispute,
            by=me,
            upheld=payload.upheld,
            outcome=payload.outcome,
            amount=payload.amount,
            effective_on=payload.effective_on,
        )
    return _dispute(request, dispute_id)


@router.post(
    "/versions/{version_id}/accept", response={201: AcceptanceOut}, operation_id="plan_accept"
)
def plan_accept(request: HttpRequest, version_id: int) -> Any:
    """Accept the document of a published plan version that pays the caller today."""
    me = _me(request)
    mine = [version.pk for version, _acceptance in selectors.plans_of(me)]
    version = get_visible_or_404(PlanVersion.objects.filter(pk__in=mine), pk=version_id)
    return Status(201, services.plan_accept(version=version, person=me))


@router.post("/what-if", response=WhatIfOut, operation_id="what_if_get")
def what_if_get(request: HttpRequest, payload: WhatIfIn) -> Any:
    """The pay of the draft version's plan over the periods as published, and as it would have
    been with the draft in force instead (nothing is written)."""
    _admin(request)
    version = _lookup(PlanVersion, payload.version_id, "version_id")
    errors: dict[str, str] = {}
    if version.status != VersionStatus.DRAFT:
        errors["version_id"] = _("Choose a draft version: the what-if compares it.")
    if not payload.periods:
        errors["periods"] = _("Give at least one period.")
    elif len(payload.periods) > WHAT_IF_PERIODS_MAX:
        errors["periods"] = _("At most %(n)s periods.") % {"n": WHAT_IF_PERIODS_MAX}
    elif any(p.end < p.start for p in payload.periods):
        errors["periods"] = _("A period cannot end before it starts.")
    elif any((p.end - p.start).days >= services.PERIOD_MAX_DAYS for p in payload.periods):
        errors["periods"] = _("A period is at most a year.")
    if errors:
        raise ValidationError(errors)
    result = selectors.what_if(version=version, periods=[(p.start, p.end) for p in payload.periods])
    return {
        "version_id": version.pk,
        "periods": [{"start": s, "end": e} for s, e in result.periods],
        "current": result.current,
        "proposed": result.proposed,
        "difference": result.difference,
        "rows": [
            {
                "person_id": r.person_id,
                "name": r.name,
                "current": r.current,
                "proposed": r.proposed,
                "difference": r.difference,
            }
            for r in result.rows
        ],
        "errors": result.errors,
    }
