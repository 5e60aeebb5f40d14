"""Chainable filters for complaints: visibility, open/resolved, opened in a period, search."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from attain.organization.visibility import visible

if TYPE_CHECKING:
    from attain.service.models import Complaint  # noqa: F401


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def visible_to(self, user: Any) -> ComplaintQuerySet:
        """Complaints the user owns, or stamped inside a unit the user leads (admins: all)."""
        return visible(self, user, owner_field="owner", path_field="unit_path")

    def open(self) -> ComplaintQuerySet:
        return self.filter(status="open")

    def resolved(self) -> ComplaintQuerySet:
        return self.filter(status="resolved")

    def opened_between(self, start: dt.date, end: dt.date) -> ComplaintQuerySet:
        """Complaints opened in [start, end] (both inclusive)."""
        return self.filter(opened_on__gte=start, opened_on__lte=end)

    def search(self, term: str) -> ComplaintQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(subject__icontains=term)
            | Q(account__name__icontains=term)
            | Q(order__number__icontains=term)
            | Q(external_ref__iexact=term)
        )
