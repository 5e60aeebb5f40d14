"""Factories for pipeline tests: accounts and product lines straight through the ORM (stamped
by hand, as another app owns their services), deals, leads and activities through our services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from attain.catalog.models import ProductLine
from attain.core.models import ExchangeRate
from attain.customers.models import Account, Contact
from attain.organization.models import Person
from attain.organization.selectors import person_placement_at
from attain.pipeline import services
from attain.pipeline.models import Activity, Deal, Lead, LostReason, Stage

_seq = itertools.count(1)
DAY = dt.date(2024, 3, 1)


def make_account(*, owner: Person, name: str | None = None, on: dt.date = DAY) -> Account:
    placement = person_placement_at(person_id=owner.pk, on=on)
    return Account.objects.create(
        name=name or f"Account {next(_seq)}",
        segment="mid_market",
        owner=owner,
        unit_id=placement.unit_id,
        unit_path=placement.unit_path,
        territory_id=placement.territory_id,
    )


def make_contact(*, account: Account) -> Contact:
    n = next(_seq)
    return Contact.objects.create(account=account, first_name="Cara", last_name=f"Contact{n}")


def make_product_line(*, name: str | None = None) -> ProductLine:
    n = next(_seq)
    return ProductLine.objects.create(code=f"PL{n}", name=name or f"Line {n}")


def make_rate(*, currency: str = "USD", valid_on: dt.date = dt.date(2024, 1, 1), rate: str = "0.9"):
    return ExchangeRate.objects.create(currency=currency, valid_on=valid_on, rate=Decimal(rate))


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def reason(code: str) -> LostReason:
    return LostReason.objects.get(code=code)


def make_deal(
    *,
    owner: Person,
    account: Account | None = None,
    amount: str = "1000.00",
    currency: str = "EUR",
    created_on: dt.date = DAY,
    expected_close_on: dt.date | None = None,
    stage_code: str | None = None,
    name: str | None = None,
) -> Deal:
    return services.deal_create(
        name=name or f"Deal {next(_seq)}",
        account=account or make_account(owner=owner),
        owner=owner,
        amount=Decimal(amount),
        currency=currency,
        expected_close_on=expected_close_on or created_on + dt.timedelta(days=60),
        created_on=created_on,
        stage=stage(stage_code) if stage_code else None,
    )


def make_lead(*, owner: Person, company: str | None = None, received_on: dt.date = DAY) -> Lead:
    return services.lead_create(
        company=company or f"Prospect {next(_seq)}",
        source="website",
        channel="inbound",
        received_on=received_on,
        owner=owner,
    )


def make_activity(
    *, owner: Person, deal: Deal | None = None, occurred_at: dt.datetime | None = None
) -> Activity:
    return services.activity_log(
        owner=owner,
        kind="call",
        occurred_at=occurred_at or timezone.make_aware(dt.datetime.combine(DAY, dt.time(10, 0))),
        minutes=30,
        outcome="completed",
        subject=f"Call {next(_seq)}",
        deal=deal,
    )
