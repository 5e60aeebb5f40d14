"""Reads of the pipeline beyond simple filters: lists, stage history, the pipeline summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from attain.core.money import ZERO, quantize_money
from attain.core.periods import Period, month_of, today
from attain.organization.models import Person
from attain.pipeline.models import (
    Activity,
    Deal,
    DealStageChange,
    DealStatus,
    Lead,
    LostReason,
    Stage,
)
from attain.pipeline.querysets import ActivityQuerySet, DealQuerySet, LeadQuerySet

MONEY = DecimalField(max_digits=18, decimal_places=2)
#: amount × probability before dividing by 100 (two more integer digits than money)
MONEY_PCT = DecimalField(max_digits=21, decimal_places=2)


def stage_list(*, include_inactive: bool = False) -> QuerySet[Stage]:
    qs = Stage.objects.order_by("position", "pk")
    return qs if include_inactive else qs.filter(is_active=True)


def open_stage_list() -> QuerySet[Stage]:
    return stage_list().filter(is_won=False, is_lost=False)


def lost_reason_list(*, include_inactive: bool = False) -> QuerySet[LostReason]:
    qs = LostReason.objects.order_by("name", "pk")
    return qs if include_inactive else qs.filter(is_active=True)


def deal_list(
    *,
    user: Any,
    search: str = "",
    status: str = "",
    stage_id: int | None = None,
    owner_id: int | None = None,
    account_id: int | None = None,
    ordering: str = "-created_on",
) -> DealQuerySet:
    """Visible deals with weighted value, owner, account and stage loaded (one query)."""
    qs = (
        Deal.objects.visible_to(user)
        .search(search)
        .with_weighted_value()
        .select_related("owner", "account", "stage", "lost_reason")
    )
    if status:
        qs = qs.filter(status=status)
    if stage_id:
        qs = qs.filter(stage_id=stage_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs.order_by(ordering, "-pk")


def deal_get(*, user: Any, deal_id: Any) -> Deal:
    return (
        Deal.objects.visible_to(user)
        .with_weighted_value()
        .select_related("owner", "account", "stage", "lost_reason", "contact", "lead", "unit")
        .get(pk=deal_id)
    )


def deal_stage_history(*, deal: Deal) -> QuerySet[DealStageChange]:
    """The deal's stage changes in the order they happened, oldest first."""
    return (
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "pk")
    )


def lead_list(
    *, user: Any, search: str = "", status: str = "", source: str = "", channel: str = ""
) -> LeadQuerySet:
    qs = Lead.objects.visible_to(user).search(search).select_related("owner", "account")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-received_on", "-pk")


def activity_list(
    *,
    user: Any,
    search: str = "",
    kind: str = "",
    outcome: str = "",
    deal_id: int | None = None,
    lead_id: int | None = None,
) -> ActivityQuerySet:
    qs = (
        Activity.objects.visible_to(user)
        .search(search)
        .select_related("owner", "deal", "account", "lead")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if deal_id:
        qs = qs.filter(deal_id=deal_id)
    if lead_id:
        qs = qs.filter(lead_id=lead_id)
    return qs.order_by("-occurred_at", "-pk")


@dataclass(frozen=True)
class PipelineSummary:
    """Open pipeline now and closings in `period` (reporting currency), for what a user sees."""

    period: Period
    open_count: int
    open_amount: Decimal
    weighted_amount: Decimal
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        """Won ÷ (won + lost) deals closed in the period, as a percentage; None without closings."""
        closed = self.won_count + self.lost_count
        if not closed:
            return None
        return quantize_money(Decimal(self.won_count * 100) / Decimal(closed))


def pipeline_summary(*, user: Any, on: dt.date | None = None) -> PipelineSummary:
    """Open deals now, and deals won / lost in the month of `on`: two aggregate queries, each
    narrowed by an indexed condition (status + expected close, close date) so the cost follows
    the open pipeline and one month, not every deal ever made."""
    period = month_of(on or today())
    won = Q(status=DealStatus.WON)
    lost = Q(status=DealStatus.LOST)
    zero = Value(ZERO, output_field=MONEY)
    visible = Deal.objects.visible_to(user).order_by()
    open_row = visible.filter(status=DealStatus.OPEN).aggregate(
        open_count=Count("pk"),
        open_amount=Coalesce(Sum("amount_reporting"), zero, output_field=MONEY),
        weighted_x100=Coalesce(
            Sum(F("amount_reporting") * F("probability"), output_field=MONEY_PCT),
            zero,
            output_field=MONEY_PCT,
        ),
    )
    closed_row = visible.filter(closed_on__gte=period.start, closed_on__lte=period.end).aggregate(
        won_count=Count("pk", filter=won),
        won_amount=Coalesce(Sum("amount_reporting", filter=won), zero, output_field=MONEY),
        lost_count=Count("pk", filter=lost),
        lost_amount=Coalesce(Sum("amount_reporting", filter=lost), zero, output_field=MONEY),
    )
    row = {**open_row, **closed_row}
    return PipelineSummary(
        period=period,
        open_count=row["open_count"],
        open_amount=quantize_money(Decimal(row["open_amount"])),
        weighted_amount=quantize_money(Decimal(row["weighted_x100"]) / 100),
        won_count=row["won_count"],
        won_amount=quantize_money(Decimal(row["won_amount"])),
        lost_count=row["lost_count"],
        lost_amount=quantize_money(Decimal(row["lost_amount"])),
    )


# --- win rates by product, product line or seller ------------------------------------------------

WIN_RATE_DIMENSIONS = {
    "product": ("products__id", "products__name"),
    "product_line": ("product_lines__id", "product_lines__name"),
    "seller": ("owner_id", "owner__last_name"),
}


@dataclass(frozen=True)
class WinRateRow:
    """Deals closed in the window for one product (or line, or seller): won ÷ (won + lost)."""

    key: int | None
    label: str
    won: int
    lost: int
    won_value: Decimal
    lost_value: Decimal

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        if not self.closed:
            return None
        return (Decimal(self.won) * 100 / self.closed).quantize(Decimal("0.01"))

    @property
    def win_rate_by_value(self) -> Decimal | None:
        total = self.won_value + self.lost_value
        if not total:
            return None
        return (self.won_value * 100 / total).quantize(Decimal("0.01"))


def deal_win_rates(
    *, user: Any, by: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[WinRateRow]:
    """Win rate (won ÷ (won + lost), open deals excluded; also by value) of the deals the user
    sees, closed in [start, end] (open ends: all), per product, product line or seller. A deal
    with two products counts for each; deals naming none are one row "(none)". One query."""
    if by not in WIN_RATE_DIMENSIONS:
        raise ValidationError(
            {"by": _("Choose one of: %(dims)s.") % {"dims": ", ".join(WIN_RATE_DIMENSIONS)}}
        )
    key, label = WIN_RATE_DIMENSIONS[by]
    deals = Deal.objects.visible_to(user).filter(status__in=[DealStatus.WON, DealStatus.LOST])
    if start is not None:
        deals = deals.filter(closed_on__gte=start)
    if end is not None:
        deals = deals.filter(closed_on__lte=end)
    won, lost = Q(status=DealStatus.WON), Q(status=DealStatus.LOST)
    rows = (
        deals.values(key, label)
        .annotate(
            won=Count("pk", filter=won, distinct=True),
            lost=Count("pk", filter=lost, distinct=True),
            won_value=Coalesce(
                Sum("amount_reporting", filter=won), Value(ZERO), output_field=MONEY
            ),
            lost_value=Coalesce(
                Sum("amount_reporting", filter=lost), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    )
    names: dict[int, str] = {}
    if by == "seller":
        ids = [r[key] for r in rows]
        names = {p.pk: str(p) for p in Person.objects.filter(pk__in=ids)}
    result = [
        WinRateRow(
            key=r[key],
            label=names.get(r[key], "") if by == "seller" else (r[label] or _("(none)")),
            won=r["won"],
            lost=r["lost"],
            won_value=quantize_money(Decimal(r["won_value"])),
            lost_value=quantize_money(Decimal(r["lost_value"])),
        )
        for r in rows
    ]
    result.sort(key=lambda r: (r.win_rate is None, -(r.win_rate or 0), r.label))
    return result
