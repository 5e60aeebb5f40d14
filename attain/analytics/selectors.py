"""Performance reads: a metric's value, series and breakdown for a scope, and the funnel.

Sums read the rollup tables (raw order lines only for the product grain); distinct counts and
ratios read raw rows with SQL aggregates. `Scope` says WHO a figure is about — callers check
visibility first (the API does, see api.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from attain.analytics.computes import CENT, DEAL_FAMILY, HUNDRED, STAGE_FAMILY
from attain.analytics.history import fetch, query_key
from attain.analytics.metrics import Metric, metric_compute, metric_get
from attain.analytics.types import DIMENSIONS, GRAINS, BreakdownRow, Filters, Scope
from attain.catalog.models import Product, ProductLine
from attain.customers.models import Segment
from attain.organization.models import OrgUnit, Person, Territory
from attain.pipeline.models import Stage

#: the default: no filters (a frozen dataclass, safe to share)
NO_FILTERS = Filters()

__all__ = [
    "NO_FILTERS",
    "BreakdownRow",
    "Filters",
    "FunnelStage",
    "FunnelSummary",
    "Scope",
    "bucket_starts",
    "funnel_summary",
    "group_labels",
    "metric_breakdown",
    "metric_breakdown_series",
    "metric_series",
    "metric_value",
]


def _metric(key: str) -> Metric:
    try:
        return metric_get(key)
    except KeyError:
        raise ValidationError(
            {"metric": _("“%(metric)s” is not a known metric.") % {"metric": key}}
        ) from None


def _check(metric: Metric, *, start: dt.date, end: dt.date, filters: Filters) -> None:
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    for name in filters.given():
        if name not in metric.filters:
            raise ValidationError(
                {
                    name: _("The metric “%(metric)s” cannot be filtered by %(filter)s.")
                    % {"metric": metric.key, "filter": name}
                }
            )


def metric_value(
    *, metric: str, scope: Scope, start: dt.date, end: dt.date, filters: Filters = NO_FILTERS
) -> Decimal | None:
    """The metric over [start, end] for the scope; None when it has no data (ratios, CSAT)."""
    found = _metric(metric)
    _check(found, start=start, end=end, filters=filters)
    return metric_compute(metric).value(scope=scope, start=start, end=end, filters=filters)


# --- series ------------------------------------------------------------------------------------


def bucket_start(day: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _next_bucket(start: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def bucket_starts(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    """The start dates of every bucket touching [start, end] (weeks start on Monday)."""
    buckets = []
    current = bucket_start(start, grain)
    while current <= end:
        buckets.append(current)
        current = _next_bucket(current, grain)
    return buckets


def metric_series(
    *,
    metric: str,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    grain: str,
    filters: Filters = NO_FILTERS,
) -> list[tuple[dt.date, Decimal | None]]:
    """(bucket start, value) for every bucket of [start, end]; sums are zero-filled, other
    metrics are computed bucket by bucket (clipped to [start, end]) and may be None."""
    found = _metric(metric)
    _check(found, start=start, end=end, filters=filters)
    if grain not in GRAINS:
        raise ValidationError(
            {"grain": _("Choose a grain: %(grains)s.") % {"grains": ", ".join(GRAINS)}}
        )
    buckets = bucket_starts(start, end, grain)
    compute = metric_compute(metric)
    values = compute.series(scope=scope, start=start, end=end, grain=grain, filters=filters)
    if values is not None:
        places = getattr(compute, "places", Decimal(1))
        zero = Decimal(0).quantize(places) if found.is_sum else None
        return [(b, values.get(b, zero)) for b in buckets]
    series: list[tuple[dt.date, Decimal | None]] = []
    for b in buckets:
        last = min(_next_bucket(b, grain) - dt.timedelta(days=1), end)
        value = compute.value(scope=scope, start=max(b, start), end=last, filters=filters)
        series.append((b, value))
    return series


# --- breakdown ---------------------------------------------------------------------------------


def group_labels(by: str, keys: list[Any]) -> dict[Any, tuple[str, str, int | None]]:
    """Breakdown group value (person id, unit path, product line id…) → (key, label, id)."""
    present = [k for k in keys if k not in (None, "")]
    out: dict[Any, tuple[str, str, int | None]] = {}
    if by == "seller":
        people = Person.objects.filter(pk__in=present).values_list("pk", "first_name", "last_name")
        for pk, first, last in people:  # thousands for a company: no model instances
            out[pk] = (str(pk), f"{first} {last}", pk)
    elif by in {"team", "unit"}:
        for u in OrgUnit.objects.filter(path__in=present).only("name", "path"):
            out[u.path] = (u.path, u.name, u.pk)
    elif by == "territory":
        for t in Territory.objects.filter(pk__in=present).only("name"):
            out[t.pk] = (str(t.pk), str(t), t.pk)
    elif by == "product_line":
        for pl in ProductLine.objects.filter(pk__in=present).only("name"):
            out[pl.pk] = (str(pl.pk), pl.name, pl.pk)
    elif by == "product":
        for pr in Product.objects.filter(pk__in=present).only("name", "sku"):
            out[pr.pk] = (str(pr.pk), f"{pr.sku} {pr.name}", pr.pk)
    elif by == "segment":
        labels = dict(Segment.choices)
        for code in present:
            out[code] = (code, str(labels.get(code, code)), None)
    return out


def metric_breakdown(
    *,
    metric: str,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by: str,
    filters: Filters = NO_FILTERS,
) -> list[BreakdownRow]:
    """The metric per seller / unit (one level below the scope) / team (the unit the facts
    were stamped with) / territory / product line / product / segment, largest first."""
    groups = metric_totals_by(
        metric=metric, scope=scope, start=start, end=end, by=by, filters=filters
    ).items()
    labels = group_labels(by, [g for g, _v in groups])
    none_label = _("(none)")
    rows = [
        BreakdownRow(
            key=labels[g][0] if g in labels else ("" if g is None else str(g)),
            label=labels[g][1] if g in labels else (none_label if g in (None, "") else str(g)),
            value=v,
            id=labels[g][2] if g in labels else None,
        )
        for g, v in groups
    ]
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.label))
    return rows


def metric_totals_by(
    *,
    metric: str,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by: str,
    filters: Filters = NO_FILTERS,
) -> dict[Any, Decimal | None]:
    """The metric per raw group key (person id, unit path, product line id …) — what
    `metric_breakdown` reads, without looking up the labels (a caller that has its own names,
    like a leaderboard of 2,000 sellers, saves that query)."""
    found = _metric(metric)
    _check(found, start=start, end=end, filters=filters)
    if by not in DIMENSIONS:
        raise ValidationError(
            {"by": _("Choose one of: %(dims)s.") % {"dims": ", ".join(DIMENSIONS)}}
        )
    groups = metric_compute(metric).breakdown(
        scope=scope, start=start, end=end, by=by, filters=filters
    )
    return dict(groups)


def metric_breakdown_series(
    *,
    metric: str,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    grain: str,
    by: str,
    filters: Filters = NO_FILTERS,
) -> dict[Any, dict[dt.date, Decimal]]:
    """A sum metric per group (the raw group key: person id, unit path, product line id…) and
    bucket; buckets without data are absent (callers zero-fill with `bucket_starts`)."""
    found = _metric(metric)
    _check(found, start=start, end=end, filters=filters)
    compute = metric_compute(metric)
    if not found.is_sum or not hasattr(compute, "breakdown_series"):
        raise ValidationError({"metric": _("Only summed metrics have series per group.")})
    if grain not in GRAINS or by not in DIMENSIONS:
        raise ValidationError({"grain": _("Choose a grain and a dimension.")})
    result: dict[Any, dict[dt.date, Decimal]] = compute.breakdown_series(
        scope=scope, start=start, end=end, grain=grain, by=by, filters=filters
    )
    return result


# --- funnel ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    stage_id: int
    code: str
    name: str
    entered: int  # deals that entered the stage for the first time in the period
    advanced: int  # of those, deals that later entered a later open stage or were won
    conversion: Decimal | None  # advanced ÷ entered × 100


@dataclass(frozen=True)
class FunnelSummary:
    won: int
    lost: int
    open: int
    win_rate: Decimal | None  # won ÷ (won + lost) × 100
    win_rate_by_value: Decimal | None
    won_value: Decimal
    average_deal_size: Decimal | None  # won value ÷ won deals
    average_cycle_days: Decimal | None  # mean(closed_on − created_on) over won deals
    open_pipeline: Decimal  # Σ amount of open deals expected to close in the period
    weighted_pipeline: Decimal  # Σ amount × probability of the same deals
    stages: list[FunnelStage]


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT)


def _decimal(value: Any) -> Decimal:
    """SQL sums come back as Decimal (PostgreSQL) or int / float (SQLite)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value or 0)


def _money(value: Any) -> Decimal:
    return _decimal(value).quantize(CENT)


DEAL_SUMS = (
    "deals_won",
    "deals_lost",
    "won_value",
    "lost_value",
    "won_cycle_days",
    "deals_open",
    "open_value",
    "open_weighted",
)


def funnel_summary(*, scope: Scope, start: dt.date, end: dt.date) -> FunnelSummary:
    """Win rate, deal size, cycle length and pipeline for deals of the scope; closed figures by
    close date in [start, end], the pipeline over open deals expected to close in it. Read from
    the deals and stage rollups (see DealDay, StageDay)."""
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    sums = dict.fromkeys(DEAL_SUMS, Decimal(0))
    for part in DEAL_FAMILY.parts(scope=scope, start=start, end=end, filters=NO_FILTERS):
        row = part.read(
            ("funnel", query_key(part.rows), DEAL_SUMS),
            partial(part.rows.aggregate, **{name: Sum(name) for name in DEAL_SUMS}),
        )
        for name in DEAL_SUMS:
            sums[name] += _decimal(row[name])
    won, lost = int(sums["deals_won"]), int(sums["deals_lost"])
    won_value = _money(sums["won_value"])
    lost_value = _money(sums["lost_value"])
    return FunnelSummary(
        won=won,
        lost=lost,
        open=int(sums["deals_open"]),
        win_rate=_pct(won, won + lost),
        win_rate_by_value=_pct(won_value, won_value + lost_value),
        won_value=won_value,
        average_deal_size=(won_value / won).quantize(CENT) if won else None,
        average_cycle_days=(sums["won_cycle_days"] / won).quantize(CENT) if won else None,
        open_pipeline=_money(sums["open_value"]),
        weighted_pipeline=_money(sums["open_weighted"] / HUNDRED),
        stages=_stage_conversion(scope=scope, start=start, end=end),
    )


def _stage_conversion(*, scope: Scope, start: dt.date, end: dt.date) -> list[FunnelStage]:
    """Per open stage: deals of the scope entering it for the first time in the period, and how
    many of them later entered a later open stage or the won stage."""
    stages = list(Stage.objects.filter(is_lost=False, is_won=False).order_by("position"))
    entered: dict[int, int] = defaultdict(int)
    advanced: dict[int, int] = defaultdict(int)
    for part in STAGE_FAMILY.parts(
        scope=scope, start=start, end=end, filters=NO_FILTERS, by="stage"
    ):
        rows = (
            part.rows.values("stage_id")
            .annotate(e=Sum("entered"), a=Sum("advanced"))
            .values_list("stage_id", "e", "a")
        )
        for stage_id, e, a in part.read(("stages", query_key(rows)), fetch(rows)):
            entered[stage_id] += int(e or 0)
            advanced[stage_id] += int(a or 0)
    return [
        FunnelStage(
            stage_id=stage.pk,
            code=stage.code,
            name=stage.name,
            entered=entered[stage.pk],
            advanced=advanced[stage.pk],
            conversion=_pct(advanced[stage.pk], entered[stage.pk]),
        )
        for stage in stages
    ]
