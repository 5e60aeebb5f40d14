"""Reads about customers: filtered lists and who may own or delete an account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from attain.core.periods import today, valid_on_q
from attain.customers.models import Account, Contact
from attain.customers.querysets import AccountQuerySet, ContactQuerySet
from attain.organization.models import Membership, Person
from attain.organization.selectors import person_placement_at
from attain.organization.visibility import scope_for


def account_list(
    *,
    user: Any,
    search: str = "",
    segment: str = "",
    size_band: str = "",
    country: str = "",
    owner_id: int | None = None,
) -> AccountQuerySet:
    """The accounts `user` may see, filtered; owner loaded with them (one query per page)."""
    qs = Account.objects.visible_to(user).search(search).select_related("owner")
    if segment:
        qs = qs.filter(segment=segment)
    if size_band:
        qs = qs.filter(size_band=size_band)
    if country:
        qs = qs.filter(country=country.upper())
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs


def contact_list(*, user: Any, search: str = "", account_id: int | None = None) -> ContactQuerySet:
    qs = Contact.objects.visible_to(user).search(search).select_related("account")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs


def owners_covered_by(*, user: Any, on: dt.date | None = None) -> QuerySet[Person]:
    """People `user` may make the owner of an account: admins anyone; leaders the people placed
    in the units they lead (and themselves); everyone else only themselves."""
    scope = scope_for(user)
    if scope.everything:
        return Person.objects.all()
    condition = Q(pk__in=[])
    if scope.person_id is not None:
        condition |= Q(pk=scope.person_id)
    if scope.paths:
        day = on or today()
        in_units = Q(pk__in=[])
        for path in scope.paths:
            in_units |= Q(unit__path__startswith=path)
        members = Membership.objects.filter(valid_on_q(day)).filter(in_units)
        condition |= Q(pk__in=members.values("person_id"))
    return Person.objects.filter(condition)


def owner_is_covered(*, user: Any, person_id: int, on: dt.date | None = None) -> bool:
    """Whether `user` may assign a record to `person_id` (their placement today is covered)."""
    scope = scope_for(user)
    if scope.everything or (scope.person_id is not None and scope.person_id == person_id):
        return True
    if not scope.paths:
        return False
    placement = person_placement_at(person_id=person_id, on=on or today())
    return scope.covers_path(placement.unit_path)


def account_can_delete(*, user: Any, account: Account) -> bool:
    """Admins, and leaders whose units cover the account's stamped unit; never plain sellers."""
    scope = scope_for(user)
    return scope.everything or (scope.is_leader and scope.covers_path(account.unit_path))
