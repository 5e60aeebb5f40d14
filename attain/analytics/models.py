"""Rollup tables: sales facts summed at day grain by the dimensions people slice by.

Every row is derived from the raw rows (orders, returns, deals, activities) and can be rebuilt
from them at any time (`rollups_rebuild`, `manage.py rebuild_rollups`); the writing services
keep them current in their own transaction through `attain.core.facts`. `unit_path` is the path
stamped on the fact at booking, so a seller who moves keeps their history where it was earned.
Foreign keys carry no database constraint: a rollup never blocks anything.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def _fk(to: str, label: Any, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        to,
        verbose_name=label,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=null,
        blank=null,
    )


def _money(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=20, decimal_places=2, default=ZERO)


class SalesDay(models.Model):
    """Order lines of non-cancelled orders by order date × seller × stamped unit × territory ×
    product line × account segment: revenue, cost, units and line count (reporting currency)."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    territory = _fk("organization.Territory", _("territory"), null=True)
    product_line = _fk("catalog.ProductLine", _("product line"))
    segment = models.CharField(_("segment"), max_length=20)
    revenue = _money(_("revenue"))
    cost = _money(_("cost"))
    units = models.DecimalField(_("units"), max_digits=20, decimal_places=3, default=Decimal(0))
    lines = models.PositiveIntegerField(_("order lines"), default=0)

    class Meta:
        verbose_name = _("sales day")
        verbose_name_plural = _("sales days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "territory", "product_line", "segment"],
                name="salesday_key",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="salesday_day"),
            models.Index(fields=["unit_path", "day"], name="salesday_path_day"),
            models.Index(fields=["owner", "day"], name="salesday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.product_line_id}: {self.revenue}"


class ReturnDay(models.Model):
    """Returns by return date, keyed like SalesDay: refunded amount (reporting), units, count."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    territory = _fk("organization.Territory", _("territory"), null=True)
    product_line = _fk("catalog.ProductLine", _("product line"))
    segment = models.CharField(_("segment"), max_length=20)
    refunds = _money(_("refunded amount"))
    units = models.DecimalField(_("units"), max_digits=20, decimal_places=3, default=Decimal(0))
    returns = models.PositiveIntegerField(_("returns"), default=0)

    class Meta:
        verbose_name = _("returns day")
        verbose_name_plural = _("returns days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "territory", "product_line", "segment"],
                name="returnday_key",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="returnday_day"),
            models.Index(fields=["unit_path", "day"], name="returnday_path_day"),
            models.Index(fields=["owner", "day"], name="returnday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}: {self.refunds}"


class DealDay(models.Model):
    """Deals created (by created_on) and won / lost (by closed_on) per day × seller × unit ×
    account segment, with their reporting-currency values."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    segment = models.CharField(_("segment"), max_length=20)
    deals_created = models.PositiveIntegerField(_("deals created"), default=0)
    created_value = _money(_("created value"))
    deals_won = models.PositiveIntegerField(_("deals won"), default=0)
    won_value = _money(_("won value"))
    deals_lost = models.PositiveIntegerField(_("deals lost"), default=0)
    lost_value = _money(_("lost value"))

    class Meta:
        verbose_name = _("deals day")
        verbose_name_plural = _("deals days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "segment"], name="dealday_key"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="dealday_day"),
            models.Index(fields=["unit_path", "day"], name="dealday_path_day"),
            models.Index(fields=["owner", "day"], name="dealday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}: {self.deals_won} won"


class ActivityDay(models.Model):
    """Activities per local day × seller × unit × kind: count and minutes."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    kind = models.CharField(_("type"), max_length=20)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)

    class Meta:
        verbose_name = _("activities day")
        verbose_name_plural = _("activities days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "kind"], name="activityday_key"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="activityday_day"),
            models.Index(fields=["unit_path", "day"], name="activityday_path_day"),
            models.Index(fields=["owner", "day"], name="activityday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.kind}: {self.activities}"
