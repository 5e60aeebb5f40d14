"""Chainable filters for the pipeline: visibility, open/closed, won in a period, weighted value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Round

from attain.organization.visibility import visible

if TYPE_CHECKING:
    from attain.pipeline.models import Activity, Deal, Lead  # noqa: F401

HUNDRED = Value(Decimal(100), output_field=DecimalField(max_digits=5, decimal_places=0))


def weighted_value_expression() -> Round:
    """amount_reporting × probability / 100, rounded half up to cents in SQL."""
    money = DecimalField(max_digits=18, decimal_places=2)
    return Round(
        ExpressionWrapper(F("amount_reporting") * F("probability") / HUNDRED, output_field=money),
        2,
        output_field=money,
    )


class LeadQuerySet(models.QuerySet["Lead"]):
    def visible_to(self, user: Any) -> LeadQuerySet:
        return visible(self, user)

    def open(self) -> LeadQuerySet:
        """Leads still being worked (new or qualified)."""
        return self.filter(status__in=["new", "qualified"])

    def closed(self) -> LeadQuerySet:
        return self.filter(status__in=["converted", "disqualified"])

    def received_between(self, start: dt.date, end: dt.date) -> LeadQuerySet:
        return self.filter(received_on__gte=start, received_on__lte=end)

    def search(self, term: str) -> LeadQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(company__icontains=term)
            | Q(contact_name__icontains=term)
            | Q(email__icontains=term)
            | Q(external_ref__iexact=term)
        )


class DealQuerySet(models.QuerySet["Deal"]):
    def visible_to(self, user: Any) -> DealQuerySet:
        return visible(self, user)

    def open(self) -> DealQuerySet:
        return self.filter(status="open")

    def closed(self) -> DealQuerySet:
        return self.exclude(status="open")

    def won(self) -> DealQuerySet:
        return self.filter(status="won")

    def lost(self) -> DealQuerySet:
        return self.filter(status="lost")

    def won_between(self, start: dt.date, end: dt.date) -> DealQuerySet:
        """Deals won with a close date in [start, end] (both inclusive)."""
        return self.filter(status="won", closed_on__gte=start, closed_on__lte=end)

    def lost_between(self, start: dt.date, end: dt.date) -> DealQuerySet:
        return self.filter(status="lost", closed_on__gte=start, closed_on__lte=end)

    def with_weighted_value(self) -> DealQuerySet:
        """Annotate `weighted_value` = amount_reporting × probability / 100."""
        return self.annotate(weighted_value=weighted_value_expression())

    def search(self, term: str) -> DealQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(name__icontains=term)
            | Q(account__name__icontains=term)
            | Q(external_ref__iexact=term)
        )


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user: Any) -> ActivityQuerySet:
        return visible(self, user)

    def between(self, start: dt.date, end: dt.date) -> ActivityQuerySet:
        return self.filter(occurred_at__date__gte=start, occurred_at__date__lte=end)

    def search(self, term: str) -> ActivityQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(subject__icontains=term) | Q(notes__icontains=term) | Q(deal__name__icontains=term)
        )
