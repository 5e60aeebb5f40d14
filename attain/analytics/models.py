"""Rollup tables: sales facts summed at day grain by the dimensions people slice by, and their
coarser "cube" slices.

Every `…Day` row is derived from the raw rows (orders, returns, deals, stage changes,
activities) and can be rebuilt from them at any time (`rollups_rebuild`,
`manage.py rebuild_rollups`); the writing services keep them current in their own transaction
through `attain.core.facts`. `unit_path` is the path stamped on the fact at booking, so a seller
who moves keeps their history where it was earned. Foreign keys carry no database constraint: a
rollup never blocks anything.

Each `…Cube` table holds the same facts summed again from its day table into coarser slices: a
time grain (day, ISO week, month: `day` is the bucket's first day) × a level (which dimensions
are kept; a dropped dimension holds 0 or ""). The query router in `computes.py` reads the smallest
slice that answers a question, so a company figure reads a few hundred rows, not a million. See
`docs/adr/0006-rollup-cube.md`.
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


def _dim(label: Any) -> models.IntegerField:
    """A dimension id in a cube; 0 = dropped at this level (or none on the fact)."""
    return models.IntegerField(label, default=0)


class Grain(models.TextChoices):
    DAY = "d", _("day")
    WEEK = "w", _("week")
    MONTH = "m", _("month")


def cube_meta(prefix: str, dims: tuple[str, ...]) -> tuple[list[Any], list[Any]]:
    """Constraints and indexes of a cube table (key = grain, level, day + its dimensions)."""
    key = ["grain", "level", "day", *dims]
    constraints = [models.UniqueConstraint(fields=key, name=f"{prefix}_key")]
    indexes = [
        models.Index(fields=["level", "grain", "day"], name=f"{prefix}_slice_day"),
        models.Index(fields=["level", "grain", "unit_path", "day"], name=f"{prefix}_slice_path"),
        models.Index(fields=["level", "grain", "owner_id", "day"], name=f"{prefix}_slice_owner"),
    ]
    return constraints, indexes


class CubeBase(models.Model):
    grain = models.CharField(_("grain"), max_length=1, choices=Grain.choices)
    level = models.CharField(_("level"), max_length=1)
    day = models.DateField(_("first day"))
    owner_id = _dim(_("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True, default="")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain}/{self.level} {self.day} {self.owner_id} {self.unit_path}"


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
    """Deals created (by created_on), won / lost (by closed_on) and still open (by
    expected_close_on) per day × seller × unit × account segment, with their reporting-currency
    values, the days won deals took, and the open value weighted by probability (× 100)."""

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
    won_cycle_days = models.PositiveIntegerField(_("days from creation to win"), default=0)
    deals_open = models.PositiveIntegerField(_("open deals expected to close"), default=0)
    open_value = _money(_("open value"))
    open_weighted = models.DecimalField(
        _("open value × probability %"), max_digits=22, decimal_places=2, default=ZERO
    )

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


class StageDay(models.Model):
    """Deals entering a stage for the first time, per local day × seller × unit × stage, and how
    many of those entries were followed by a later open stage or a win (the funnel)."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    stage = _fk("pipeline.Stage", _("stage"))
    entered = models.PositiveIntegerField(_("entered"), default=0)
    advanced = models.PositiveIntegerField(_("advanced"), default=0)

    class Meta:
        verbose_name = _("stage day")
        verbose_name_plural = _("stage days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "stage"], name="stageday_key"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="stageday_day"),
            models.Index(fields=["owner", "day"], name="stageday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.stage_id}: {self.entered}"


class FirstOrderDay(models.Model):
    """New customers: accounts whose first non-cancelled order was taken that day, by the seller,
    unit and territory of that order and the account's segment."""

    day = models.DateField(_("day"))
    owner = _fk("organization.Person", _("seller"))
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    territory = _fk("organization.Territory", _("territory"), null=True)
    segment = models.CharField(_("segment"), max_length=20)
    customers = models.PositiveIntegerField(_("new customers"), default=0)

    class Meta:
        verbose_name = _("first-orders day")
        verbose_name_plural = _("first-orders days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "unit_path", "territory", "segment"],
                name="firstorderday_key",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="firstorderday_day"),
            models.Index(fields=["owner", "day"], name="firstorderday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}: {self.customers}"


# --- cubes ----------------------------------------------------------------------------------


class SalesCube(CubeBase):
    territory_id = _dim(_("territory"))
    product_line_id = _dim(_("product line"))
    segment = models.CharField(_("segment"), max_length=20, blank=True, default="")
    revenue = _money(_("revenue"))
    cost = _money(_("cost"))
    units = models.DecimalField(_("units"), max_digits=20, decimal_places=3, default=Decimal(0))
    lines = models.IntegerField(_("order lines"), default=0)

    class Meta:
        verbose_name = _("sales cube row")
        verbose_name_plural = _("sales cube")
        constraints, indexes = cube_meta(
            "salescube", ("owner_id", "unit_path", "territory_id", "product_line_id", "segment")
        )


class DealCube(CubeBase):
    segment = models.CharField(_("segment"), max_length=20, blank=True, default="")
    deals_created = models.IntegerField(_("deals created"), default=0)
    created_value = _money(_("created value"))
    deals_won = models.IntegerField(_("deals won"), default=0)
    won_value = _money(_("won value"))
    deals_lost = models.IntegerField(_("deals lost"), default=0)
    lost_value = _money(_("lost value"))
    won_cycle_days = models.IntegerField(_("days from creation to win"), default=0)
    deals_open = models.IntegerField(_("open deals expected to close"), default=0)
    open_value = _money(_("open value"))
    open_weighted = models.DecimalField(
        _("open value × probability %"), max_digits=22, decimal_places=2, default=ZERO
    )

    class Meta:
        verbose_name = _("deals cube row")
        verbose_name_plural = _("deals cube")
        constraints, indexes = cube_meta("dealcube", ("owner_id", "unit_path", "segment"))


class ActivityCube(CubeBase):
    kind = models.CharField(_("type"), max_length=20, blank=True, default="")
    activities = models.IntegerField(_("activities"), default=0)
    minutes = models.IntegerField(_("minutes"), default=0)

    class Meta:
        verbose_name = _("activities cube row")
        verbose_name_plural = _("activities cube")
        constraints, indexes = cube_meta("activitycube", ("owner_id", "unit_path", "kind"))


class StageCube(CubeBase):
    stage_id = _dim(_("stage"))
    entered = models.IntegerField(_("entered"), default=0)
    advanced = models.IntegerField(_("advanced"), default=0)

    class Meta:
        verbose_name = _("stage cube row")
        verbose_name_plural = _("stage cube")
        constraints, indexes = cube_meta("stagecube", ("owner_id", "unit_path", "stage_id"))


class FirstOrderCube(CubeBase):
    territory_id = _dim(_("territory"))
    segment = models.CharField(_("segment"), max_length=20, blank=True, default="")
    customers = models.IntegerField(_("new customers"), default=0)

    class Meta:
        verbose_name = _("first-orders cube row")
        verbose_name_plural = _("first-orders cube")
        constraints, indexes = cube_meta(
            "firstordercube", ("owner_id", "unit_path", "territory_id", "segment")
        )


class RollupState(models.Model):
    """Which definition of the rollup tables the stored rows were built with (one row).

    After `migrate`, a database whose rows were built by an older definition is rebuilt once
    (see `AnalyticsConfig`), so a new column or table never starts out empty or wrong.
    """

    version = models.PositiveIntegerField(_("version"), default=0)
    rebuilt_at = models.DateTimeField(_("rebuilt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"v{self.version}"


class HistoryStamp(models.Model):
    """A token per rollup that changes whenever facts before this week change (see history.py).

    Reads of settled history (rollup rows whose days all lie before this week's Monday) are
    cached under the token of their rollup; a write that changes such a row gives the rollup a
    new random token, so no cached figure outlives the facts it was computed from.
    """

    name = models.CharField(_("rollup"), max_length=40, primary_key=True)
    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("history stamp")
        verbose_name_plural = _("history stamps")

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
