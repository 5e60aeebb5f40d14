"""Every write to the pipeline: leads, deals and their stage history, activities, managed lists.

Sales facts are stamped with the owner's place in the organisation on the booking date
(`person_placement_at`); the stamp changes only when the owner changes. Amounts are converted
to the reporting currency once, on the deal's `created_on`, and stored beside the original.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.catalog.models import Product, ProductLine
from attain.core.events import event_emit, record_payload
from attain.core.facts import facts_changed, facts_changing
from attain.core.money import CURRENCIES, parse_decimal, quantize_money
from attain.core.periods import today
from attain.core.selectors import money_to_reporting
from attain.customers.models import Account, Contact
from attain.organization.models import Person
from attain.organization.selectors import placement_stamp
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

MAX_AMOUNT = Decimal("9999999999999999.99")
MAX_ACTIVITY_MINUTES = 24 * 60
#: Default hour of the day for backdated events given only as a date (local time).
BACKDATED_OPEN_HOUR = dt.time(9, 0)
BACKDATED_CLOSE_HOUR = dt.time(17, 0)


class _Unset:
    """Marks a keyword argument that was not given (None is a meaningful value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- helpers -----------------------------------------------------------------------------------


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _local_at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _default_at(day: dt.date, *, time: dt.time) -> dt.datetime:
    """Now when `day` is today, otherwise `day` at `time` local (backdated bookings)."""
    if day == today():
        return timezone.now()
    return _local_at(day, time)


def _check_aware(errors: dict[str, str], field: str, value: dt.datetime | None) -> None:
    if value is not None and timezone.is_naive(value):
        errors[field] = _("Give the time with its time zone.")


def _money(errors: dict[str, str], field: str, value: object) -> Decimal | None:
    try:
        amount = parse_decimal(value)
    except ValueError:
        errors[field] = _("Enter the amount as a number, e.g. 1250.00.")
        return None
    if amount < 0:
        errors[field] = _("The amount cannot be negative.")
        return None
    if amount > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
        return None
    return quantize_money(amount)


def _currency(errors: dict[str, str], currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in CURRENCIES:
        errors["currency"] = _("%(currency)s is not a currency we trade in.") % {
            "currency": repr(currency)
        }
    return code


def _probability(errors: dict[str, str], value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        errors["probability"] = _("The probability is a whole number from 0 to 100.")
        return None
    return value


def _check_contact(
    errors: dict[str, str], contact: Contact | None, account: Account | None
) -> None:
    if contact is not None and account is not None and contact.account_id != account.pk:
        errors["contact"] = _("%(contact)s does not work at %(account)s.") % {
            "contact": contact,
            "account": account,
        }


def _record_stage_change(
    *,
    deal: Deal,
    from_stage: Stage | None,
    to_stage: Stage,
    at: dt.datetime,
    by: Person | None,
) -> DealStageChange:
    return DealStageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=at,
        changed_by=by,
        amount_reporting=deal.amount_reporting,
    )


def _stage_for(*, won: bool) -> Stage:
    stage = Stage.objects.filter(is_won=won, is_lost=not won, is_active=True).first()
    if stage is None:
        message = (
            _("There is no active won stage; ask an admin.")
            if won
            else _("There is no active lost stage; ask an admin.")
        )
        raise ValidationError({"stage": message})
    return stage


def _lock(deal: Deal) -> Deal:
    """Re-read the deal under a row lock so two concurrent closes cannot both succeed."""
    return Deal.objects.select_for_update(of=("self",)).select_related("stage").get(pk=deal.pk)


# --- leads -------------------------------------------------------------------------------------


def _validate_lead(
    errors: dict[str, str], *, company: str, source: str, channel: str, email: str
) -> None:
    if not company.strip():
        errors["company"] = _("A lead needs the name of the company.")
    if source not in LeadSource.values:
        errors["source"] = _("%(source)s is not a lead source.") % {"source": repr(source)}
    if channel not in Channel.values:
        errors["channel"] = _("%(channel)s is not a channel.") % {"channel": repr(channel)}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("%(email)s is not an email address.") % {"email": repr(email)}


@transaction.atomic
def lead_create(
    *,
    company: str,
    source: str,
    channel: str,
    received_on: dt.date,
    owner: Person,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    account: Account | None = None,
    notes: str = "",
    external_ref: str = "",
) -> Lead:
    """Record a new lead, stamped with its owner's placement on the day it was received."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    _validate_lead(errors, company=company, source=source, channel=channel, email=email)
    _raise(errors)
    lead = Lead(
        company=company.strip(),
        source=source,
        channel=channel,
        received_on=received_on,
        contact_name=contact_name.strip(),
        email=email,
        phone=phone.strip(),
        account=account,
        notes=notes,
        external_ref=external_ref,
    )
    placement_stamp(lead, owner=owner, on=received_on)
    lead.save()
    return lead


LEAD_FIELDS = frozenset(
    {
        "company",
        "source",
        "channel",
        "received_on",
        "contact_name",
        "email",
        "phone",
        "account",
        "notes",
        "owner",
        "external_ref",
    }
)


@transaction.atomic
def lead_update(*, lead: Lead, **fields: Any) -> Lead:
    """Change a lead's details. A new owner re-stamps the lead with the owner's placement today."""
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be changed here.")))
    if lead.status == LeadStatus.CONVERTED and "owner" in fields and fields["owner"] != lead.owner:
        raise ValidationError({"owner": _("A converted lead keeps its owner.")})
    values = {
        "company": fields.get("company", lead.company),
        "source": fields.get("source", lead.source),
        "channel": fields.get("channel", lead.channel),
        "email": (fields.get("email", lead.email) or "").strip().lower(),
    }
    errors: dict[str, str] = {}
    _validate_lead(errors, **values)
    _raise(errors)
    new_owner = fields.pop("owner", None)
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("notes",):
            value = value.strip()
        setattr(lead, name, value)
    lead.email = values["email"]
    if new_owner is not None and new_owner.pk != lead.owner_id:
        placement_stamp(lead, owner=new_owner, on=today())
    lead.save()
    return lead


@transaction.atomic
def lead_qualify(*, lead: Lead) -> Lead:
    if lead.status != LeadStatus.NEW:
        raise ValidationError(
            {
                "status": _("Only new leads can be qualified; this one is %(status)s.")
                % {"status": lead.get_status_display()}
            }
        )
    lead.status = LeadStatus.QUALIFIED
    lead.save(update_fields=["status", "updated_at"])
    return lead


@transaction.atomic
def lead_disqualify(*, lead: Lead, reason: str) -> Lead:
    """Close a lead without a deal; the reason is appended to its notes (kept, not overwritten)."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the lead is disqualified.")
    if lead.status not in (LeadStatus.NEW, LeadStatus.QUALIFIED):
        errors["status"] = _("This lead is already %(status)s.") % {
            "status": lead.get_status_display()
        }
    _raise(errors)
    line = f"Disqualified on {today().isoformat()}: {reason.strip()}"
    lead.notes = f"{lead.notes.rstrip()}\n{line}".strip()
    lead.status = LeadStatus.DISQUALIFIED
    lead.save(update_fields=["status", "notes", "updated_at"])
    return lead


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    account: Account,
    amount: Decimal,
    currency: str,
    expected_close_on: dt.date,
    by: Person | None = None,
    name: str = "",
) -> Deal:
    """Turn a new or qualified lead into an open deal owned by the lead's owner (created today)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in (LeadStatus.NEW, LeadStatus.QUALIFIED):
        raise ValidationError(
            {
                "status": _("Only open leads can be converted; this one is %(status)s.")
                % {"status": lead.get_status_display()}
            }
        )
    deal = deal_create(
        name=name.strip() or lead.company,
        account=account,
        owner=lead.owner,
        amount=amount,
        currency=currency,
        expected_close_on=expected_close_on,
        lead=lead,
        by=by,
    )
    lead.status = LeadStatus.CONVERTED
    if lead.account_id is None:
        lead.account = account
    lead.save(update_fields=["status", "account", "updated_at"])
    return deal


@transaction.atomic
def lead_delete(*, lead: Lead) -> None:
    if lead.deals.exists():
        raise ValidationError({"lead": _("This lead became a deal; it cannot be deleted.")})
    lead_id = lead.pk
    facts_changing("lead", ids=[lead_id])
    lead.delete()
    facts_changed("lead", ids=[lead_id])


# --- deals -------------------------------------------------------------------------------------


@transaction.atomic
def deal_create(
    *,
    name: str,
    account: Account | None,
    owner: Person,
    amount: Decimal,
    currency: str,
    expected_close_on: dt.date,
    stage: Stage | None = None,
    created_on: dt.date | None = None,
    product_lines: Iterable[ProductLine] = (),
    products: Iterable[Product] = (),
    contact: Contact | None = None,
    lead: Lead | None = None,
    by: Person | None = None,
    at: dt.datetime | None = None,
    probability: int | None = None,
    external_ref: str = "",
) -> Deal:
    """Open a deal in `stage` (default: the first open stage) and record its first stage change.

    The amount is converted on `created_on` (default today) and the owner's placement that day
    is stamped. The first stage change happens `at` (default now, or 09:00 local on a backdated
    `created_on`).
    """
    created_on = created_on or today()
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("A deal needs a name.")
    parsed = _money(errors, "amount", amount)
    code = _currency(errors, currency)
    if stage is None:
        stage = Stage.objects.filter(is_active=True, is_won=False, is_lost=False).first()
        if stage is None:
            errors["stage"] = _("There is no open stage; ask an admin to set up stages.")
    elif stage.is_closed:
        errors["stage"] = _(
            "A deal cannot start in the %(stage)s stage; create it open, then close it."
        ) % {"stage": stage.name}
    elif not stage.is_active:
        errors["stage"] = _("The stage %(stage)s is no longer in use.") % {"stage": stage.name}
    if probability is not None:
        probability = _probability(errors, probability)
    if expected_close_on < created_on:
        errors["expected_close_on"] = _("The expected close date cannot be before the deal starts.")
    _check_contact(errors, contact, account)
    _check_aware(errors, "at", at)
    _raise(errors)
    assert stage is not None and parsed is not None
    amount_reporting, rate = money_to_reporting(amount=parsed, currency=code, on=created_on)
    deal = Deal(
        name=name.strip(),
        account=account,
        contact=contact,
        lead=lead,
        currency=code,
        amount=parsed,
        fx_rate=rate,
        amount_reporting=amount_reporting,
        stage=stage,
        probability=stage.probability if probability is None else probability,
        status=DealStatus.OPEN,
        created_on=created_on,
        expected_close_on=expected_close_on,
        external_ref=external_ref,
    )
    placement_stamp(deal, owner=owner, on=created_on)
    deal.save()
    chosen = list(products)
    lines = list({line.pk: line for line in [*product_lines, *(p.line for p in chosen)]}.values())
    if lines:
        deal.product_lines.set(lines)
    if chosen:
        deal.products.set(chosen)
    _record_stage_change(
        deal=deal,
        from_stage=None,
        to_stage=stage,
        at=at or _default_at(created_on, time=BACKDATED_OPEN_HOUR),
        by=by,
    )
    facts_changed("deal", ids=[deal.pk])
    return deal


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    name: str = UNSET,
    amount: Decimal = UNSET,
    currency: str = UNSET,
    expected_close_on: dt.date = UNSET,
    product_lines: Iterable[ProductLine] = UNSET,
    contact: Contact | None = UNSET,
    owner: Person = UNSET,
    probability: int = UNSET,
) -> Deal:
    """Change a deal's details; only the keywords given change.

    A new amount or currency is converted again on the deal's `created_on`; a closed deal keeps
    its amount. A new owner re-stamps the deal with that owner's placement today.
    """
    deal = _lock(deal)
    facts_changing("deal", ids=[deal.pk])
    errors: dict[str, str] = {}
    closed = deal.status != DealStatus.OPEN
    if name is not UNSET:
        if not name.strip():
            errors["name"] = _("A deal needs a name.")
        deal.name = name.strip()
    new_amount = deal.amount
    if amount is not UNSET:
        parsed = _money(errors, "amount", amount)
        if parsed is not None:
            new_amount = parsed
    new_currency = deal.currency
    if currency is not UNSET:
        new_currency = _currency(errors, currency)
    money_changed = new_amount != deal.amount or new_currency != deal.currency
    if closed and money_changed and "amount" not in errors and "currency" not in errors:
        field = "amount" if new_amount != deal.amount else "currency"
        errors[field] = _("The deal is closed; its amount can no longer change. Reopen it first.")
    if expected_close_on is not UNSET:
        if expected_close_on < deal.created_on:
            errors["expected_close_on"] = _(
                "The expected close date cannot be before the deal starts."
            )
        deal.expected_close_on = expected_close_on
    if contact is not UNSET:
        _check_contact(errors, contact, deal.account)
        deal.contact = contact
    if probability is not UNSET:
        if closed:
            errors["probability"] = _("The deal is closed; its probability is fixed.")
        else:
            checked = _probability(errors, probability)
            if checked is not None:
                deal.probability = checked
    _raise(errors)
    if money_changed:
        deal.amount_reporting, deal.fx_rate = money_to_reporting(
            amount=new_amount, currency=new_currency, on=deal.created_on
        )
        deal.amount, deal.currency = new_amount, new_currency
    if owner is not UNSET and owner.pk != deal.owner_id:
        placement_stamp(deal, owner=owner, on=today())
    deal.save()
    if product_lines is not UNSET:
        deal.product_lines.set(list(product_lines))
    facts_changed("deal", ids=[deal.pk])
    return deal


@transaction.atomic
def deal_move_stage(
    *, deal: Deal, stage: Stage, by: Person | None = None, at: dt.datetime | None = None
) -> Deal:
    """Move an open deal to another open stage; its probability becomes the stage's."""
    deal = _lock(deal)
    errors: dict[str, str] = {}
    if deal.status != DealStatus.OPEN:
        errors["stage"] = _("The deal is closed; reopen it before moving it.")
    elif stage.is_closed:
        errors["stage"] = _("Close the deal as won or lost instead of moving it to that stage.")
    elif not stage.is_active:
        errors["stage"] = _("The stage %(stage)s is no longer in use.") % {"stage": stage.name}
    elif stage.pk == deal.stage_id:
        errors["stage"] = _("The deal is already in %(stage)s.") % {"stage": stage.name}
    _check_aware(errors, "at", at)
    _raise(errors)
    previous = deal.stage
    deal.stage = stage
    deal.probability = stage.probability
    deal.save(update_fields=["stage", "probability", "updated_at"])
    _record_stage_change(
        deal=deal, from_stage=previous, to_stage=stage, at=at or timezone.now(), by=by
    )
    facts_changed("deal", ids=[deal.pk])
    return deal


def _close(
    *,
    deal: Deal,
    won: bool,
    closed_on: dt.date,
    by: Person | None,
    at: dt.datetime | None,
    reason: LostReason | None = None,
    note: str = "",
) -> Deal:
    deal = _lock(deal)
    errors: dict[str, str] = {}
    if deal.status != DealStatus.OPEN:
        errors["status"] = _("The deal is already %(status)s.") % {
            "status": deal.get_status_display().lower()
        }
    if closed_on is None:
        errors["closed_on"] = _("Give the date the deal closed.")
    elif closed_on < deal.created_on:
        errors["closed_on"] = _("A deal cannot close before it was created (%(created_on)s).") % {
            "created_on": deal.created_on.isoformat()
        }
    if not won:
        if reason is None:
            errors["lost_reason"] = _("Choose why the deal was lost.")
        elif not reason.is_active:
            errors["lost_reason"] = _("The reason %(reason)s is no longer in use.") % {
                "reason": reason.name
            }
    _check_aware(errors, "at", at)
    _raise(errors)
    stage = _stage_for(won=won)
    previous = deal.stage
    deal.stage = stage
    deal.status = DealStatus.WON if won else DealStatus.LOST
    deal.probability = 100 if won else 0
    deal.closed_on = closed_on
    deal.lost_reason = None if won else reason
    deal.lost_note = "" if won else note.strip()
    deal.save()
    _record_stage_change(
        deal=deal,
        from_stage=previous,
        to_stage=stage,
        at=at or _default_at(closed_on, time=BACKDATED_CLOSE_HOUR),
        by=by,
    )
    if won:  # before the facts' handlers, which may emit goal.reached
        fields = ("name", "owner_id", "account_id", "currency", "amount", "amount_reporting")
        event_emit("deal.won", payload=record_payload(deal, *fields, "closed_on"))
    facts_changed("deal", ids=[deal.pk])
    return deal


@transaction.atomic
def deal_close_won(
    *, deal: Deal, closed_on: dt.date, by: Person | None = None, at: dt.datetime | None = None
) -> Deal:
    """Mark an open deal won on `closed_on` (probability 100, the won stage)."""
    return _close(deal=deal, won=True, closed_on=closed_on, by=by, at=at)


@transaction.atomic
def deal_close_lost(
    *,
    deal: Deal,
    reason: LostReason | None,
    closed_on: dt.date,
    note: str = "",
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> Deal:
    """Mark an open deal lost on `closed_on` for `reason` (probability 0, the lost stage)."""
    return _close(deal=deal, won=False, closed_on=closed_on, by=by, at=at, reason=reason, note=note)


@transaction.atomic
def deal_reopen(
    *, deal: Deal, stage: Stage, by: Person | None = None, at: dt.datetime | None = None
) -> Deal:
    """Reopen a won or lost deal into an open stage (the closing stays in the history)."""
    deal = _lock(deal)
    errors: dict[str, str] = {}
    if deal.status == DealStatus.OPEN:
        errors["status"] = _("The deal is already open.")
    if stage.is_closed:
        errors["stage"] = _("Reopen the deal into an open stage.")
    elif not stage.is_active:
        errors["stage"] = _("The stage %(stage)s is no longer in use.") % {"stage": stage.name}
    _check_aware(errors, "at", at)
    _raise(errors)
    facts_changing("deal", ids=[deal.pk])
    previous = deal.stage
    deal.stage = stage
    deal.status = DealStatus.OPEN
    deal.probability = stage.probability
    deal.closed_on = None
    deal.lost_reason = None
    deal.lost_note = ""
    deal.save()
    _record_stage_change(
        deal=deal, from_stage=previous, to_stage=stage, at=at or timezone.now(), by=by
    )
    facts_changed("deal", ids=[deal.pk])
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal) -> None:
    """Delete a deal with its history and activities, unless orders were booked against it."""
    if deal.orders.exists():  # type: ignore[attr-defined]
        raise ValidationError(
            {"deal": _("Orders were booked against this deal; close it instead of deleting it.")}
        )
    deal_id = deal.pk
    facts_changing("deal", ids=[deal_id])
    deal.delete()
    facts_changed("deal", ids=[deal_id])


# --- activities --------------------------------------------------------------------------------


def _validate_activity(
    errors: dict[str, str],
    *,
    kind: str,
    outcome: str,
    minutes: object,
    subject: str,
    occurred_at: dt.datetime,
) -> None:
    if kind not in ActivityKind.values:
        errors["kind"] = _("%(kind)s is not an activity type.") % {"kind": repr(kind)}
    if outcome not in ActivityOutcome.values:
        errors["outcome"] = _("%(outcome)s is not an outcome.") % {"outcome": repr(outcome)}
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 0 <= minutes <= MAX_ACTIVITY_MINUTES
    ):
        errors["minutes"] = _(
            "Minutes must be a whole number from 0 (not recorded) to %(max)s."
        ) % {"max": MAX_ACTIVITY_MINUTES}
    if not subject.strip():
        errors["subject"] = _("Give the activity a subject.")
    if occurred_at is None:
        errors["occurred_at"] = _("Say when the activity happened.")
    else:
        _check_aware(errors, "occurred_at", occurred_at)


@transaction.atomic
def activity_log(
    *,
    owner: Person,
    kind: str,
    occurred_at: dt.datetime,
    minutes: int,
    outcome: str,
    subject: str,
    notes: str = "",
    deal: Deal | None = None,
    account: Account | None = None,
    lead: Lead | None = None,
    external_ref: str = "",
) -> Activity:
    """Record time spent on a call, meeting, email…, stamped with the owner's placement that day."""
    errors: dict[str, str] = {}
    _validate_activity(
        errors,
        kind=kind,
        outcome=outcome,
        minutes=minutes,
        subject=subject,
        occurred_at=occurred_at,
    )
    if (
        deal is not None
        and account is not None
        and deal.account_id is not None
        and deal.account_id != account.pk
    ):
        errors["account"] = _("The deal %(deal)s belongs to another account.") % {"deal": deal}
    _raise(errors)
    activity = Activity(
        kind=kind,
        occurred_at=occurred_at,
        minutes=minutes,
        outcome=outcome,
        subject=subject.strip(),
        notes=notes,
        deal=deal,
        account=account if account is not None else (deal.account if deal else None),
        lead=lead,
        external_ref=external_ref,
    )
    placement_stamp(activity, owner=owner, on=timezone.localdate(occurred_at))
    activity.save()
    facts_changed("activity", ids=[activity.pk])
    return activity


ACTIVITY_FIELDS = frozenset(
    {"kind", "occurred_at", "minutes", "outcome", "subject", "notes", "deal", "account", "lead"}
)


@transaction.atomic
def activity_update(*, activity: Activity, owner: Person | None = None, **fields: Any) -> Activity:
    """Change an activity; a new owner re-stamps it with that owner's placement on its date."""
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be changed here.")))
    merged = {
        name: fields.get(name, getattr(activity, name))
        for name in ("kind", "outcome", "minutes", "subject", "occurred_at")
    }
    errors: dict[str, str] = {}
    _validate_activity(errors, **merged)
    deal = fields.get("deal", activity.deal)
    account = fields.get("account", activity.account)
    if deal is not None and account is not None and deal.account_id != account.pk:
        errors["account"] = _("The deal %(deal)s belongs to another account.") % {"deal": deal}
    _raise(errors)
    facts_changing("activity", ids=[activity.pk])
    for name, value in fields.items():
        setattr(activity, name, value.strip() if name == "subject" else value)
    if owner is not None and owner.pk != activity.owner_id:
        placement_stamp(activity, owner=owner, on=timezone.localdate(activity.occurred_at))
    activity.save()
    facts_changed("activity", ids=[activity.pk])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    activity_id = activity.pk
    facts_changing("activity", ids=[activity_id])
    activity.delete()
    facts_changed("activity", ids=[activity_id])


# --- managed lists (admins) --------------------------------------------------------------------


def _validate_stage(
    errors: dict[str, str], *, name: str, position: object, probability: object
) -> None:
    if not name.strip():
        errors["name"] = _("A stage needs a name.")
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        errors["position"] = _("The position is a whole number of 0 or more.")
    if (
        isinstance(probability, bool)
        or not isinstance(probability, int)
        or not 0 <= probability <= 100
    ):
        errors["probability"] = _("The probability is a whole number from 0 to 100.")


@transaction.atomic
def stage_create(
    *,
    code: str,
    name: str,
    position: int,
    probability: int,
    is_won: bool = False,
    is_lost: bool = False,
) -> Stage:
    code = code.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("A stage needs a short code.")
    elif Stage.objects.filter(code=code).exists():
        errors["code"] = _("The code %(code)s is already used by another stage.") % {
            "code": repr(code)
        }
    _validate_stage(errors, name=name, position=position, probability=probability)
    if is_won and is_lost:
        errors["is_lost"] = _("A stage cannot be both won and lost.")
    elif is_won and probability != 100:
        errors["probability"] = _("The won stage has probability 100.")
    elif is_lost and probability != 0:
        errors["probability"] = _("The lost stage has probability 0.")
    _raise(errors)
    return Stage.objects.create(
        code=code,
        name=name.strip(),
        position=position,
        probability=probability,
        is_won=is_won,
        is_lost=is_lost,
    )


@transaction.atomic
def stage_update(
    *, stage: Stage, name: str, position: int, probability: int, is_active: bool = True
) -> Stage:
    """Rename, reorder or re-weight a stage; open deals keep the probability they have."""
    errors: dict[str, str] = {}
    _validate_stage(errors, name=name, position=position, probability=probability)
    if stage.is_won and probability != 100:
        errors["probability"] = _("The won stage has probability 100.")
    elif stage.is_lost and probability != 0:
        errors["probability"] = _("The lost stage has probability 0.")
    if not is_active and stage.is_active and stage.deals.filter(status=DealStatus.OPEN).exists():
        errors["is_active"] = _("Open deals are in this stage; move them before retiring it.")
    _raise(errors)
    stage.name, stage.position = name.strip(), position
    stage.probability, stage.is_active = probability, is_active
    stage.save()
    return stage


@transaction.atomic
def lost_reason_create(*, code: str, name: str) -> LostReason:
    code = code.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("A lost reason needs a short code.")
    elif LostReason.objects.filter(code=code).exists():
        errors["code"] = _("The code %(code)s is already used by another reason.") % {
            "code": repr(code)
        }
    if not name.strip():
        errors["name"] = _("A lost reason needs a name.")
    _raise(errors)
    return LostReason.objects.create(code=code, name=name.strip())


@transaction.atomic
def lost_reason_update(*, lost_reason: LostReason, name: str, is_active: bool = True) -> LostReason:
    if not name.strip():
        raise ValidationError({"name": _("A lost reason needs a name.")})
    lost_reason.name, lost_reason.is_active = name.strip(), is_active
    lost_reason.save()
    return lost_reason
