"""Keeping the rollup tables equal to the raw rows: incremental upkeep and full rebuilds.

Each rollup table is filled by ONE `INSERT … SELECT … GROUP BY` over its raw rows (a UNION ALL
of the event kinds it counts, e.g. deals created / won / lost). The incremental path recomputes
the rectangle days × owners touched by a write (the keys the facts had before and have after the
write), the rebuild path a whole date range. Both delete the rows first and re-insert them in the
caller's transaction, so readers never see a half-updated table.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import DecimalField, F, IntegerField, Model, Q, QuerySet, Value
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from attain.analytics.models import ActivityDay, DealDay, ReturnDay, SalesDay
from attain.orders.models import Order, OrderLine, OrderReturn, OrderStatus
from attain.organization.models import Person
from attain.pipeline.models import Activity, Deal, DealStatus

Keys = set[tuple[dt.date, int]]
DayFilter = Callable[[str], Q]
Owners = list[int] | None


def _owned(field: str, owners: Owners) -> Q:
    return Q() if owners is None else Q(**{f"{field}__in": owners})


def _int(value: int) -> Cast:
    return Cast(Value(value), IntegerField())


def _money(value: str = "0") -> Cast:
    return Cast(Value(Decimal(value)), DecimalField(max_digits=20, decimal_places=2))


@dataclass(frozen=True)
class Rollup:
    """One rollup table: its key and measure columns and the raw-row sources that feed it."""

    model: type[Model]
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    #: each source maps a day filter (built for its own day field) to a queryset of raw rows
    #: selecting `k_<key>` and `m_<measure>` columns, one raw fact per row.
    sources: tuple[Callable[[DayFilter, Owners], QuerySet[Any]], ...]

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


def _deal_source(day_field: str, event: str) -> Callable[[DayFilter, Owners], QuerySet[Any]]:
    def source(where: DayFilter, owners: Owners) -> QuerySet[Any]:
        qs = Deal.objects.filter(where(day_field)).filter(_owned("owner_id", owners))
        if event == "won":
            qs = qs.filter(status=DealStatus.WON)
        elif event == "lost":
            qs = qs.filter(status=DealStatus.LOST)
        measures: dict[str, Any] = {}
        for name in ("created", "won", "lost"):
            hit = name == event
            measures[f"m_deals_{name}"] = _int(1 if hit else 0)
            measures[f"m_{name}_value"] = F("amount_reporting") if hit else _money()
        return qs.values(
            k_day=F(day_field),
            k_owner=F("owner_id"),
            k_unit_path=F("unit_path"),
            k_segment=F("account__segment"),
            **measures,
        )

    return source


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


SALES = Rollup(
    model=SalesDay,
    keys=("day", "owner", "unit_path", "territory", "product_line", "segment"),
    measures=("revenue", "cost", "units", "lines"),
    sources=(_sales_lines,),
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
    ),
    sources=(
        _deal_source("created_on", "created"),
        _deal_source("closed_on", "won"),
        _deal_source("closed_on", "lost"),
    ),
)
ACTIVITIES = Rollup(
    model=ActivityDay,
    keys=("day", "owner", "unit_path", "kind"),
    measures=("activities", "minutes"),
    sources=(_activities,),
)
ROLLUPS = (SALES, RETURNS, DEALS, ACTIVITIES)


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
def rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, int]:
    """Recompute every rollup row with a day in [start, end] (open ends: all) from raw rows."""
    counts: dict[str, int] = {}
    where = _range(start, end)
    for rollup in ROLLUPS:
        rollup.model._default_manager.filter(where("day")).delete()
        rollup.insert(where=where)
        counts[rollup.model._meta.model_name or ""] = rollup.model._default_manager.filter(
            where("day")
        ).count()
    return counts


# --- incremental upkeep ------------------------------------------------------------------------


def recompute(rollup: Rollup, keys: Keys) -> None:
    """Recompute the rows of the days × owners rectangle covering `keys`."""
    if not keys:
        return
    days = sorted({day for day, _ in keys})
    owners = sorted({owner for _, owner in keys})
    # Serialise writers of the same sellers (PostgreSQL row locks, in id order): without it two
    # transactions could both re-insert the same keys and one would fail on the unique key.
    list(Person.objects.select_for_update().filter(pk__in=owners).order_by("pk").values("pk"))
    rollup.model._default_manager.filter(day__in=days, owner_id__in=owners).delete()

    def where(field: str) -> Q:
        return Q(**{f"{field}__in": days})

    rollup.insert(where=where, owners=owners)


def _pairs(rows: Iterable[tuple[Any, Any]]) -> Keys:
    return {(day, owner) for day, owner in rows if day is not None and owner is not None}


def _order_keys(order_ids: list[int]) -> dict[Rollup, Keys]:
    return {
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
    for created, closed, owner in Deal.objects.filter(pk__in=deal_ids).values_list(
        "created_on", "closed_on", "owner_id"
    ):
        keys |= _pairs([(created, owner), (closed, owner)])
    return {DEALS: keys, **_activity_keys(Q(deal_id__in=deal_ids))}


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
        for rollup in ROLLUPS:
            keys = found.get(rollup, set()) | stash.pop((kind, rollup), set())
            recompute(rollup, keys)

    handler.__name__ = f"rollups_{kind}_changed"
    return handler
