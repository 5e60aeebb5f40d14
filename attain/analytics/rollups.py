"""Keeping the rollup tables equal to the raw rows: incremental upkeep and full rebuilds.

Each rollup table is filled by ONE `INSERT … SELECT … GROUP BY` over its raw rows (a UNION ALL
of the event kinds it counts, e.g. deals created / won / lost). The incremental path recomputes
the rectangle days × owners touched by a write (the keys the facts had before and have after the
write), the rebuild path a whole date range. Both delete the rows first and re-insert them in the
caller's transaction, so readers never see a half-updated table.

A day table may carry a `Cube`: its coarser slices (week / month grain × levels that keep fewer
dimensions). The incremental path reads the day rows of the rectangle before and after the
recompute and adds the difference to every slice (`INSERT … ON CONFLICT DO UPDATE SET m = m + Δ`,
commutative, so concurrent writers of different sellers cannot lose each other's updates); the
rebuild path re-derives the slices of the range from the day table with one `INSERT … SELECT …
GROUP BY` per slice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Trunc, TruncDate
from django.utils import timezone

from attain.analytics.history import settled_before, stamp_renew
from attain.analytics.models import (
    ActivityCube,
    ActivityDay,
    DealCube,
    DealDay,
    FirstOrderCube,
    FirstOrderDay,
    HistoryStamp,
    ReturnDay,
    RollupState,
    SalesCube,
    SalesDay,
    StageCube,
    StageDay,
)
from attain.orders.models import Order, OrderLine, OrderReturn, OrderStatus
from attain.orders.selectors import orders_first_of_customers, orders_live
from attain.organization.models import Person
from attain.pipeline.models import Activity, Deal, DealStageChange, DealStatus

Keys = set[tuple[dt.date, int]]
DayFilter = Callable[[str], Q]
Owners = list[int] | None


def _owned(field: str, owners: Owners) -> Q:
    return Q() if owners is None else Q(**{f"{field}__in": owners})


def _int(value: int) -> Cast:
    return Cast(Value(value), IntegerField())


def _money(value: str = "0") -> Cast:
    return Cast(Value(Decimal(value)), DecimalField(max_digits=20, decimal_places=2))


class DaysBetween(Func):
    """Whole days from `earlier` to `later` (two date columns), as an integer."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(julianday({later[0]}) - julianday({earlier[0]}) AS INTEGER)"
        return sql, [*later[1], *earlier[1]]


def bucket_of(day: dt.date, grain: str) -> dt.date:
    """The first day of the day / ISO week / month `day` falls in."""
    if grain == "w":
        return day - dt.timedelta(days=day.weekday())
    if grain == "m":
        return day.replace(day=1)
    return day


@dataclass(frozen=True)
class Cube:
    """The coarser slices of a day table: each (grain, level) keeps the dimensions of its level.

    `levels` are (code, kept dimensions) in the order the query router tries them (smallest
    first); "s" keeps every dimension, and its day grain is the day table itself.
    """

    model: type[Model]
    dims: tuple[str, ...]  # column names shared by the day table and the cube: owner_id, …
    levels: tuple[tuple[str, frozenset[str]], ...]
    counts: tuple[str, ...]  # a slice row whose counts are all 0 is empty and is removed
    grains: tuple[str, ...] = ("d", "w", "m")

    def slices(self) -> list[tuple[str, str, frozenset[str]]]:
        return [
            (grain, code, kept)
            for code, kept in self.levels
            for grain in self.grains
            if (grain, code) != ("d", "s")
        ]

    def sentinel(self, dim: str) -> Any:
        return 0 if dim.endswith("_id") else ""

    def deltas(
        self, old: list[dict[str, Any]], new: list[dict[str, Any]], measures: tuple[str, ...]
    ) -> dict[tuple[Any, ...], list[Any]]:
        """Slice key → measure differences between the day rows `new` and `old`."""
        out: dict[tuple[Any, ...], list[Any]] = {}
        slices = self.slices()
        for rows, sign in ((old, -1), (new, 1)):
            for row in rows:
                for grain, code, kept in slices:
                    key = (
                        grain,
                        code,
                        bucket_of(row["day"], grain),
                        *(
                            row[d] if d in kept and row[d] is not None else self.sentinel(d)
                            for d in self.dims
                        ),
                    )
                    acc = out.setdefault(key, [0] * len(measures))
                    for i, m in enumerate(measures):
                        acc[i] += sign * (row[m] or 0)
        return {k: v for k, v in out.items() if any(v)}

    def apply(self, deltas: dict[tuple[Any, ...], list[Any]], measures: tuple[str, ...]) -> None:
        """Add the differences to the slice rows (upsert), then drop rows left empty."""
        if not deltas:
            return
        db = router.db_for_write(self.model)
        connection = connections[db]
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        key_cols = ["grain", "level", "day", *self.dims]
        cols = [*key_cols, *measures]
        sets = ", ".join(f"{qn(m)} = {table}.{qn(m)} + excluded.{qn(m)}" for m in measures)
        rows = sorted(deltas.items(), key=lambda item: repr(item[0]))
        returning = ", ".join(qn(c) for c in ("id", *self.counts))
        emptied: list[int] = []
        with connection.cursor() as cursor:
            for i in range(0, len(rows), 400):
                chunk = rows[i : i + 400]
                placeholders = ", ".join(
                    "(" + ", ".join(["%s"] * len(cols)) + ")" for _row in chunk
                )
                params: list[Any] = []
                for key, values in chunk:
                    params.extend(key)
                    params.extend(values)
                # identifiers come from the model's meta; values are parameters
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608
                    f"VALUES {placeholders} "
                    f"ON CONFLICT ({', '.join(qn(c) for c in key_cols)}) DO UPDATE SET {sets} "
                    f"RETURNING {returning}",
                    params,
                )
                emptied += [row[0] for row in cursor.fetchall() if not any(row[1:])]
        if emptied:  # slice rows whose facts are all gone
            self.model._default_manager.filter(pk__in=emptied).delete()

    def rebuild(
        self,
        base: type[Model],
        measures: tuple[str, ...],
        start: dt.date | None,
        end: dt.date | None,
    ) -> None:
        """Recompute every slice row whose bucket touches [start, end] from the day table."""
        db = router.db_for_write(self.model)
        connection = connections[db]
        qn = connection.ops.quote_name
        manager = self.model._default_manager
        for grain in self.grains:
            first = bucket_of(start, grain) if start is not None else None
            last = bucket_of(end, grain) if end is not None else None
            span = Q()
            if first is not None:
                span &= Q(day__gte=first)
            if last is not None:
                span &= Q(day__lte=last)
            manager.filter(span, grain=grain).delete()
            if last is not None and grain != "d":
                # the base rows of the last bucket run to its end
                next_bucket = (
                    last + dt.timedelta(days=7)
                    if grain == "w"
                    else (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                )
                base_span = Q(day__lt=next_bucket)
                if first is not None:
                    base_span &= Q(day__gte=first)
            else:
                base_span = span
            bucket = (
                F("day")
                if grain == "d"
                else Trunc("day", {"w": "week", "m": "month"}[grain], output_field=DateField())
            )
            for g, code, kept in self.slices():
                if g != grain:
                    continue
                keys: dict[str, Any] = {
                    "k_grain": Value(grain),
                    "k_level": Value(code),
                    "k_day": bucket,
                }
                for d in self.dims:
                    sentinel = self.sentinel(d)
                    keys[f"k_{d}"] = (
                        Coalesce(F(d), Value(sentinel)) if d in kept else Value(sentinel)
                    )
                qs = (
                    base._default_manager.filter(base_span)
                    .values(**keys)
                    .annotate(**{f"m_{m}": Sum(m) for m in measures})
                    .order_by()
                )
                sql, params = qs.query.get_compiler(using=db).as_sql()
                cols = ["grain", "level", "day", *self.dims, *measures]
                src = [f"k_{c}" for c in ("grain", "level", "day", *self.dims)]
                src += [f"m_{m}" for m in measures]
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {qn(self.model._meta.db_table)} "  # noqa: S608
                        f"({', '.join(qn(c) for c in cols)}) "
                        f"SELECT {', '.join(qn(c) for c in src)} FROM ({sql}) src",
                        params,
                    )


@dataclass(frozen=True)
class Rollup:
    """One rollup table: its key and measure columns and the raw-row sources that feed it."""

    model: type[Model]
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    #: each source maps a day filter (built for its own day field) to a queryset of raw rows
    #: selecting `k_<key>` and `m_<measure>` columns, one raw fact per row.
    sources: tuple[Callable[[DayFilter, Owners], QuerySet[Any]], ...]
    cube: Cube | None = None

    @property
    def name(self) -> str:
        """The rollup's name (its day table's model name), e.g. for its history stamp."""
        return str(self.model._meta.model_name)

    def key_columns(self) -> tuple[str, ...]:
        """The day table's key columns after `day` (owner_id, unit_path, …)."""
        if self.cube is not None:
            return self.cube.dims
        meta = self.model._meta
        return tuple(_column(meta.get_field(k)) for k in self.keys if k != "day")

    def day_rows(self, days: list[dt.date], owners: list[int]) -> list[dict[str, Any]]:
        """The day-table rows of the days × owners rectangle (key columns and measures)."""
        return list(
            self.model._default_manager.filter(day__in=days, owner_id__in=owners).values(
                "day", *self.key_columns(), *self.measures
            )
        )

    def insert(self, *, where: DayFilter, owners: Iterable[int] | None = None) -> None:
        """INSERT … SELECT … GROUP BY of the raw rows passing `where` (and owned by `owners`)."""
        db = router.db_for_write(self.model)
        connection = connections[db]
        qn = connection.ops.quote_name
        owner_ids = None if owners is None else sorted(set(owners))
        parts: list[str] = []
        params: list[Any] = []
        for source in self.sources:
            qs = source(where, owner_ids).order_by()
            sql, p = qs.query.get_compiler(using=db).as_sql()
            parts.append(sql)
            params.extend(p)
        meta = self.model._meta
        columns = [_column(meta.get_field(name)) for name in (*self.keys, *self.measures)]
        key_sql = ", ".join(qn(f"k_{k}") for k in self.keys)
        measure_sql = ", ".join(f"SUM({qn(f'm_{m}')})" for m in self.measures)
        # only quoted identifiers from the model's meta and ORM-compiled SQL; values are params
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
            f"SELECT {key_sql}, {measure_sql} FROM ({' UNION ALL '.join(parts)}) src "
            f"GROUP BY {key_sql}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _column(field: Any) -> str:
    return str(field.column)


# --- sources -----------------------------------------------------------------------------------


def _sales_lines(where: DayFilter, owners: Owners) -> QuerySet[Any]:
    return (
        OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED)
        .filter(where("order__ordered_on"))
        .filter(_owned("order__owner_id", owners))
        .values(
            k_day=F("order__ordered_on"),
            k_owner=F("order__owner_id"),
            k_unit_path=F("order__unit_path"),
            k_territory=F("order__territory_id"),
            k_product_line=F("product_line_id"),
            k_segment=F("order__account__segment"),
            m_revenue=F("net_amount_reporting"),
            m_cost=F("cost_reporting"),
            m_units=F("quantity"),
            m_lines=_int(1),
        )
    )


def _returns(where: DayFilter, owners: Owners) -> QuerySet[Any]:
    return (
        OrderReturn.objects.filter(where("returned_on"))
        .filter(_owned("line__order__owner_id", owners))
        .values(
            k_day=F("returned_on"),
            k_owner=F("line__order__owner_id"),
            k_unit_path=F("line__order__unit_path"),
            k_territory=F("line__order__territory_id"),
            k_product_line=F("line__product_line_id"),
            k_segment=F("line__order__account__segment"),
            m_refunds=F("amount_reporting"),
            m_units=F("quantity"),
            m_returns=_int(1),
        )
    )


DEAL_EVENTS = ("created", "won", "lost", "open")


def _deal_source(day_field: str, event: str) -> Callable[[DayFilter, Owners], QuerySet[Any]]:
    def source(where: DayFilter, owners: Owners) -> QuerySet[Any]:
        qs = Deal.objects.filter(where(day_field)).filter(_owned("owner_id", owners))
        if event == "won":
            qs = qs.filter(status=DealStatus.WON)
        elif event == "lost":
            qs = qs.filter(status=DealStatus.LOST)
        elif event == "open":
            qs = qs.filter(status=DealStatus.OPEN)
        measures: dict[str, Any] = {}
        for name in DEAL_EVENTS:
            hit = name == event
            measures[f"m_deals_{name}"] = _int(1 if hit else 0)
            measures[f"m_{name}_value"] = F("amount_reporting") if hit else _money()
        measures["m_won_cycle_days"] = (
            DaysBetween(F("closed_on"), F("created_on")) if event == "won" else _int(0)
        )
        measures["m_open_weighted"] = (
            Cast(
                F("amount_reporting") * F("probability"),
                DecimalField(max_digits=22, decimal_places=2),
            )
            if event == "open"
            else _money()
        )
        return qs.values(
            k_day=F(day_field),
            k_owner=F("owner_id"),
            k_unit_path=F("unit_path"),
            k_segment=Coalesce(F("account__segment"), Value("")),
            **measures,
        )

    return source


def _stage_entries(where: DayFilter, owners: Owners) -> QuerySet[Any]:
    """Each deal's first entry into each stage, and whether a later open stage or a win
    followed it (the funnel's cohorts)."""
    earlier = DealStageChange.objects.filter(
        Q(changed_at__lt=OuterRef("changed_at"))
        | Q(changed_at=OuterRef("changed_at"), pk__lt=OuterRef("pk")),
        deal_id=OuterRef("deal_id"),
        to_stage_id=OuterRef("to_stage_id"),
    )
    moved_on = DealStageChange.objects.filter(
        Q(to_stage__position__gt=OuterRef("to_stage__position"), to_stage__is_lost=False)
        | Q(to_stage__is_won=True),
        deal_id=OuterRef("deal_id"),
        changed_at__gt=OuterRef("changed_at"),
    )
    return (
        DealStageChange.objects.filter(where("changed_at__date"))
        .filter(_owned("deal__owner_id", owners))
        .filter(~Exists(earlier))
        .values(
            k_day=TruncDate("changed_at"),
            k_owner=F("deal__owner_id"),
            k_unit_path=F("deal__unit_path"),
            k_stage=F("to_stage_id"),
            m_entered=_int(1),
            m_advanced=Case(When(Exists(moved_on), then=_int(1)), default=_int(0)),
        )
    )


def _first_orders(where: DayFilter, owners: Owners) -> QuerySet[Any]:
    """Each customer's first non-cancelled order (earliest date, then lowest id)."""
    return (
        orders_first_of_customers()
        .filter(where("ordered_on"))
        .filter(_owned("owner_id", owners))
        .values(
            k_day=F("ordered_on"),
            k_owner=F("owner_id"),
            k_unit_path=F("unit_path"),
            k_territory=F("territory_id"),
            k_segment=F("account__segment"),
            m_customers=_int(1),
        )
    )


def _activities(where: DayFilter, owners: Owners) -> QuerySet[Any]:
    return (
        Activity.objects.filter(where("occurred_at__date"))
        .filter(_owned("owner_id", owners))
        .values(
            k_day=TruncDate("occurred_at"),
            k_owner=F("owner_id"),
            k_unit_path=F("unit_path"),
            k_kind=F("kind"),
            m_activities=_int(1),
            m_minutes=F("minutes"),
        )
    )


T, C, L, P, U, S = "t", "c", "l", "p", "u", "s"


def _levels(dims: tuple[str, ...], order: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The levels of a cube over `dims`, in router order: t = unit only, c = no seller and no
    unit, l = unit and product line, p = seller and unit only, u = no seller, s = everything."""
    every = frozenset(dims)
    kept = {
        T: frozenset({"unit_path"}),
        C: every - {"owner_id", "unit_path"},
        L: frozenset({"unit_path", "product_line_id"}),
        P: frozenset({"owner_id", "unit_path"}),
        U: every - {"owner_id"},
        S: every,
    }
    return tuple((code, kept[code]) for code in order)


SALES_DIMS = ("owner_id", "unit_path", "territory_id", "product_line_id", "segment")
DEAL_DIMS = ("owner_id", "unit_path", "segment")
ACTIVITY_DIMS = ("owner_id", "unit_path", "kind")
STAGE_DIMS = ("owner_id", "unit_path", "stage_id")
FIRST_ORDER_DIMS = ("owner_id", "unit_path", "territory_id", "segment")

SALES = Rollup(
    model=SalesDay,
    keys=("day", "owner", "unit_path", "territory", "product_line", "segment"),
    measures=("revenue", "cost", "units", "lines"),
    sources=(_sales_lines,),
    cube=Cube(SalesCube, SALES_DIMS, _levels(SALES_DIMS, "tclpus"), counts=("lines",)),
)
RETURNS = Rollup(
    model=ReturnDay,
    keys=("day", "owner", "unit_path", "territory", "product_line", "segment"),
    measures=("refunds", "units", "returns"),
    sources=(_returns,),
)
DEALS = Rollup(
    model=DealDay,
    keys=("day", "owner", "unit_path", "segment"),
    measures=(
        "deals_created",
        "created_value",
        "deals_won",
        "won_value",
        "deals_lost",
        "lost_value",
        "won_cycle_days",
        "deals_open",
        "open_value",
        "open_weighted",
    ),
    sources=(
        _deal_source("created_on", "created"),
        _deal_source("closed_on", "won"),
        _deal_source("closed_on", "lost"),
        _deal_source("expected_close_on", "open"),
    ),
    cube=Cube(
        DealCube,
        DEAL_DIMS,
        _levels(DEAL_DIMS, "ctpus"),
        counts=("deals_created", "deals_won", "deals_lost", "deals_open"),
    ),
)
ACTIVITIES = Rollup(
    model=ActivityDay,
    keys=("day", "owner", "unit_path", "kind"),
    measures=("activities", "minutes"),
    sources=(_activities,),
    cube=Cube(ActivityCube, ACTIVITY_DIMS, _levels(ACTIVITY_DIMS, "ctpus"), counts=("activities",)),
)
STAGES = Rollup(
    model=StageDay,
    keys=("day", "owner", "unit_path", "stage"),
    measures=("entered", "advanced"),
    sources=(_stage_entries,),
    cube=Cube(StageCube, STAGE_DIMS, _levels(STAGE_DIMS, "cus"), counts=("entered",)),
)
FIRST_ORDERS = Rollup(
    model=FirstOrderDay,
    keys=("day", "owner", "unit_path", "territory", "segment"),
    measures=("customers",),
    sources=(_first_orders,),
    cube=Cube(
        FirstOrderCube,
        FIRST_ORDER_DIMS,
        _levels(FIRST_ORDER_DIMS, "ctpus"),
        counts=("customers",),
    ),
)
ROLLUPS = (SALES, RETURNS, DEALS, ACTIVITIES, STAGES, FIRST_ORDERS)


# --- rebuild -----------------------------------------------------------------------------------


def _range(start: dt.date | None, end: dt.date | None) -> DayFilter:
    def where(field: str) -> Q:
        q = Q()
        if start is not None:
            q &= Q(**{f"{field}__gte": start})
        if end is not None:
            q &= Q(**{f"{field}__lte": end})
        return q

    return where


@transaction.atomic
def rebuild(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    only: tuple[Rollup, ...] = ROLLUPS,
) -> dict[str, int]:
    """Recompute every rollup row (of the `only` rollups) with a day in [start, end] (open
    ends: all) from raw rows."""
    counts: dict[str, int] = {}
    where = _range(start, end)
    for rollup in only:
        rollup.model._default_manager.filter(where("day")).delete()
        rollup.insert(where=where)
        counts[rollup.model._meta.model_name or ""] = rollup.model._default_manager.filter(
            where("day")
        ).count()
        if rollup.cube is not None:
            rollup.cube.rebuild(rollup.model, rollup.measures, start, end)
            counts[rollup.cube.model._meta.model_name or ""] = (
                rollup.cube.model._default_manager.count()
            )
    if start is None and end is None and only == ROLLUPS:
        RollupState.objects.all().delete()
        RollupState.objects.create(version=ROLLUP_VERSION, rebuilt_at=timezone.now())
    stamp_renew(*(rollup.name for rollup in only))
    return counts


def orders_written_between(start: dt.date, end: dt.date, *, stamps: Sequence[object] = ()) -> None:
    """Orders dated in [start, end] were written in bulk: rebuild the sales and returns rows
    of those days, and the first orders from `start` on (a new order may be an account's
    first, moving a later first order). The rebuild covers whole days: `stamps` is not
    needed."""
    rebuild(start=start, end=end, only=(SALES, RETURNS))
    rebuild(start=start, end=None, only=(FIRST_ORDERS,))


# --- incremental upkeep ------------------------------------------------------------------------


def recompute(rollup: Rollup, keys: Keys) -> bool:
    """Recompute the rows of the days × owners rectangle covering `keys`; True when rows of
    settled history (before this week) changed, so the rollup's history stamp must be renewed."""
    if not keys:
        return False
    days = sorted({day for day, _ in keys})
    owners = sorted({owner for _, owner in keys})
    # Serialise writers of the same sellers (PostgreSQL row locks, in id order): without it two
    # transactions could both re-insert the same keys and one would fail on the unique key.
    list(Person.objects.select_for_update().filter(pk__in=owners).order_by("pk").values("pk"))
    before = settled_before()
    watch_history = days[0] < before  # days is sorted
    keep_old = rollup.cube is not None or watch_history
    old = rollup.day_rows(days, owners) if keep_old else []
    rollup.model._default_manager.filter(day__in=days, owner_id__in=owners).delete()

    def where(field: str) -> Q:
        return Q(**{f"{field}__in": days})

    rollup.insert(where=where, owners=owners)
    if keep_old:
        new = rollup.day_rows(days, owners)
        if rollup.cube is not None:
            rollup.cube.apply(rollup.cube.deltas(old, new, rollup.measures), rollup.measures)
        return watch_history and _settled(old, before) != _settled(new, before)
    return False


def _settled(rows: list[dict[str, Any]], before: dt.date) -> list[tuple[Any, ...]]:
    """The rows dated before `before`, in a canonical order (to compare two readings)."""
    return sorted((tuple(row.values()) for row in rows if row["day"] < before), key=repr)


def _pairs(rows: Iterable[tuple[Any, Any]]) -> Keys:
    return {(day, owner) for day, owner in rows if day is not None and owner is not None}


def _first_order_keys(order_ids: list[int]) -> Keys:
    """The orders themselves and the two earliest live orders of their customers: a new or
    cancelled order can only make itself or the previous first order the first (or not)."""
    written = list(Order.objects.filter(pk__in=order_ids).values_list("ordered_on", "owner_id"))
    accounts = Order.objects.filter(pk__in=order_ids).values_list("account_id", flat=True)
    firsts: list[tuple[Any, Any]] = []
    for account_id in sorted(set(accounts)):
        firsts += (
            orders_live()
            .filter(account_id=account_id)
            .order_by("ordered_on", "pk")
            .values_list("ordered_on", "owner_id")[:2]
        )
    return _pairs([*written, *firsts])


def _order_keys(order_ids: list[int]) -> dict[Rollup, Keys]:
    return {
        FIRST_ORDERS: _first_order_keys(order_ids),
        SALES: _pairs(Order.objects.filter(pk__in=order_ids).values_list("ordered_on", "owner_id")),
        RETURNS: _pairs(
            OrderReturn.objects.filter(line__order_id__in=order_ids).values_list(
                "returned_on", "line__order__owner_id"
            )
        ),
    }


def _activity_keys(q: Q) -> dict[Rollup, Keys]:
    rows = Activity.objects.filter(q).values_list("occurred_at", "owner_id")
    return {ACTIVITIES: _pairs((timezone.localdate(at), owner) for at, owner in rows)}


def _deal_keys(deal_ids: list[int]) -> dict[Rollup, Keys]:
    keys: Keys = set()
    for created, closed, expected, owner in Deal.objects.filter(pk__in=deal_ids).values_list(
        "created_on", "closed_on", "expected_close_on", "owner_id"
    ):
        keys |= _pairs([(created, owner), (closed, owner), (expected, owner)])
    stage_keys = _pairs(
        (timezone.localdate(at), owner)
        for at, owner in DealStageChange.objects.filter(deal_id__in=deal_ids).values_list(
            "changed_at", "deal__owner_id"
        )
    )
    return {DEALS: keys, STAGES: stage_keys, **_activity_keys(Q(deal_id__in=deal_ids))}


def _account_keys(account_ids: list[int]) -> dict[Rollup, Keys]:
    order_ids = list(Order.objects.filter(account_id__in=account_ids).values_list("pk", flat=True))
    deal_ids = list(Deal.objects.filter(account_id__in=account_ids).values_list("pk", flat=True))
    return {**_order_keys(order_ids), **_deal_keys(deal_ids)}


KEY_FINDERS: dict[str, Callable[[list[int]], dict[Rollup, Keys]]] = {
    "order": _order_keys,
    "deal": _deal_keys,
    "activity": lambda ids: _activity_keys(Q(pk__in=ids)),
    "lead": lambda ids: _activity_keys(Q(lead_id__in=ids)),
    "account": _account_keys,
}

_pending = threading.local()


def _stash() -> dict[tuple[str, Rollup], Keys]:
    stash = getattr(_pending, "keys", None)
    if stash is None:
        stash = _pending.keys = defaultdict(set)
    return stash


def make_handler(kind: str) -> Callable[..., None]:
    """The fact handler for `kind`: note keys before a write, recompute old ∪ new after it."""
    finder = KEY_FINDERS[kind]

    def handler(ids: list[int], *, before: bool) -> None:
        found = finder(ids)
        stash = _stash()
        if before:
            for rollup, keys in found.items():
                stash[(kind, rollup)] |= keys
            return
        changed = []
        for rollup in ROLLUPS:
            keys = found.get(rollup, set()) | stash.pop((kind, rollup), set())
            if recompute(rollup, keys):
                changed.append(rollup.name)
        stamp_renew(*changed)  # settled figures of these rollups changed: forget them

    handler.__name__ = f"rollups_{kind}_changed"
    return handler


#: Bump when a rollup table or the way its rows are computed changes: `migrate` then rebuilds.
ROLLUP_VERSION = 3


def ensure_current(*, using: str = "default") -> bool:
    """Rebuild every rollup if the stored rows are older than ROLLUP_VERSION; True if it did."""
    tables = connections[using].introspection.table_names()
    if any(m._meta.db_table not in tables for m in (RollupState, HistoryStamp)):
        return False  # migrated only part of the way
    state = RollupState.objects.using(using).order_by("pk").first()
    if state is not None and state.version >= ROLLUP_VERSION:
        return False
    rebuild()
    return True
