"""Chainable filters for orders, order lines and returns: visibility, search, status, lateness."""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q

from attain.core.periods import today
from attain.organization.visibility import visible

if TYPE_CHECKING:
    from attain.orders.models import Order, OrderLine, OrderReturn  # noqa: F401

#: (promised field, actual field) of every lifecycle step after taking the order.
PROMISED_STEPS = (
    ("confirm_promised_on", "confirmed_on"),
    ("ship_promised_on", "shipped_on"),
    ("delivery_promised_on", "delivered_on"),
    ("follow_up_promised_on", "followed_up_on"),
)


def late_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """Orders (not cancelled) with a step whose promised date has passed and that is not done."""
    day = on or today()
    overdue = [
        Q(**{f"{prefix}{promised}__lt": day, f"{prefix}{actual}__isnull": True})
        for promised, actual in PROMISED_STEPS
    ]
    return reduce(operator.or_, overdue) & ~Q(**{f"{prefix}status": "cancelled"})


class OrderQuerySet(models.QuerySet["Order"]):
    def visible_to(self, user: Any) -> OrderQuerySet:
        return visible(self, user)

    def search(self, term: str) -> OrderQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(number__icontains=term)
            | Q(account__name__icontains=term)
            | Q(external_ref__iexact=term)
        )

    def in_status(self, *statuses: str) -> OrderQuerySet:
        return self.filter(status__in=statuses) if statuses else self

    def ordered_between(self, start: dt.date, end: dt.date) -> OrderQuerySet:
        return self.filter(ordered_on__gte=start, ordered_on__lte=end)

    def late(self, on: dt.date | None = None) -> OrderQuerySet:
        """Orders with any step past its promised date and not done (cancelled ones excluded)."""
        return self.filter(late_q(on))

    def with_late_flag(self, on: dt.date | None = None) -> OrderQuerySet:
        """Annotate `is_late` (the same rule as `late()`), for lists and filters."""
        return self.annotate(is_late=ExpressionWrapper(late_q(on), output_field=BooleanField()))


class OrderLineQuerySet(models.QuerySet["OrderLine"]):
    def visible_to(self, user: Any) -> OrderLineQuerySet:
        return visible(self, user, owner_field="order__owner", path_field="order__unit_path")


class OrderReturnQuerySet(models.QuerySet["OrderReturn"]):
    def visible_to(self, user: Any) -> OrderReturnQuerySet:
        return visible(
            self, user, owner_field="line__order__owner", path_field="line__order__unit_path"
        )

    def returned_between(self, start: dt.date, end: dt.date) -> OrderReturnQuerySet:
        return self.filter(returned_on__gte=start, returned_on__lte=end)

    def search(self, term: str) -> OrderReturnQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(line__order__number__icontains=term)
            | Q(line__order__account__name__icontains=term)
            | Q(line__product__sku__icontains=term)
            | Q(line__product__name__icontains=term)
        )
