"""Reads of the pipeline beyond simple filters: lists, stage history, the pipeline summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from attain.core.money import ZERO, quantize_money
from attain.core.periods import Period, month_of, today
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
