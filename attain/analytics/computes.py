"""How each metric is computed: sums over the rollup tables (raw order lines for the product grain,
which no rollup keeps), ratios over raw rows with SQL aggregates.

Sums read through a `Family` (a day table and its cube, see models.py): the query router splits
the period into whole months, whole ISO weeks and single days, and reads each part from the
smallest slice that keeps every dimension the question needs (the scope's seller or unit, the
filters, the breakdown) — a company figure over a year reads 12 month rows per team, not a
million day rows.

A compute answers three questions for a scope, a period and filters: the value, the values per
time bucket, and the values per group of a breakdown dimension. Sources name, per dimension,
the column of their queryset, so the same code filters a rollup table and raw order lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateField,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Substr, Trunc
from django.utils.translation import gettext as _

from attain.analytics import rollups
from attain.analytics.history import fetch, query_key, settled_before, settled_cached
from attain.analytics.rollups import Rollup
from attain.analytics.types import Filters, Scope
from attain.orders.models import OrderLine, OrderStatus
from attain.orders.selectors import orders_live
from attain.organization.models import OrgUnit

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
ONE = Decimal(1)
HUNDRED = Decimal(100)

#: dimension of a breakdown → the source field it groups by
DIMENSION_FIELDS = {
    "seller": "owner",
    "team": "unit_path",
    "unit": "unit_path",
    "territory": "territory",
    "product_line": "product_line",
    "product": "product",
    "segment": "segment",
    "stage": "stage",
}
FILTER_FIELDS = ("product_line", "product", "territory", "segment")
#: a series grain → the slice grain whose rows are already its buckets
PART_GRAINS = {"day": "d", "week": "w", "month": "m"}


def to_decimal(value: Any, places: Decimal) -> Decimal:
    if value is None:
        value = 0
    if isinstance(value, float):
        value = Decimal(repr(value))
    return Decimal(value).quantize(places)


def unit_group_length(scope: Scope) -> int:
    """Path length of the units one level below the scope (the company root's children)."""
    steplen = int(OrgUnit.steplen)
    base = len(scope.unit_path) if scope.unit_path else steplen
    return base + steplen


@dataclass(frozen=True)
class Part:
    """Rows answering one piece of a period: their grain ("d" | "w" | "m") and, when every row
    lies before this week (`settled`), the rollup whose history stamp caches reads of them."""

    grain: str
    rows: QuerySet[Any]
    settled: str = ""  # the rollup's name when settled, else ""

    def read[T](self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()` — cached under the rollup's history stamp when the part is settled.
        `key` names the question exactly (e.g. the SQL of the final queryset)."""
        if not self.settled:
            return compute()
        return settled_cached(self.settled, key, compute)


@dataclass(frozen=True)
class Source:
    """A queryset of rows and, per dimension, the field holding it (day, owner, unit_path…)."""

    queryset: Callable[[], QuerySet[Any]]
    fields: Mapping[str, str]
    aggregate: Callable[[], Any] = field(default=lambda: Count("pk"))

    def supports(self, name: str) -> bool:
        return name in self.fields

    def rows(self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters) -> QuerySet:
        day = self.fields["day"]
        qs = self.queryset().filter(**{f"{day}__gte": start, f"{day}__lte": end})
        return self.narrow(qs, scope=scope, filters=filters)

    def narrow(self, qs: QuerySet[Any], *, scope: Scope, filters: Filters) -> QuerySet[Any]:
        """Rows of the scope's seller / unit subtree that pass the filters."""
        f = self.fields
        if scope.person_id is not None:
            qs = qs.filter(**{f["owner"]: scope.person_id})
        if scope.unit_path:
            qs = qs.filter(**{f"{f['unit_path']}__startswith": scope.unit_path})
        for name, value in filters.given().items():
            if name not in f:
                raise ValidationError(
                    {name: _("This metric cannot be filtered by %(filter)s.") % {"filter": name}}
                )
            qs = qs.filter(**{f[name]: value})
        return qs.order_by()

    def group_expression(self, by: str, scope: Scope) -> Any:
        name = DIMENSION_FIELDS[by]
        if name not in self.fields:
            raise ValidationError(
                {"by": _("This metric cannot be broken down by %(by)s.") % {"by": by}}
            )
        if by == "unit" and scope.person_id is None:
            return Substr(self.fields["unit_path"], 1, unit_group_length(scope))
        return F(self.fields[name])

    def parts(
        self,
        *,
        scope: Scope,
        start: dt.date,
        end: dt.date,
        filters: Filters,
        by: str | None = None,
        grain: str | None = None,
    ) -> list[Part]:
        """The rows per part of the period (raw rows: one live part)."""
        return [Part("d", self.rows(scope=scope, start=start, end=end, filters=filters))]

    def bucket(self, part_grain: str, grain: str) -> Any:
        """The series bucket of a part's rows: their own day when it already is one."""
        if PART_GRAINS.get(grain) == part_grain:
            return F(self.fields["day"])
        return Trunc(self.fields["day"], grain, output_field=DateField())


def _weeks_inside(a: dt.date, b: dt.date) -> tuple[dt.date, dt.date] | None:
    """First and last Monday of the whole ISO weeks inside [a, b], if any."""
    first = a + dt.timedelta(days=(7 - a.weekday()) % 7)
    last_sunday = b - dt.timedelta(days=(b.weekday() + 1) % 7)
    if first + dt.timedelta(days=6) > last_sunday:
        return None
    return first, last_sunday - dt.timedelta(days=6)


def _months_inside(a: dt.date, b: dt.date) -> tuple[dt.date, dt.date] | None:
    """First days of the first and last whole months inside [a, b], if any."""
    first = a if a.day == 1 else (a.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after = b + dt.timedelta(days=1)
    last_end = after if after.day == 1 else after.replace(day=1)  # first day after the last month
    last = (last_end - dt.timedelta(days=1)).replace(day=1)
    if first > last or last_end <= first:
        return None
    return first, last


def split_period(
    start: dt.date, end: dt.date, grain: str | None
) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """[start, end] as ranges of whole months ("m"), whole ISO weeks ("w") and days ("d"); the
    ranges of a coarse grain are of bucket start dates. Months are used unless the series is by
    day or week, weeks unless it is by day, so no part straddles a series bucket."""
    use_months = grain in (None, "month", "quarter", "year")
    use_weeks = grain != "day"
    out: dict[str, list[tuple[dt.date, dt.date]]] = {"m": [], "w": [], "d": []}
    rest = [(start, end)]
    if use_months and (months := _months_inside(start, end)):
        out["m"].append(months)
        month_end = (months[1].replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        rest = [(start, months[0] - dt.timedelta(days=1)), (month_end, end)]
    for a, b in rest:
        if a > b:
            continue
        weeks = _weeks_inside(a, b) if use_weeks else None
        if weeks is None:
            out["d"].append((a, b))
            continue
        out["w"].append(weeks)
        if a < weeks[0]:
            out["d"].append((a, weeks[0] - dt.timedelta(days=1)))
        if weeks[1] + dt.timedelta(days=6) < b:
            out["d"].append((weeks[1] + dt.timedelta(days=7), b))
    return out


def _previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def split_settled(
    grain: str, a: dt.date, b: dt.date, before: dt.date
) -> tuple[tuple[dt.date, dt.date] | None, tuple[dt.date, dt.date] | None]:
    """A range of `grain` buckets [a, b] (bucket start dates) as (settled, live): the buckets
    that end before `before` (a Monday) and the others."""
    if grain == "m":
        last_settled, first_live = _previous_month(before.replace(day=1)), before.replace(day=1)
    elif grain == "w":
        last_settled, first_live = before - dt.timedelta(days=7), before
    else:
        last_settled, first_live = before - dt.timedelta(days=1), before
    settled = (a, min(b, last_settled)) if a <= last_settled else None
    live = (max(a, first_live), b) if b >= first_live else None
    return settled, live


@dataclass(frozen=True)
class Family(Source):
    """A day table and its cube: reads go to the smallest slice that keeps what is asked."""

    rollup: Rollup | None = None  # with a cube

    def needed(self, *, scope: Scope, filters: Filters, by: str | None) -> set[str]:
        f = self.fields
        need = {f[name] for name in filters.given() if name in f}
        if scope.person_id is not None:
            need.add(f["owner"])
        if scope.unit_path:
            need.add(f["unit_path"])
        if by is not None and DIMENSION_FIELDS.get(by) in f:
            need.add(f[DIMENSION_FIELDS[by]])
        return need

    def level(self, need: set[str]) -> str:
        assert self.rollup is not None and self.rollup.cube is not None
        for code, kept in self.rollup.cube.levels:
            if need <= kept:
                return code
        return "s"

    def parts(
        self,
        *,
        scope: Scope,
        start: dt.date,
        end: dt.date,
        filters: Filters,
        by: str | None = None,
        grain: str | None = None,
    ) -> list[Part]:
        level = self.level(self.needed(scope=scope, filters=filters, by=by))
        assert self.rollup is not None and self.rollup.cube is not None
        cube = self.rollup.cube.model._default_manager
        name = self.rollup.name
        before = settled_before()
        out = []
        for part_grain, ranges in split_period(start, end, grain).items():
            pieces: dict[bool, list[tuple[dt.date, dt.date]]] = {True: [], False: []}
            for a, b in ranges:
                settled, live = split_settled(part_grain, a, b, before)
                if settled:
                    pieces[True].append(settled)
                if live:
                    pieces[False].append(live)
            for is_settled, spans in pieces.items():
                if not spans:
                    continue
                if part_grain == "d" and level == "s":
                    qs = self.queryset()
                else:
                    qs = cube.filter(grain=part_grain, level=level)
                span = Q()
                for a, b in spans:
                    span |= Q(day__gte=a, day__lte=b)
                rows = self.narrow(qs.filter(span), scope=scope, filters=filters)
                out.append(Part(part_grain, rows, name if is_settled else ""))
        return out


class Compute(Protocol):
    """What a registered metric can answer."""

    def supported_dimensions(self) -> frozenset[str]: ...

    def value(
        self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters
    ) -> Decimal | None: ...

    def series(
        self, *, scope: Scope, start: dt.date, end: dt.date, grain: str, filters: Filters
    ) -> dict[dt.date, Decimal | None] | None: ...

    def breakdown(
        self, *, scope: Scope, start: dt.date, end: dt.date, by: str, filters: Filters
    ) -> list[tuple[Any, Decimal | None]]: ...


def _bucket_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


@dataclass(frozen=True)
class SumCompute:
    """Σ over a rollup table; `by_product` (raw order lines) answers the product grain."""

    main: Source
    by_product: Source | None = None
    places: Decimal = CENT

    def _source(self, filters: Filters, by: str | None = None) -> Source:
        if self.by_product is not None and (filters.product_id is not None or by == "product"):
            return self.by_product
        return self.main

    def supported_dimensions(self) -> frozenset[str]:
        sources = [s for s in (self.main, self.by_product) if s is not None]
        return frozenset(
            dim for dim, name in DIMENSION_FIELDS.items() if any(s.supports(name) for s in sources)
        )

    def _total(self, rows: QuerySet[Any], aggregate: Any) -> Decimal:
        return to_decimal(rows.aggregate(v=aggregate)["v"], self.places)

    def value(
        self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters
    ) -> Decimal | None:
        source = self._source(filters)
        total: Any = 0
        for part in source.parts(scope=scope, start=start, end=end, filters=filters):
            aggregate = source.aggregate()
            total += part.read(
                ("value", query_key(part.rows), repr(aggregate), self.places),
                partial(self._total, part.rows, aggregate),
            )
        return to_decimal(total, self.places)

    def series(
        self, *, scope: Scope, start: dt.date, end: dt.date, grain: str, filters: Filters
    ) -> dict[dt.date, Decimal | None]:
        source = self._source(filters)
        out: dict[dt.date, Any] = defaultdict(Decimal)
        for part in source.parts(scope=scope, start=start, end=end, filters=filters, grain=grain):
            rows = (
                part.rows.annotate(bucket=source.bucket(part.grain, grain))
                .values("bucket")
                .annotate(v=source.aggregate())
                .values_list("bucket", "v")
            )
            found = part.read(("series", query_key(rows)), fetch(rows))
            for bucket, v in found:
                out[_bucket_date(bucket)] += to_decimal(v, self.places)
        return {bucket: to_decimal(v, self.places) for bucket, v in out.items()}

    def breakdown(
        self, *, scope: Scope, start: dt.date, end: dt.date, by: str, filters: Filters
    ) -> list[tuple[Any, Decimal | None]]:
        source = self._source(filters, by)
        group = source.group_expression(by, scope)
        out: dict[Any, Any] = defaultdict(Decimal)
        for part in source.parts(scope=scope, start=start, end=end, filters=filters, by=by):
            rows = (
                part.rows.annotate(group=group)
                .values("group")
                .annotate(v=source.aggregate())
                .values_list("group", "v")
            )
            found = part.read(("breakdown", query_key(rows)), fetch(rows))
            for g, v in found:
                key = None if g == 0 and by != "segment" else g
                out[key] += to_decimal(v, self.places)
        return [(g, to_decimal(v, self.places)) for g, v in out.items()]

    def breakdown_series(
        self, *, scope: Scope, start: dt.date, end: dt.date, grain: str, by: str, filters: Filters
    ) -> dict[Any, dict[dt.date, Decimal]]:
        """group → bucket → value (buckets with data only)."""
        source = self._source(filters, by)
        group = source.group_expression(by, scope)
        out: dict[Any, dict[dt.date, Any]] = defaultdict(lambda: defaultdict(Decimal))
        for part in source.parts(
            scope=scope, start=start, end=end, filters=filters, by=by, grain=grain
        ):
            rows = (
                part.rows.annotate(group=group, bucket=source.bucket(part.grain, grain))
                .values("group", "bucket")
                .annotate(v=source.aggregate())
                .values_list("group", "bucket", "v")
            )
            found = part.read(("breakdown_series", query_key(rows)), fetch(rows))
            for g, bucket, v in found:  # thousands of rows for a company: keep the loop lean
                key = None if g == 0 and by != "segment" else g
                value = Decimal(repr(v)) if isinstance(v, float) else v or 0
                out[key][_bucket_date(bucket)] += value
        return {
            g: {b: to_decimal(v, self.places) for b, v in buckets.items()}
            for g, buckets in out.items()
        }


def _customer_sets(rows: Iterable[tuple[int, int]]) -> tuple[frozenset[int], frozenset[int]]:
    """(customers with one order, customers with more) from (account, orders) rows."""
    once: list[int] = []
    more: list[int] = []
    for account, n in rows:
        (once if n == 1 else more).append(account)
    return frozenset(once), frozenset(more)


@dataclass(frozen=True)
class RepeatRateCompute:
    """Customers with more than one order in the window ÷ customers with an order × 100."""

    orders: Source

    def supported_dimensions(self) -> frozenset[str]:
        return frozenset(
            dim for dim, name in DIMENSION_FIELDS.items() if self.orders.supports(name)
        )

    @staticmethod
    def _rate(repeat: int, total: int) -> Decimal | None:
        if not total:
            return None
        return (Decimal(repeat) * HUNDRED / Decimal(total)).quantize(CENT)

    def _rows(self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters) -> Any:
        return (
            self.orders.rows(scope=scope, start=start, end=end, filters=filters)
            .values("account_id")
            .annotate(n=Count("*"))  # COUNT(*): the (day, account) index answers it alone
        )

    def _counts(self, per_account: Any) -> tuple[int, int]:
        """(customers, repeat customers) of a per-account query, counted in SQL."""
        counts = per_account.aggregate(
            total=Count("account_id"), repeat=Count("account_id", filter=Q(n__gt=1))
        )
        return counts["total"] or 0, counts["repeat"] or 0

    def value(
        self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters
    ) -> Decimal | None:
        """Settled history is cached under the sales rollup's stamp (every change to a live
        order — taken, cancelled, its customer's segment — changes its order lines' SalesDay
        rows, as an order always has a line). A window that spans this week joins the cached
        customers of its settled days with the live ones: customer sets, not money."""
        before = settled_before()
        name = rollups.SALES.name
        if end < before or start >= before:
            rows = self._rows(scope=scope, start=start, end=end, filters=filters)
            if start >= before:
                total, repeat = self._counts(rows)
            else:
                total, repeat = settled_cached(
                    name, ("repeat_counts", query_key(rows)), lambda: self._counts(rows)
                )
            return self._rate(repeat, total)
        settled_rows = self._rows(
            scope=scope, start=start, end=before - dt.timedelta(days=1), filters=filters
        )
        once, more = settled_cached(
            name,
            ("repeat_sets", query_key(settled_rows)),
            lambda: _customer_sets(settled_rows.values_list("account_id", "n")),
        )
        live = self._rows(scope=scope, start=before, end=end, filters=filters)
        repeat = len(more)
        new = 0
        for account, n in live.values_list("account_id", "n"):
            if account in more:
                continue
            if account in once:
                repeat += 1
            else:
                new += 1
                repeat += n > 1
        return self._rate(repeat, len(once) + len(more) + new)

    def series(self, **kwargs: Any) -> None:
        return None  # computed bucket by bucket by the selector

    def breakdown(
        self, *, scope: Scope, start: dt.date, end: dt.date, by: str, filters: Filters
    ) -> list[tuple[Any, Decimal | None]]:
        rows = (
            self.orders.rows(scope=scope, start=start, end=end, filters=filters)
            .annotate(group=self.orders.group_expression(by, scope))
            .values("group", "account_id")
            .annotate(n=Count("pk"))
        )
        total: dict[Any, int] = defaultdict(int)
        repeat: dict[Any, int] = defaultdict(int)
        for row in rows:  # one row per (group, customer): counting customers, not money
            total[row["group"]] += 1
            repeat[row["group"]] += row["n"] > 1
        return [(group, self._rate(repeat[group], n)) for group, n in total.items()]


@dataclass(frozen=True)
class NoDataCompute:
    """A metric with no source data yet (e.g. CSAT before surveys exist): always None."""

    def supported_dimensions(self) -> frozenset[str]:
        return frozenset(DIMENSION_FIELDS)

    def value(self, **kwargs: Any) -> Decimal | None:
        return None

    def series(self, **kwargs: Any) -> None:
        return None

    def breakdown(self, **kwargs: Any) -> list[tuple[Any, Decimal | None]]:
        return []


@dataclass(frozen=True)
class CallableCompute:
    """A metric given as a plain function value(scope=, start=, end=, filters=)."""

    function: Callable[..., Decimal | None]

    def supported_dimensions(self) -> frozenset[str]:
        return frozenset()

    def value(
        self, *, scope: Scope, start: dt.date, end: dt.date, filters: Filters
    ) -> Decimal | None:
        return self.function(scope=scope, start=start, end=end, filters=filters)

    def series(self, **kwargs: Any) -> None:
        return None

    def breakdown(self, *, by: str, **kwargs: Any) -> list[tuple[Any, Decimal | None]]:
        raise ValidationError(
            {"by": _("This metric cannot be broken down by %(by)s.") % {"by": by}}
        )


# --- the sources -------------------------------------------------------------------------------

ROLLUP_SALES_FIELDS = {
    "day": "day",
    "owner": "owner_id",
    "unit_path": "unit_path",
    "territory": "territory_id",
    "product_line": "product_line_id",
    "segment": "segment",
}
RAW_LINE_FIELDS = {
    "day": "order__ordered_on",
    "owner": "order__owner_id",
    "unit_path": "order__unit_path",
    "territory": "order__territory_id",
    "product_line": "product_line_id",
    "product": "product_id",
    "segment": "order__account__segment",
}
DEAL_FIELDS = {"day": "day", "owner": "owner_id", "unit_path": "unit_path", "segment": "segment"}
ACTIVITY_FIELDS = {"day": "day", "owner": "owner_id", "unit_path": "unit_path"}
ORDER_FIELDS = {
    "day": "ordered_on",
    "owner": "owner_id",
    "unit_path": "unit_path",
    "territory": "territory_id",
    "segment": "account__segment",
}


def _live_lines() -> QuerySet[Any]:
    return OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED)


def family(rollup: Rollup, fields: Mapping[str, str], aggregate: Callable[[], Any]) -> Family:
    """The reads of a day table that has a cube."""
    return Family(rollup.model._default_manager.all, fields, aggregate, rollup=rollup)


def sales_sum(rollup_expr: Callable[[], Any], raw_expr: Callable[[], Any], places: Decimal) -> Any:
    return SumCompute(
        main=family(rollups.SALES, ROLLUP_SALES_FIELDS, rollup_expr),
        by_product=Source(_live_lines, RAW_LINE_FIELDS, raw_expr),
        places=places,
    )


def rollup_sum(rollup: Rollup, fields: Mapping[str, str], column: str, places: Decimal) -> Any:
    """Σ column of a day table, through its cube when it has one."""
    if rollup.cube is not None:
        return SumCompute(main=family(rollup, fields, lambda: Sum(column)), places=places)
    source = Source(rollup.model._default_manager.all, fields, lambda: Sum(column))
    return SumCompute(main=source, places=places)


REVENUE = sales_sum(lambda: Sum("revenue"), lambda: Sum("net_amount_reporting"), CENT)
GROSS_MARGIN = sales_sum(
    lambda: Sum("revenue") - Sum("cost"),
    lambda: Sum("net_amount_reporting") - Sum("cost_reporting"),
    CENT,
)
UNITS = sales_sum(lambda: Sum("units"), lambda: Sum("quantity"), MILLI)
RETURNS = rollup_sum(rollups.RETURNS, ROLLUP_SALES_FIELDS, "refunds", CENT)
DEALS_WON = rollup_sum(rollups.DEALS, DEAL_FIELDS, "deals_won", ONE)
WON_VALUE = rollup_sum(rollups.DEALS, DEAL_FIELDS, "won_value", CENT)
DEALS_LOST = rollup_sum(rollups.DEALS, DEAL_FIELDS, "deals_lost", ONE)
DEALS_CREATED = rollup_sum(rollups.DEALS, DEAL_FIELDS, "deals_created", ONE)
ACTIVITIES = rollup_sum(rollups.ACTIVITIES, ACTIVITY_FIELDS, "activities", ONE)
ACTIVITY_MINUTES = rollup_sum(rollups.ACTIVITIES, ACTIVITY_FIELDS, "minutes", ONE)
STAGE_FIELDS = {"day": "day", "owner": "owner_id", "unit_path": "unit_path", "stage": "stage_id"}
#: the funnel's sources: stage entries, and deals closed / open by day
STAGE_FAMILY = family(rollups.STAGES, STAGE_FIELDS, lambda: Sum("entered"))
DEAL_FAMILY = family(rollups.DEALS, DEAL_FIELDS, lambda: Sum("deals_won"))
FIRST_ORDER_FIELDS = {
    "day": "day",
    "owner": "owner_id",
    "unit_path": "unit_path",
    "territory": "territory_id",
    "segment": "segment",
}
NEW_CUSTOMERS = SumCompute(
    main=family(rollups.FIRST_ORDERS, FIRST_ORDER_FIELDS, lambda: Sum("customers")),
    places=ONE,
)
REPEAT_CUSTOMER_RATE = RepeatRateCompute(orders=Source(orders_live, ORDER_FIELDS))
NO_DATA = NoDataCompute()
