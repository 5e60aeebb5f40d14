"""Chainable filters for accounts and contacts; visibility follows the organisation scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from attain.organization.visibility import scope_for, visible

if TYPE_CHECKING:
    from attain.customers.models import Account, Contact  # noqa: F401


class AccountQuerySet(models.QuerySet["Account"]):
    def visible_to(self, user: Any) -> AccountQuerySet:
        """Accounts whose owner is the user, or whose stamped unit the user leads (admins: all)."""
        return visible(self, user, owner_field="owner", path_field="unit_path")

    def search(self, term: str) -> AccountQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(name__icontains=term) | Q(city__icontains=term) | Q(industry__icontains=term)
        )


class ContactQuerySet(models.QuerySet["Contact"]):
    def visible_to(self, user: Any) -> ContactQuerySet:
        """A contact at an account is visible exactly when its account is; a private contact
        (no account) to its owner and to sales operations."""
        scope = scope_for(user)
        if scope.everything:
            return self
        at_account = Q(account__isnull=False) & scope.q(
            owner_field="account__owner", path_field="account__unit_path"
        )
        private = Q(pk__in=[])
        if scope.person_id is not None:
            private = Q(account__isnull=True, owner_id=scope.person_id)
        return self.filter(at_account | private)

    def search(self, term: str) -> ContactQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(account__name__icontains=term)
        )
