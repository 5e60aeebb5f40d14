"""Recognition test data, built through the recognition services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission

from attain.orders.tests.factories import make_order, make_product
from attain.organization.models import OrgUnit, Person
from attain.recognition.models import Award, Contest, ContestStatus
from attain.recognition.services import PrizeInput, award_give, contest_create, contest_start

MARCH_1, MARCH_31 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def grant_manage(person: Person) -> Person:
    """Give the person's login `recognition.manage_recognition` (as sales ops holds it)."""
    assert person.user is not None
    person.user.user_permissions.add(
        Permission.objects.get(codename="manage_recognition", content_type__app_label="recognition")
    )
    person.user = type(person.user).objects.get(pk=person.user.pk)  # fresh permission cache
    return person


def make_award(
    *,
    given_by: Person,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    kind: str = "public_recognition",
    title: str = "Well done",
    value: str | None = None,
    given_on: dt.date = MARCH_31,
    is_public: bool = True,
    **kw: Any,
) -> Award:
    return award_give(
        kind=kind,
        title=title,
        given_by=given_by,
        person=person,
        unit=unit,
        value=Decimal(value) if value is not None else None,
        given_on=given_on,
        is_public=is_public,
        **kw,
    )


def make_contest(
    *,
    created_by: Person,
    unit: OrgUnit,
    kind: str = "individual",
    metric: str = "revenue",
    start: dt.date = MARCH_1,
    end: dt.date = MARCH_31,
    prizes: Sequence[PrizeInput] = (),
    status: str = ContestStatus.RUNNING,
    name: str = "March sprint",
) -> Contest:
    contest = contest_create(
        name=name,
        kind=kind,
        metric=metric,
        start=start,
        end=end,
        unit=unit,
        created_by=created_by,
        prizes=prizes,
    )
    if status == ContestStatus.RUNNING:
        contest_start(contest=contest, started_by=created_by)
    return contest


def sell(owner: Person, *amounts: str, on: dt.date = dt.date(2026, 3, 10)) -> None:
    """One order of quantity 1 at each amount (EUR, the reporting currency) on `on`."""
    product = make_product()
    for amount in amounts:
        make_order(owner=owner, product=product, quantity="1", unit_price=amount, ordered_on=on)
