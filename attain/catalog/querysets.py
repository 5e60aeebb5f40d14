"""Chainable filters for the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from attain.catalog.models import Product, ProductLine  # noqa: F401


class ProductLineQuerySet(models.QuerySet["ProductLine"]):
    def active(self) -> ProductLineQuerySet:
        return self.filter(is_active=True)

    def search(self, term: str) -> ProductLineQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(Q(code__icontains=term) | Q(name__icontains=term))


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def search(self, term: str) -> ProductQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(Q(sku__icontains=term) | Q(name__icontains=term))

    def in_line(self, line_id: int) -> ProductQuerySet:
        return self.filter(line_id=line_id)
