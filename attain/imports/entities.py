"""The importable entities: their columns and how one record is applied through the services.

Each `apply` finds the record by its key (an external id, or a natural key such as a SKU or a
currency and day), then creates it, changes what differs, or leaves it alone — returning
"created", "updated" or "unchanged" — always through the owning app's services, so an
imported record is exactly what the web form would have made.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as __

from attain.analytics.metrics import METRICS
from attain.catalog import services as catalog
from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.models import ExchangeRate
from attain.core.money import CURRENCY_CHOICES
from attain.core.services import exchange_rate_set
from attain.customers import services as customers
from attain.customers.models import Account, Contact, Segment, SizeBand
from attain.goals import services as goals
from attain.goals.models import Goal, PeriodKind, ScopeKind
from attain.imports.context import ImportContext, unique_code
from attain.imports.engine import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Entity,
    Record,
    RowProblem,
    RowsProblem,
)
from attain.imports.fields import Column
from attain.orders import services as orders
from attain.orders.models import Order, OrderLine, OrderReturn, OrderStatus, ReturnReason
from attain.organization import services as org
from attain.organization.models import (
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    Role,
    Territory,
    TerritoryAssignment,
    TerritoryKind,
    UnitKind,
)
from attain.pipeline import services as pipeline
from attain.pipeline.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Channel,
    Deal,
    DealStageChange,
    DealStatus,
    Lead,
    LeadSource,
    LeadStatus,
    LostReason,
    Stage,
)

HUNDRED = Decimal(100)
EARLIEST = dt.date(1900, 1, 1)


def ext() -> Column:
    return Column(
        "external_id",
        "text",
        __("external id"),
        max_length=64,
        help=__("The record's id in the system it comes from; re-imports find it by this."),
    )


def ref(name: str, entity: str, label: Any, *, required: bool = False, help: Any = "") -> Column:
    return Column(name, "ref", label, required=required, ref=entity, help=help)


def text(name: str, label: Any, *, max_length: int = 200, required: bool = False) -> Column:
    return Column(name, "text", label, required=required, max_length=max_length)


def money(name: str, label: Any, *, required: bool = False) -> Column:
    return Column(name, "money", label, required=required, minimum=Decimal(0))


def date(name: str, label: Any, *, required: bool = False, help: Any = "") -> Column:
    return Column(name, "date", label, required=required, help=help)


def choice(name: str, label: Any, choices: Any, *, required: bool = False, **kw: Any) -> Column:
    return Column(name, "choice", label, required=required, choices=tuple(choices), **kw)


CURRENCY = choice("currency", __("currency"), CURRENCY_CHOICES)
OWNER = ref("owner", "people", __("owner"), help=__("Default: the person importing."))


def _changed(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of `values` whose value differs on `obj` (None in values = not given)."""
    return {k: v for k, v in values.items() if v is not None and getattr(obj, k) != v}


def _split_name(record: Record) -> tuple[str, str]:
    first, last = record.get("first_name", ""), record.get("last_name", "")
    full = record.get("name", "")
    if full and not (first and last):
        parts = full.rsplit(" ", 1)
        first, last = (parts[0], parts[1]) if len(parts) == 2 else (full, full)
    if not first or not last:
        raise RowProblem({"name": _("Give a first and a last name, or a full name.")})
    return first, last


def _by_external(model: Any, record: Record, *, field: str = "external_ref") -> Any:
    key = record.get("external_id")
    if not key:
        return None
    return model._default_manager.filter(**{field: key}).order_by("pk").first()


# --- creators for create_missing -------------------------------------------------------------


def _root_unit() -> OrgUnit:
    root = OrgUnit.objects.get_root_nodes().first()
    if root is None:
        raise RowProblem({"unit": _("There is no company yet: import the organisation first.")})
    return root


def install_creators(ctx: ImportContext) -> None:
    """What `create_missing` may create, and how."""

    def product_line(name: str, _owner: Any) -> ProductLine:
        return catalog.product_line_create(code=unique_code(ProductLine, name), name=name)

    def unit(name: str, _owner: Any) -> OrgUnit:
        return _create_unit(ctx, name, ctx.mapping.constants.get("unit_kind") or UnitKind.TEAM)

    def person(name: str, _owner: Any) -> Person:
        parts = name.rsplit(" ", 1)
        first, last = (parts[0], parts[1]) if len(parts) == 2 else (name, name)
        created = org.person_create(first_name=first, last_name=last, email="")
        ctx.remember("people", name, created)
        return created

    def territory(name: str, _owner: Any) -> Territory:
        return org.territory_create(name=name, kind=TerritoryKind.NAMED_ACCOUNTS)

    def account(name: str, owner: Any) -> Account:
        segment = ctx.mapping.new_account_segment or Segment.MID_MARKET
        return customers.account_create(
            name=name, segment=segment, owner=ctx.owner(owner), on=ctx.on
        )

    ctx.creators = {
        "product_lines": product_line,
        "units": unit,
        "people": person,
        "territories": territory,
        "accounts": account,
    }


def _create_unit(
    ctx: ImportContext, name: str, kind: str, parent: OrgUnit | None = None
) -> OrgUnit:
    return org.unit_create(
        name=name, kind=kind, code=unique_code(OrgUnit, name), parent=parent or _root_unit()
    )


# --- organisation ------------------------------------------------------------------------------

UNIT_COLUMNS = (
    text("code", __("code"), max_length=30, required=True),
    text("name", __("name"), max_length=120, required=True),
    choice("kind", __("kind"), UnitKind.choices),
    ref("parent", "units", __("parent unit"), help=__("Code or name; empty: the company.")),
)


def apply_unit(ctx: ImportContext, r: Record) -> str:
    unit = OrgUnit.objects.filter(code=r.get("code")).first()
    kind = r.get("kind") or (
        UnitKind.COMPANY if not OrgUnit.objects.get_root_nodes() else UnitKind.TEAM
    )
    if unit is None:
        parent = ctx.ref(UNIT_COLUMNS[3], r.get("parent"))
        if parent is None and kind != UnitKind.COMPANY:
            parent = _root_unit()
        org.unit_create(name=r.get("name"), kind=kind, code=r.get("code"), parent=parent)
        return CREATED
    if unit.name == r.get("name") and unit.kind == kind:
        return UNCHANGED
    org.unit_update(unit=unit, name=r.get("name"), kind=kind, is_active=unit.is_active)
    return UPDATED


PEOPLE_COLUMNS = (
    ext(),
    text("first_name", __("first name"), max_length=80),
    text("last_name", __("last name"), max_length=80),
    text("name", __("full name"), max_length=161),
    Column("email", "text", __("email"), max_length=254),
    text("phone", __("phone"), max_length=40),
    text("title", __("job title"), max_length=120),
    ref("unit", "units", __("unit"), help=__("Code or name of the unit the person works in.")),
    choice("unit_kind", __("kind of a new unit"), UnitKind.choices),
    ref("unit_parent", "units", __("parent of a new unit")),
    choice("role", __("role"), Role.choices),
    date("member_from", __("in the unit from"), help=__("Default: the start date, else today.")),
    ref("manager", "people", __("reports to")),
    ref("territory", "territories", __("territory")),
    date("started_on", __("employed from")),
)


def apply_person(ctx: ImportContext, r: Record) -> str:
    first, last = _split_name(r)
    email = (r.get("email") or "").strip().lower()
    person = _by_external(Person, r)
    if person is None and email:
        person = Person.objects.filter(email=email).first()
    if person is None and not r.get("external_id") and not email:
        person = ctx.lookup("people", f"{first} {last}")
    result = UNCHANGED
    if person is None:
        person = org.person_create(
            first_name=first,
            last_name=last,
            email=email,
            phone=r.get("phone", ""),
            title=r.get("title", ""),
            started_on=r.get("started_on"),
            external_ref=r.get("external_id", ""),
        )
        result = CREATED
    else:
        wanted = {
            "first_name": first,
            "last_name": last,
            "email": email or person.email,
            "phone": r.get("phone") or person.phone,
            "title": r.get("title") or person.title,
        }
        if _changed(person, wanted):
            org.person_update(person=person, **wanted)
            result = UPDATED
    if r.get("external_id"):
        ctx.remember("people", r.get("external_id"), person)
    ctx.remember("people", f"{first} {last}", person)
    since = r.get("member_from") or r.get("started_on") or ctx.on
    unit_text = r.get("unit")
    if unit_text:
        unit = ctx.lookup("units", unit_text)
        if unit is None:
            unit = _missing_unit(ctx, r, unit_text)
        role = r.get("role") or Role.SALES_REP
        current = Membership.objects.filter(person=person, valid_to__isnull=True).first()
        moved = current is None or current.unit_id != unit.pk or current.role != role
        if (
            moved
            and not Membership.objects.filter(
                person=person, unit=unit, role=role, valid_from=since
            ).exists()
        ):
            org.membership_start(person=person, unit=unit, role=role, valid_from=since)
            result = UPDATED if result == UNCHANGED else result
    manager = ctx.ref(PEOPLE_COLUMNS[12], r.get("manager"))
    if manager is not None:
        line = ReportingLine.objects.filter(person=person, valid_to__isnull=True).first()
        if line is None or line.manager_id != manager.pk:
            org.reporting_line_set(person=person, manager=manager, valid_from=since)
            result = UPDATED if result == UNCHANGED else result
    territory = ctx.ref(PEOPLE_COLUMNS[13], r.get("territory"))
    if (
        territory is not None
        and not TerritoryAssignment.objects.filter(
            person=person, territory=territory, valid_to__isnull=True
        ).exists()
    ):
        org.territory_assign(territory=territory, person=person, valid_from=since)
        result = UPDATED if result == UNCHANGED else result
    return result


def _missing_unit(ctx: ImportContext, r: Record, name: str) -> OrgUnit:
    if "unit" not in ctx.mapping.create_missing:
        return ctx.ref(PEOPLE_COLUMNS[7], name)  # raises the "not known" problem
    parent = None
    parent_text = r.get("unit_parent")
    if parent_text:
        parent = ctx.lookup("units", parent_text)
        if parent is None:
            if "unit_parent" not in ctx.mapping.create_missing:
                ctx.ref(PEOPLE_COLUMNS[9], parent_text)
            parent = _create_unit(ctx, parent_text, UnitKind.BUSINESS_UNIT)
            ctx.remember("units", parent_text, parent)
    unit = _create_unit(ctx, name, r.get("unit_kind") or UnitKind.TEAM, parent)
    ctx.remember("units", name, unit)
    return unit


TERRITORY_COLUMNS = (
    text("name", __("name"), max_length=120, required=True),
    choice("kind", __("kind"), TerritoryKind.choices),
    text("region", __("region"), max_length=80),
    text("segment", __("segment"), max_length=40),
    ref("unit", "units", __("unit")),
    text("description", __("description"), max_length=2000),
)


def apply_territory(ctx: ImportContext, r: Record) -> str:
    unit = ctx.ref(TERRITORY_COLUMNS[4], r.get("unit"))
    territory = Territory.objects.filter(name=r.get("name")).first()
    kind = r.get("kind") or (
        TerritoryKind.REGION if r.get("region") else TerritoryKind.NAMED_ACCOUNTS
    )
    values = {
        "name": r.get("name"),
        "kind": kind,
        "region": r.get("region", ""),
        "segment": r.get("segment", ""),
        "unit": unit,
        "description": r.get("description", ""),
    }
    if territory is None:
        org.territory_create(**values)
        return CREATED
    if not _changed(territory, values):
        return UNCHANGED
    org.territory_update(territory=territory, **values)
    return UPDATED


# --- catalog -----------------------------------------------------------------------------------

PRODUCT_LINE_COLUMNS = (
    text("code", __("code"), max_length=30),
    text("name", __("name"), max_length=120, required=True),
    text("description", __("description"), max_length=2000),
)


def apply_product_line(ctx: ImportContext, r: Record) -> str:
    code = r.get("code") or unique_code(ProductLine, r.get("name"))
    line = ProductLine.objects.filter(code=code).first() if r.get("code") else None
    if line is None:
        line = ProductLine.objects.filter(name=r.get("name")).first()
    if line is None:
        catalog.product_line_create(
            code=code, name=r.get("name"), description=r.get("description", "")
        )
        return CREATED
    wanted = {"name": r.get("name"), "description": r.get("description") or line.description}
    if not _changed(line, wanted):
        return UNCHANGED
    catalog.product_line_update(line=line, is_active=line.is_active, **wanted)
    return UPDATED


PRODUCT_COLUMNS = (
    ext(),
    text("sku", __("SKU"), max_length=40, required=True),
    text("name", __("name"), max_length=200, required=True),
    ref("line", "product_lines", __("product line"), required=True),
    text("description", __("description"), max_length=2000),
    money("list_price", __("list price")),
    money("unit_cost", __("unit cost")),
    CURRENCY,
    date("price_from", __("price valid from"), help=__("Default: 2000-01-01.")),
)


def apply_product(ctx: ImportContext, r: Record) -> str:
    line = ctx.ref(PRODUCT_COLUMNS[3], r.get("line"))
    product = Product.objects.filter(sku=r.get("sku")).first()
    result = UNCHANGED
    if product is None:
        product = catalog.product_create(
            line=line,
            sku=r.get("sku"),
            name=r.get("name"),
            description=r.get("description", ""),
            external_ref=r.get("external_id", ""),
        )
        result = CREATED
    else:
        wanted = {
            "line": line,
            "name": r.get("name"),
            "description": r.get("description") or product.description,
        }
        if _changed(product, wanted):
            catalog.product_update(product=product, is_active=product.is_active, **wanted)
            result = UPDATED
    ctx.remember("products", r.get("sku"), product)
    if r.get("list_price") is not None:
        currency = r.get("currency") or settings.REPORTING_CURRENCY
        valid_from = r.get("price_from") or dt.date(2000, 1, 1)
        cost = r.get("unit_cost", Decimal("0.00"))
        same = ProductPrice.objects.filter(
            product=product,
            currency=currency,
            valid_from=valid_from,
            list_price=r.get("list_price"),
            unit_cost=cost,
        ).exists()
        if not same:
            catalog.product_price_set(
                product=product,
                valid_from=valid_from,
                currency=currency,
                list_price=r.get("list_price"),
                unit_cost=cost,
            )
            result = UPDATED if result == UNCHANGED else result
    return result


# --- customers ---------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    ext(),
    text("name", __("name"), required=True),
    choice("segment", __("segment"), Segment.choices, required=True),
    text("industry", __("industry"), max_length=80),
    choice("size_band", __("size"), SizeBand.choices),
    Column("employees", "int", __("employees"), minimum=Decimal(0)),
    money("annual_revenue", __("annual revenue")),
    Column("country", "country", __("country"), help=__("ISO code (NO) or English name.")),
    text("region", __("region"), max_length=80),
    text("city", __("city"), max_length=80),
    text("website", __("website")),
    ref("parent", "accounts", __("parent account")),
    OWNER,
)


def apply_account(ctx: ImportContext, r: Record) -> str:
    owner = ctx.owner(ctx.ref(OWNER, r.get("owner")))
    parent = ctx.ref(ACCOUNT_COLUMNS[11], r.get("parent"), owner=owner)
    account = _by_external(Account, r)
    if account is None and not r.get("external_id"):
        account = Account.objects.filter(name=r.get("name")).first()
    values = {
        "name": r.get("name"),
        "segment": r.get("segment"),
        "industry": r.get("industry", ""),
        "size_band": r.get("size_band", ""),
        "employees": r.get("employees"),
        "annual_revenue": r.get("annual_revenue"),
        "country": (r.get("country") or "").upper(),
        "region": r.get("region", ""),
        "city": r.get("city", ""),
        "website": r.get("website", ""),
        "parent": parent,
    }
    if account is None:
        account = customers.account_create(
            owner=owner, external_ref=r.get("external_id", ""), on=ctx.on, **values
        )
        result = CREATED
    else:
        changes = _changed(account, {**values, "owner": owner if r.get("owner") else None})
        if changes:
            customers.account_update(account=account, **changes)
        result = UPDATED if changes else UNCHANGED
    ctx.remember("accounts", r.get("external_id") or r.get("name"), account)
    return result


CONTACT_COLUMNS = (
    ext(),
    ref("account", "accounts", __("account"), help=__("Empty: a private contact of its owner.")),
    text("first_name", __("first name"), max_length=80),
    text("last_name", __("last name"), max_length=80),
    text("name", __("full name"), max_length=161),
    Column("email", "text", __("email"), max_length=254),
    text("phone", __("phone"), max_length=40),
    text("job_title", __("job title"), max_length=120),
    Column("is_primary", "bool", __("primary contact")),
    OWNER,
)


def apply_contact(ctx: ImportContext, r: Record) -> str:
    account = ctx.ref(CONTACT_COLUMNS[1], r.get("account"))
    first, last = _split_name(r)
    contact = _by_external(Contact, r)
    email = (r.get("email") or "").lower()
    if contact is None and not r.get("external_id") and email:
        contact = Contact.objects.filter(account=account, email__iexact=email).first()
    values = {
        "account": account,
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": r.get("phone", ""),
        "job_title": r.get("job_title", ""),
        "is_primary": bool(r.get("is_primary", False)),
    }
    if contact is None:
        owner = ctx.ref(OWNER, r.get("owner"))
        contact = customers.contact_create(
            external_ref=r.get("external_id", ""),
            owner=ctx.owner(owner) if account is None else owner,
            **values,
        )
        result = CREATED
    else:
        changes = _changed(contact, values)
        if changes:
            customers.contact_update(contact=contact, **changes)
        result = UPDATED if changes else UNCHANGED
    ctx.remember("contacts", r.get("external_id") or email, contact)
    return result


# --- pipeline ----------------------------------------------------------------------------------

LEAD_COLUMNS = (
    ext(),
    text("company", __("company")),
    text("contact_name", __("contact name"), max_length=120),
    Column("email", "text", __("email"), max_length=254),
    text("phone", __("phone"), max_length=40),
    choice("source", __("source"), LeadSource.choices),
    choice("channel", __("channel"), Channel.choices),
    date("received_on", __("received on"), required=True),
    OWNER,
    ref("account", "accounts", __("account")),
    choice("status", __("status"), LeadStatus.choices),
    text("notes", __("notes"), max_length=10000),
)


def apply_lead(ctx: ImportContext, r: Record) -> str:
    owner = ctx.owner(ctx.ref(OWNER, r.get("owner")))
    account = ctx.ref(LEAD_COLUMNS[9], r.get("account"), owner=owner)
    lead = _by_external(Lead, r)
    if lead is None:
        if not (r.get("company") or r.get("contact_name")):
            raise RowProblem({"company": _("Give the company or the contact's name.")})
        lead = pipeline.lead_create(
            company=r.get("company", ""),
            contact_name=r.get("contact_name", ""),
            email=r.get("email", ""),
            phone=r.get("phone", ""),
            source=r.get("source") or LeadSource.OTHER,
            channel=r.get("channel") or Channel.INBOUND,
            received_on=r.get("received_on"),
            owner=owner,
            account=account,
            notes=r.get("notes", ""),
            external_ref=r.get("external_id", ""),
        )
        result = CREATED
    else:
        result = UNCHANGED
    status = r.get("status")
    if status and status != lead.status:
        if status == LeadStatus.QUALIFIED and lead.status == LeadStatus.NEW:
            pipeline.lead_qualify(lead=lead)
        elif status == LeadStatus.DISQUALIFIED:
            pipeline.lead_disqualify(lead=lead, reason=_("Imported as disqualified"))
        elif status == LeadStatus.CONVERTED:
            pass  # a lead becomes converted when a deal names it (deals import)
        else:
            raise RowProblem(
                {
                    "status": _("A %(from)s lead cannot become %(to)s.")
                    % {"from": lead.status, "to": status}
                }
            )
        result = UPDATED if result == UNCHANGED else result
    if r.get("external_id"):
        ctx.remember("leads", r.get("external_id"), lead)
    return result


DEAL_COLUMNS = (
    ext(),
    text("name", __("name")),
    ref("account", "accounts", __("account")),
    OWNER,
    money("amount", __("amount")),
    CURRENCY,
    date(
        "created_on",
        __("created on"),
        required=True,
        help=__("A later date than the (expected) close is taken to be the close date."),
    ),
    date("expected_close_on", __("expected close"), help=__("Default: the close date.")),
    ref("stage", "stages", __("stage"), help=__("Code or name of a stage (won / lost close it).")),
    date("closed_on", __("closed on")),
    ref("lost_reason", "lost_reasons", __("lost reason")),
    Column("probability", "int", __("probability %"), minimum=Decimal(0), maximum=HUNDRED),
    ref("product", "products", __("product")),
    ref("product_line", "product_lines", __("product line")),
    ref("contact", "contacts", __("contact")),
    ref("lead", "leads", __("lead")),
)


def _lost_reason(ctx: ImportContext, column: Column, text_value: str | None) -> LostReason:
    """The reason named, or "Other" for an export that keeps no reason for its lost deals."""
    found = ctx.ref(column, text_value)
    if found is None:
        found = LostReason.objects.filter(code="other").first()
    if found is None:
        raise RowProblem({column.name: _("Name the reason the deal was lost.")})
    return found


def _stage(ctx: ImportContext, text_value: str | None) -> Stage | None:
    return ctx.ref(DEAL_COLUMNS[8], text_value)


def apply_deal(ctx: ImportContext, r: Record) -> str:
    owner = ctx.owner(ctx.ref(OWNER, r.get("owner")))
    account = ctx.ref(DEAL_COLUMNS[2], r.get("account"), owner=owner)
    stage = _stage(ctx, r.get("stage"))
    product = ctx.ref(DEAL_COLUMNS[12], r.get("product"))
    line = ctx.ref(DEAL_COLUMNS[13], r.get("product_line"))
    lines = [x for x in (line, product.line if product else None) if x is not None]
    closed_on = r.get("closed_on")
    expected = r.get("expected_close_on") or closed_on or r.get("created_on")
    # A CRM's creation date is the record's, which may postdate the deal (history loaded
    # later): a deal starts no later than it closes, or is expected to.
    created_on = min(r.get("created_on"), closed_on or expected)
    amount = r.get("amount", Decimal("0.00"))
    at = dt.datetime.combine(created_on, dt.time(9), tzinfo=dt.UTC)
    deal = _by_external(Deal, r)
    result = UNCHANGED
    if deal is None:
        deal = pipeline.deal_create(
            name=r.get("name")
            or " ".join(str(x) for x in (account or "", r.get("external_id", "")) if x)
            or _("Imported deal"),
            account=account,
            owner=owner,
            amount=amount,
            currency=r.get("currency") or settings.REPORTING_CURRENCY,
            expected_close_on=expected,
            stage=stage if stage is not None and not stage.is_closed else None,
            created_on=created_on,
            product_lines=lines,
            products=[product] if product else [],
            contact=ctx.ref(DEAL_COLUMNS[14], r.get("contact")),
            lead=ctx.ref(DEAL_COLUMNS[15], r.get("lead")),
            by=ctx.actor,
            at=at,
            probability=r.get("probability"),
            external_ref=r.get("external_id", ""),
        )
        result = CREATED
    if stage is not None and stage.pk != deal.stage_id:
        closing: dt.date = closed_on or expected
        if deal.status != DealStatus.OPEN:
            raise RowProblem(
                {
                    "stage": _("The deal is already %(status)s; reopen it in Attain first.")
                    % {"status": deal.get_status_display()}
                }
            )
        when = dt.datetime.combine(
            closing if stage.is_closed else created_on, dt.time(17), tzinfo=dt.UTC
        )
        if stage.is_won:
            pipeline.deal_close_won(deal=deal, closed_on=closing, by=ctx.actor, at=when)
        elif stage.is_lost:
            pipeline.deal_close_lost(
                deal=deal,
                reason=_lost_reason(ctx, DEAL_COLUMNS[10], r.get("lost_reason")),
                closed_on=closing,
                by=ctx.actor,
                at=when,
            )
        else:
            pipeline.deal_move_stage(deal=deal, stage=stage, by=ctx.actor, at=when)
        result = UPDATED if result == UNCHANGED else result
    if r.get("external_id"):
        ctx.remember("deals", r.get("external_id"), deal)
    return result


DEAL_STAGE_COLUMNS = (
    ref("deal", "deals", __("deal"), required=True),
    ref("stage", "stages", __("stage"), required=True),
    Column("changed_at", "datetime", __("changed at"), required=True),
    ref("lost_reason", "lost_reasons", __("lost reason")),
)


def apply_deal_stage(ctx: ImportContext, r: Record) -> str:
    deal = ctx.ref(DEAL_STAGE_COLUMNS[0], r.get("deal"))
    stage = ctx.ref(DEAL_STAGE_COLUMNS[1], r.get("stage"))
    at = r.get("changed_at")
    if DealStageChange.objects.filter(deal=deal, to_stage=stage, changed_at=at).exists():
        return UNCHANGED
    if deal.stage_id == stage.pk:
        return UNCHANGED
    local_day: dt.date = timezone.localtime(at).date()
    if stage.is_won:
        pipeline.deal_close_won(deal=deal, closed_on=local_day, by=ctx.actor, at=at)
    elif stage.is_lost:
        pipeline.deal_close_lost(
            deal=deal,
            reason=_lost_reason(ctx, DEAL_STAGE_COLUMNS[3], r.get("lost_reason")),
            closed_on=local_day,
            by=ctx.actor,
            at=at,
        )
    else:
        pipeline.deal_move_stage(deal=deal, stage=stage, by=ctx.actor, at=at)
    return UPDATED


ACTIVITY_COLUMNS = (
    ext(),
    OWNER,
    choice("kind", __("type"), ActivityKind.choices, required=True),
    Column("occurred_at", "datetime", __("when"), required=True),
    Column("minutes", "int", __("minutes"), minimum=Decimal(0), maximum=Decimal(24 * 60)),
    choice("outcome", __("outcome"), ActivityOutcome.choices),
    text("subject", __("subject")),
    text("notes", __("notes"), max_length=10000),
    ref("deal", "deals", __("deal")),
    ref("account", "accounts", __("account")),
    ref("lead", "leads", __("lead")),
)


def apply_activity(ctx: ImportContext, r: Record) -> str:
    if r.get("external_id") and Activity.objects.filter(external_ref=r.get("external_id")).exists():
        return UNCHANGED
    deal = ctx.ref(ACTIVITY_COLUMNS[8], r.get("deal"))
    pipeline.activity_log(
        owner=ctx.owner(ctx.ref(OWNER, r.get("owner"))),
        kind=r.get("kind"),
        occurred_at=r.get("occurred_at"),
        minutes=r.get("minutes", 0),
        outcome=r.get("outcome") or ActivityOutcome.COMPLETED,
        subject=r.get("subject") or r.get("kind"),
        notes=r.get("notes", ""),
        deal=deal,
        account=ctx.ref(ACTIVITY_COLUMNS[9], r.get("account")),
        lead=ctx.ref(ACTIVITY_COLUMNS[10], r.get("lead")),
        external_ref=r.get("external_id", ""),
    )
    return CREATED


# --- orders ------------------------------------------------------------------------------------

ORDER_COLUMNS = (
    ext(),
    text("number", __("order number"), max_length=30),
    ref("account", "accounts", __("account"), required=True),
    OWNER,
    CURRENCY,
    date("ordered_on", __("ordered on"), required=True),
    ref("deal", "deals", __("deal")),
    date("delivery_promised_on", __("delivery promised for")),
    text("notes", __("notes"), max_length=10000),
    ref("product", "products", __("product"), required=True),
    Column(
        "quantity", "decimal", __("quantity"), required=True, places=3, minimum=Decimal("0.001")
    ),
    money("unit_price", __("unit price")),
    Column("discount_pct", "decimal", __("discount %"), minimum=Decimal(0), maximum=HUNDRED),
)
ORDER_LINE_COLUMNS = ("product", "quantity", "unit_price", "discount_pct")


def apply_order(ctx: ImportContext, r: Record) -> str:
    lines = [
        orders.OrderLineInput(
            product=ctx.ref(ORDER_COLUMNS[9], line["product"]),
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            discount_pct=line["discount_pct"] if line["discount_pct"] is not None else Decimal(0),
        )
        for _row, line in r.lines
    ]
    existing = _by_external(Order, r)
    if existing is None and r.get("number"):
        existing = Order.objects.filter(number=r.get("number")).first()
    if existing is not None:
        have = sorted(
            (x.product_id, x.quantity, x.unit_price, x.discount_pct)
            for x in OrderLine.objects.filter(order=existing)
        )
        want = sorted(
            (
                x.product.pk,
                x.quantity,
                x.unit_price
                if x.unit_price is not None
                else next((h[2] for h in have if h[0] == x.product.pk), None),
                x.discount_pct,
            )
            for x in lines
        )
        if have != want:
            raise RowProblem(
                {
                    "product": _(
                        "Order %(order)s exists with other lines; an imported order is not "
                        "changed (cancel it in Attain and import it under a new id)."
                    )
                    % {"order": existing.number}
                }
            )
        return UNCHANGED
    owner = ctx.owner(ctx.ref(OWNER, r.get("owner")))
    order = orders.order_create(
        account=ctx.ref(ORDER_COLUMNS[2], r.get("account"), owner=owner),
        owner=owner,
        currency=r.get("currency") or settings.REPORTING_CURRENCY,
        ordered_on=r.get("ordered_on"),
        lines=lines,
        deal=ctx.ref(ORDER_COLUMNS[6], r.get("deal")),
        number=r.get("number") or None,
        delivery_promised_on=r.get("delivery_promised_on"),
        notes=r.get("notes", ""),
        external_ref=r.get("external_id", ""),
    )
    if r.get("external_id"):
        ctx.remember("orders", r.get("external_id"), order)
    return CREATED


def apply_orders(ctx: ImportContext, records: list[Record]) -> list[str]:
    """Every order of the file at once (`orders_create_bulk`: the rules of `order_create`,
    written in bulk): orders already imported (same external id or number) are compared with
    the file and left alone."""
    columns = {c.name: c for c in ORDER_COLUMNS}
    ctx.preload("accounts", {r.get("account") for r in records})
    ctx.preload("people", {r.get("owner") for r in records if r.get("owner")})
    ctx.preload("products", {line["product"] for r in records for _row, line in r.lines})
    ctx.preload("deals", {r.get("deal") for r in records if r.get("deal")})
    refs = [r.get("external_id") for r in records if r.get("external_id")]
    existing: dict[str, Order] = {}
    for i in range(0, len(refs), 1000):
        for order in Order.objects.filter(external_ref__in=refs[i : i + 1000]):
            existing[order.external_ref] = order
    numbers = [r.get("number") for r in records if r.get("number") and not r.get("external_id")]
    for order in Order.objects.filter(number__in=numbers):
        existing[order.number] = order
    have: dict[int, list[tuple[Any, ...]]] = {}
    for line in OrderLine.objects.filter(order__in=list(existing.values())):
        have.setdefault(line.order_id, []).append(
            (line.product_id, line.quantity, line.unit_price, line.discount_pct)
        )
    problems: list[tuple[int, str, str]] = []
    results: list[str] = []
    todo: list[orders.BulkOrder] = []
    rows_of: list[Record] = []
    for r in records:
        try:
            lines = [
                orders.OrderLineInput(
                    product=ctx.ref(columns["product"], line["product"]),
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    discount_pct=line["discount_pct"]
                    if line["discount_pct"] is not None
                    else Decimal(0),
                )
                for _row, line in r.lines
            ]
            found = existing.get(r.get("external_id") or r.get("number") or "")
            if found is not None:
                prices = {h[0]: h[2] for h in have.get(found.pk, [])}
                want = sorted(
                    (
                        x.product.pk,
                        x.quantity,
                        x.unit_price if x.unit_price is not None else prices.get(x.product.pk),
                        x.discount_pct,
                    )
                    for x in lines
                )
                if sorted(have.get(found.pk, [])) != want:
                    raise RowProblem(
                        {
                            "product": _(
                                "Order %(order)s exists with other lines; an imported order is "
                                "not changed (cancel it in Attain and import it under a new id)."
                            )
                            % {"order": found.number}
                        }
                    )
                results.append(UNCHANGED)
                continue
            owner = ctx.owner(ctx.ref(OWNER, r.get("owner")))
            account = ctx.ref(columns["account"], r.get("account"), owner=owner)
            deal = ctx.ref(columns["deal"], r.get("deal"))
        except RowProblem as exc:
            problems += [(r.row, name, message) for name, message in exc.errors.items()]
            continue
        todo.append(
            orders.BulkOrder(
                account_id=account.pk,
                owner_id=owner.pk,
                currency=r.get("currency") or settings.REPORTING_CURRENCY,
                ordered_on=r.get("ordered_on"),
                lines=lines,
                number=r.get("number") or None,
                external_ref=r.get("external_id", ""),
                notes=r.get("notes", ""),
                delivery_promised_on=r.get("delivery_promised_on"),
                deal_id=deal.pk if deal is not None else None,
            )
        )
        rows_of.append(r)
    if problems:
        raise RowsProblem(problems)
    try:
        orders.orders_create_bulk(orders=todo)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            index, _dot, rest = key.removeprefix("orders[").partition("].")
            record = rows_of[int(index)]
            row = record.row
            name = rest
            if rest.startswith("lines["):
                line_index, _dot, name = rest.removeprefix("lines[").partition("].")
                row = record.lines[int(line_index)][0]
            problems.append((row, ctx.column_of(name), " ".join(messages)))
        raise RowsProblem(sorted(problems)) from None
    return results + [CREATED] * len(todo)


STEPS = [
    (OrderStatus.CONFIRMED, OrderStatus.CONFIRMED.label),
    (OrderStatus.SHIPPED, OrderStatus.SHIPPED.label),
    (OrderStatus.DELIVERED, OrderStatus.DELIVERED.label),
    (OrderStatus.FOLLOWED_UP, OrderStatus.FOLLOWED_UP.label),
    (OrderStatus.CANCELLED, OrderStatus.CANCELLED.label),
]
DELIVERY_COLUMNS = (
    ref("order", "orders", __("order"), required=True),
    choice("step", __("step"), STEPS, required=True, aliases={"delivery": "delivered"}),
    date("on", __("done on"), required=True),
    date("promised_on", __("promised for")),
    text("reason", __("reason (cancellation)"), max_length=500),
)
STEP_ORDER = [s for s, _label in STEPS]


def apply_delivery(ctx: ImportContext, r: Record) -> str:
    order = ctx.ref(DELIVERY_COLUMNS[0], r.get("order"))
    step = r.get("step")
    if step == OrderStatus.CANCELLED:
        if order.status == OrderStatus.CANCELLED:
            return UNCHANGED
        orders.order_cancel(
            order=order,
            on=r.get("on"),
            reason=r.get("reason") or _("Cancelled (imported)"),
            by=ctx.owner(None),
        )
        return UPDATED
    actual_field = orders.STEP_FIELDS[step][1]
    if getattr(order, actual_field) == r.get("on"):
        return UNCHANGED
    if order.status in STEP_ORDER and STEP_ORDER.index(order.status) >= STEP_ORDER.index(step):
        raise RowProblem(
            {
                "step": _("Order %(order)s is already %(status)s.")
                % {"order": order.number, "status": order.get_status_display()}
            }
        )
    if r.get("promised_on"):
        orders.order_set_promised(order=order, step=step, on=r.get("promised_on"))
    orders.order_advance(order=order, to_status=step, on=r.get("on"), by=ctx.actor)
    return UPDATED


RETURN_COLUMNS = (
    ref("order", "orders", __("order"), required=True),
    ref("product", "products", __("product"), required=True),
    Column(
        "quantity", "decimal", __("quantity"), required=True, places=3, minimum=Decimal("0.001")
    ),
    date("returned_on", __("returned on"), required=True),
    choice("reason", __("reason"), ReturnReason.choices),
    text("note", __("note"), max_length=2000),
)


def apply_return(ctx: ImportContext, r: Record) -> str:
    order = ctx.ref(RETURN_COLUMNS[0], r.get("order"))
    product = ctx.ref(RETURN_COLUMNS[1], r.get("product"))
    line = OrderLine.objects.filter(order=order, product=product).order_by("pk").first()
    if line is None:
        raise RowProblem(
            {
                "product": _("Order %(order)s has no line for %(product)s.")
                % {"order": order.number, "product": product}
            }
        )
    if OrderReturn.objects.filter(
        line=line, quantity=r.get("quantity"), returned_on=r.get("returned_on")
    ).exists():
        return UNCHANGED
    orders.order_return_record(
        line=line,
        quantity=r.get("quantity"),
        returned_on=r.get("returned_on"),
        reason=r.get("reason") or ReturnReason.OTHER,
        by=ctx.owner(None),
        note=r.get("note", ""),
    )
    return CREATED


# --- goals and rates ---------------------------------------------------------------------------

GOAL_COLUMNS = (
    choice("scope", __("for"), ScopeKind.choices, required=True),
    ref("person", "people", __("person")),
    ref("unit", "units", __("unit")),
    choice("metric", __("metric"), [(k, m.label) for k, m in METRICS.items()], required=True),
    choice("period", __("period"), PeriodKind.choices),
    date("start", __("start"), required=True),
    date("end", __("end")),
    Column("target", "decimal", __("target"), required=True, places=3),
    ref("product_line", "product_lines", __("product line")),
    ref("product", "products", __("product")),
    ref("territory", "territories", __("territory")),
    choice("segment", __("customer segment"), Segment.choices),
    text("notes", __("notes"), max_length=2000),
)


def apply_goal(ctx: ImportContext, r: Record) -> str:
    if ctx.actor is None:
        raise RowProblem({"": _("Goals are set by someone: import them signed in as a person.")})
    person = ctx.ref(GOAL_COLUMNS[1], r.get("person"))
    unit = ctx.ref(GOAL_COLUMNS[2], r.get("unit"))
    filters = {
        "product_line": ctx.ref(GOAL_COLUMNS[8], r.get("product_line")),
        "product": ctx.ref(GOAL_COLUMNS[9], r.get("product")),
        "territory": ctx.ref(GOAL_COLUMNS[10], r.get("territory")),
        "segment": r.get("segment", ""),
    }
    start, end = goals.period_bounds(
        period_kind=r.get("period") or PeriodKind.CUSTOM, start=r.get("start"), end=r.get("end")
    )
    existing = Goal.objects.filter(
        scope_kind=r.get("scope"),
        person=person,
        unit=unit,
        metric=r.get("metric"),
        start=start,
        end=end,
        **filters,
    ).first()
    target = r.get("target")
    if existing is not None:
        if existing.target == target:
            return UNCHANGED
        goals.goal_revise(
            goal=existing,
            new_target=target,
            reason_kind="other",
            reason=_("Imported"),
            revised_by=ctx.actor,
        )
        return UPDATED
    goals.goal_create(
        scope_kind=r.get("scope"),
        metric=r.get("metric"),
        period_kind=r.get("period") or PeriodKind.CUSTOM,
        start=start,
        end=end,
        target=target,
        set_by=ctx.actor,
        person=person,
        unit=unit,
        notes=r.get("notes", ""),
        check_permission=False,
        **filters,
    )
    return CREATED


RATE_COLUMNS = (
    choice("currency", __("currency"), CURRENCY_CHOICES, required=True),
    date("valid_on", __("valid from"), required=True),
    Column("rate", "decimal", __("rate"), required=True, places=8, minimum=Decimal("0.00000001")),
)


def apply_rate(ctx: ImportContext, r: Record) -> str:
    current = ExchangeRate.objects.filter(
        currency=r.get("currency"), valid_on=r.get("valid_on")
    ).first()
    if current is not None and current.rate == r.get("rate"):
        return UNCHANGED
    exchange_rate_set(currency=r.get("currency"), valid_on=r.get("valid_on"), rate=r.get("rate"))
    return UPDATED if current is not None else CREATED


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("units", __("organisation units"), UNIT_COLUMNS, apply_unit, key=("code",)),
        Entity("people", __("people"), PEOPLE_COLUMNS, apply_person, key=("external_id", "email")),
        Entity("territories", __("territories"), TERRITORY_COLUMNS, apply_territory, key=("name",)),
        Entity(
            "product_lines",
            __("product lines"),
            PRODUCT_LINE_COLUMNS,
            apply_product_line,
            key=("code", "name"),
        ),
        Entity("products", __("products"), PRODUCT_COLUMNS, apply_product, key=("sku",)),
        Entity("accounts", __("accounts"), ACCOUNT_COLUMNS, apply_account),
        Entity("contacts", __("contacts"), CONTACT_COLUMNS, apply_contact),
        Entity("leads", __("leads"), LEAD_COLUMNS, apply_lead),
        Entity("deals", __("deals"), DEAL_COLUMNS, apply_deal),
        Entity(
            "deal_stages",
            __("deal stage history"),
            DEAL_STAGE_COLUMNS,
            apply_deal_stage,
            key=("deal", "stage", "changed_at"),
        ),
        Entity("activities", __("activities"), ACTIVITY_COLUMNS, apply_activity),
        Entity(
            "orders",
            __("orders and lines"),
            ORDER_COLUMNS,
            apply_order,
            key=("external_id", "number"),
            line_columns=ORDER_LINE_COLUMNS,
            apply_many=apply_orders,
        ),
        Entity(
            "deliveries",
            __("order steps (deliveries)"),
            DELIVERY_COLUMNS,
            apply_delivery,
            key=("order", "step"),
        ),
        Entity(
            "returns",
            __("returns"),
            RETURN_COLUMNS,
            apply_return,
            key=("order", "product", "returned_on", "quantity"),
        ),
        Entity(
            "goals",
            __("goals"),
            GOAL_COLUMNS,
            apply_goal,
            key=(
                "scope",
                "person",
                "unit",
                "metric",
                "start",
                "end",
                "product_line",
                "product",
                "territory",
                "segment",
            ),
        ),
        Entity(
            "exchange_rates",
            __("exchange rates"),
            RATE_COLUMNS,
            apply_rate,
            key=("currency", "valid_on"),
        ),
    )
}
