"""Chainable filters for organisation models."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from attain.core.periods import valid_on_q
from attain.organization.visibility import scope_for

if TYPE_CHECKING:
    from attain.organization.models import Membership, Person, Territory  # noqa: F401


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: Any) -> PersonQuerySet:
        """Admins: everyone. Leaders: people who are or were in their units. Others: themselves."""
        scope = scope_for(user)
        if scope.everything:
            return self
        condition = Q(pk__in=[])
        if scope.person_id is not None:
            condition |= Q(pk=scope.person_id)
        for path in scope.paths:
            condition |= Q(memberships__unit__path__startswith=path)
        return self.filter(condition).distinct()

    def search(self, term: str) -> PersonQuerySet:
        if not term:
            return self
        return self.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        )

    def employed_on(self, day: dt.date) -> PersonQuerySet:
        return self.filter(
            Q(employments__started_on__lte=day)
            & (Q(employments__ended_on__isnull=True) | Q(employments__ended_on__gte=day))
        ).distinct()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def valid_on(self, day: dt.date) -> MembershipQuerySet:
        return self.filter(valid_on_q(day))

    def in_subtree(self, path: str) -> MembershipQuerySet:
        return self.filter(unit__path__startswith=path)


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def search(self, term: str) -> TerritoryQuerySet:
        if not term:
            return self
        return self.filter(Q(name__icontains=term) | Q(region__icontains=term))
