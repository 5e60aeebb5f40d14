"""The rollup-equals-raw proof and the incremental upkeep of the rollup tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from attain.analytics.computes import split_period, unit_group_length
from attain.analytics.metrics import metric_compute
from attain.analytics.models import ActivityDay, DealDay, ReturnDay, SalesCube, SalesDay
from attain.analytics.selectors import (
    Filters,
    Scope,
    bucket_starts,
    funnel_summary,
    metric_series,
    metric_value,
)
from attain.analytics.services import rollups_rebuild
from attain.analytics.tests.factories import (
    assert_rollups_fresh,
    at,
    line,
    make_base,
    snapshot,
)
from attain.core.facts import facts_suspended
from attain.orders import services as orders
from attain.orders.models import Order, OrderLine, OrderReturn
from attain.pipeline import services as pipeline
from attain.pipeline.models import Activity, Deal, LostReason, Stage

SALES_FIELDS = {
    "day": "order__ordered_on",
    "owner": "order__owner_id",
    "unit_path": "order__unit_path",
    "territory": "order__territory_id",
    "product_line": "product_line_id",
    "segment": "order__account__segment",
}
RETURN_FIELDS = {
    "day": "returned_on",
    "owner": "line__order__owner_id",
    "unit_path": "line__order__unit_path",
    "territory": "line__order__territory_id",
    "product_line": "line__product_line_id",
    "segment": "line__order__account__segment",
}


def _lines() -> Any:
    return OrderLine.objects.exclude(order__status="cancelled")


def _deals(status: str | None, day: str) -> tuple[Any, dict[str, str]]:
    qs = Deal.objects.all() if status is None else Deal.objects.filter(status=status)
    fields = {
        "day": day,
        "owner": "owner_id",
        "unit_path": "unit_path",
        "segment": "account__segment",
    }
    return qs, fields


ACTIVITY_FIELDS = {"day": "occurred_at__date", "owner": "owner_id", "unit_path": "unit_path"}
ORDER_FIELDS = {
    "day": "ordered_on",
    "owner": "owner_id",
    "unit_path": "unit_path",
    "territory": "territory_id",
    "segment": "account__segment",
}


def _first_orders() -> Any:
    """Raw: each customer's first non-cancelled order (earliest date, then lowest id)."""
    live = Order.objects.exclude(status="cancelled")
    earlier = live.filter(
        Q(ordered_on__lt=OuterRef("ordered_on"))
        | Q(ordered_on=OuterRef("ordered_on"), pk__lt=OuterRef("pk")),
        account_id=OuterRef("account_id"),
    )
    return live.filter(~Exists(earlier))


#: metric → (raw queryset, raw field per dimension, raw aggregate): the independent GROUP BY
RAW: dict[str, tuple[Any, dict[str, str], Any]] = {
    "revenue": (_lines, SALES_FIELDS, lambda: Sum("net_amount_reporting")),
    "gross_margin": (
        _lines,
        SALES_FIELDS,
        lambda: Sum("net_amount_reporting") - Sum("cost_reporting"),
    ),
    "units": (_lines, SALES_FIELDS, lambda: Sum("quantity")),
    "returns": (OrderReturn.objects.all, RETURN_FIELDS, lambda: Sum("amount_reporting")),
    "deals_won": (
        lambda: _deals("won", "closed_on")[0],
        _deals("won", "closed_on")[1],
        lambda: Count("pk"),
    ),
    "won_value": (
        lambda: _deals("won", "closed_on")[0],
        _deals("won", "closed_on")[1],
        lambda: Sum("amount_reporting"),
    ),
    "deals_lost": (
        lambda: _deals("lost", "closed_on")[0],
        _deals("lost", "closed_on")[1],
        lambda: Count("pk"),
    ),
    "deals_created": (
        lambda: _deals(None, "created_on")[0],
        _deals(None, "created_on")[1],
        lambda: Count("pk"),
    ),
    "activities": (Activity.objects.all, ACTIVITY_FIELDS, lambda: Count("pk")),
    "activity_minutes": (Activity.objects.all, ACTIVITY_FIELDS, lambda: Sum("minutes")),
    "new_customers": (_first_orders, ORDER_FIELDS, lambda: Count("pk")),
}
DIMS = {
    "seller": "owner",
    "team": "unit_path",
    "unit": "unit_path",
    "territory": "territory",
    "product_line": "product_line",
    "segment": "segment",
}
PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # whole months: month slices only
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 2, 11), dt.date(2026, 4, 17)),  # days + weeks + a month + weeks + days
    (dt.date(2026, 3, 2), dt.date(2026, 3, 15)),  # two whole weeks
    (dt.date(2026, 3, 10), dt.date(2026, 3, 12)),  # days only
]


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def _raw_groups(metric: str, by: str | None, scope: Scope, start: dt.date, end: dt.date) -> dict:
    queryset, fields, aggregate = RAW[metric]
    qs = queryset().filter(**{f"{fields['day']}__gte": start, f"{fields['day']}__lte": end})
    if scope.person_id:
        qs = qs.filter(**{fields["owner"]: scope.person_id})
    if scope.unit_path:
        qs = qs.filter(**{f"{fields['unit_path']}__startswith": scope.unit_path})
    qs = qs.order_by()
    if by is None:
        return {None: _money(qs.aggregate(v=aggregate())["v"])}
    if by == "unit" and scope.person_id is None:
        group = Substr(fields["unit_path"], 1, unit_group_length(scope))
    else:
        group = F(fields[DIMS[by]])
    rows = qs.annotate(g=group).values("g").annotate(v=aggregate())
    return {r["g"]: _money(r["v"]) for r in rows}


def _scopes(world: Any) -> list[Scope]:
    return [
        Scope(),
        Scope(unit_path=world.div_a.path),
        Scope(unit_path=world.team_a1.path),
        Scope(person_id=world.rep.pk),
        Scope(person_id=world.rep.pk, unit_path=world.team_a2.path),
    ]


def test_rollup_totals_equal_raw_totals_for_every_breakdown(data):
    checked = 0
    for metric, (_qs, fields, _agg) in RAW.items():
        compute = metric_compute(metric)
        for scope in _scopes(data.world):
            for start, end in PERIODS:
                total = _raw_groups(metric, None, scope, start, end)[None]
                value = metric_value(metric=metric, scope=scope, start=start, end=end)
                assert _money(value) == total, (metric, scope)
                for by, name in DIMS.items():
                    if name not in fields:
                        continue
                    rolled = {
                        g: _money(v)
                        for g, v in compute.breakdown(
                            scope=scope, start=start, end=end, by=by, filters=Filters()
                        )
                        if v  # a seller with deals created but none won is a zero row
                    }
                    raw = _raw_groups(metric, by, scope, start, end)
                    assert rolled == {g: v for g, v in raw.items() if v}, (metric, by)
                    assert sum(rolled.values(), Decimal(0)) == total
                    checked += 1
    assert checked > 500


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
def test_series_from_the_slices_equal_raw_buckets(data, grain):
    """Each bucket of a series (read from day, week and month slices) equals a raw GROUP BY."""
    start, end = dt.date(2026, 2, 11), dt.date(2026, 4, 17)
    for metric in ("revenue", "deals_won", "activities", "new_customers"):
        queryset, fields, aggregate = RAW[metric]
        for scope in _scopes(data.world):
            series = dict(
                metric_series(metric=metric, scope=scope, start=start, end=end, grain=grain)
            )
            qs = queryset().filter(**{f"{fields['day']}__gte": start, f"{fields['day']}__lte": end})
            if scope.person_id:
                qs = qs.filter(**{fields["owner"]: scope.person_id})
            if scope.unit_path:
                qs = qs.filter(**{f"{fields['unit_path']}__startswith": scope.unit_path})
            raw: dict[dt.date, Decimal] = {}
            for row in qs.order_by().values(fields["day"]).annotate(v=aggregate()):
                day = row[fields["day"]]
                bucket = bucket_starts(day, day, grain)[0]
                raw[bucket] = raw.get(bucket, Decimal(0)) + _money(row["v"])
            assert {b: _money(v) for b, v in series.items() if v} == {
                b: v for b, v in raw.items() if v
            }, (metric, scope, grain)


def _raw_funnel(scope: Scope, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The funnel straight from deals and stage changes (the definition, not the rollups)."""
    deals = Deal.objects.all()
    if scope.person_id:
        deals = deals.filter(owner_id=scope.person_id)
    if scope.unit_path:
        deals = deals.filter(unit_path__startswith=scope.unit_path)
    closed = [d for d in deals if d.closed_on and start <= d.closed_on <= end]
    won = [d for d in closed if d.status == "won"]
    open_ = [d for d in deals if d.status == "open" and start <= d.expected_close_on <= end]
    stages = {s.pk: s for s in Stage.objects.all()}
    entered: dict[str, int] = {}
    advanced: dict[str, int] = {}
    for deal in deals:
        changes = sorted(deal.stage_changes.all(), key=lambda c: (c.changed_at, c.pk))
        seen: set[int] = set()
        for i, change in enumerate(changes):
            if change.to_stage_id in seen:
                continue
            seen.add(change.to_stage_id)
            if not start <= timezone.localdate(change.changed_at) <= end:
                continue
            stage = stages[change.to_stage_id]
            code = stage.code
            entered[code] = entered.get(code, 0) + 1
            if any(
                (later.changed_at > change.changed_at)
                and (
                    stages[later.to_stage_id].is_won
                    or (
                        not stages[later.to_stage_id].is_lost
                        and stages[later.to_stage_id].position > stage.position
                    )
                )
                for later in changes[i + 1 :]
            ):
                advanced[code] = advanced.get(code, 0) + 1
    return {
        "won": len(won),
        "lost": len(closed) - len(won),
        "won_value": sum((d.amount_reporting for d in won), Decimal(0)),
        "cycle": sum((d.closed_on - d.created_on).days for d in won),
        "open": len(open_),
        "open_value": sum((d.amount_reporting for d in open_), Decimal(0)),
        "weighted": sum((d.amount_reporting * d.probability for d in open_), Decimal(0)) / 100,
        "entered": entered,
        "advanced": advanced,
    }


def test_funnel_from_the_rollups_equals_the_raw_deals(data):
    checked = 0
    for scope in _scopes(data.world):
        for start, end in PERIODS:
            raw = _raw_funnel(scope, start, end)
            got = funnel_summary(scope=scope, start=start, end=end)
            assert (got.won, got.lost, got.open) == (raw["won"], raw["lost"], raw["open"])
            assert got.won_value == raw["won_value"]
            assert got.open_pipeline == raw["open_value"]
            assert got.weighted_pipeline == raw["weighted"].quantize(Decimal("0.01"))
            if raw["won"]:
                assert got.average_cycle_days == (Decimal(raw["cycle"]) / raw["won"]).quantize(
                    Decimal("0.01")
                )
            for stage in got.stages:
                assert stage.entered == raw["entered"].get(stage.code, 0), (scope, stage)
                assert stage.advanced == raw["advanced"].get(stage.code, 0), (scope, stage)
                checked += stage.entered
    assert checked > 20


def test_split_period_uses_the_coarsest_whole_buckets():
    d = dt.date
    # Wed 11 Feb – Fri 17 Apr 2026: days to Sunday 15th, the week of Monday 16th, days to
    # Saturday 28th, March, days to Sunday 5 April, the week of Monday 6th, days to Friday 17th
    assert split_period(d(2026, 2, 11), d(2026, 4, 17), None) == {
        "m": [(d(2026, 3, 1), d(2026, 3, 1))],
        "w": [(d(2026, 2, 16), d(2026, 2, 16)), (d(2026, 4, 6), d(2026, 4, 6))],
        "d": [
            (d(2026, 2, 11), d(2026, 2, 15)),
            (d(2026, 2, 23), d(2026, 2, 28)),
            (d(2026, 4, 1), d(2026, 4, 5)),
            (d(2026, 4, 13), d(2026, 4, 17)),
        ],
    }
    assert split_period(d(2026, 1, 1), d(2026, 12, 31), "month") == {
        "m": [(d(2026, 1, 1), d(2026, 12, 1))],
        "w": [],
        "d": [],
    }
    # a weekly series never reads months; a daily one only days
    assert split_period(d(2026, 3, 1), d(2026, 3, 31), "week")["m"] == []
    assert split_period(d(2026, 3, 2), d(2026, 3, 8), "day") == {
        "m": [],
        "w": [],
        "d": [(d(2026, 3, 2), d(2026, 3, 8))],
    }


def test_router_reads_the_smallest_slice_that_keeps_what_is_asked(data):
    sales = metric_compute("revenue").main  # type: ignore[attr-defined]
    need = sales.needed
    assert sales.level(need(scope=Scope(), filters=Filters(), by=None)) == "t"
    assert sales.level(need(scope=Scope(), filters=Filters(segment="smb"), by=None)) == "c"
    team = Scope(unit_path=data.world.team_a1.path)
    assert sales.level(need(scope=team, filters=Filters(), by="team")) == "t"
    assert sales.level(need(scope=team, filters=Filters(), by="seller")) == "p"
    assert sales.level(need(scope=team, filters=Filters(), by="product_line")) == "l"
    assert sales.level(need(scope=team, filters=Filters(), by="territory")) == "u"
    rep = Scope(person_id=data.world.rep.pk)
    assert sales.level(need(scope=rep, filters=Filters(), by=None)) == "p"
    assert sales.level(need(scope=rep, filters=Filters(), by="territory")) == "s"


def test_data_set_is_not_trivial(data):
    """The proof above runs over real variety: both teams, a mover, cancelled and returns."""
    assert SalesDay.objects.values("unit_path").distinct().count() == 3
    assert SalesDay.objects.filter(owner=data.world.rep).values("unit_path").distinct().count() == 2
    assert ReturnDay.objects.get().refunds == Decimal("50.00")
    assert DealDay.objects.filter(deals_lost=1).count() == 1
    assert ActivityDay.objects.filter(day=dt.date(2026, 3, 11)).count() == 1


def test_sales_day_rows_hold_the_hand_computed_sums(data):
    w = data.world
    row = SalesDay.objects.get(day=dt.date(2026, 3, 20), owner=w.rep)
    assert (row.revenue, row.cost, row.units, row.lines) == (
        Decimal("394.56"),
        Decimal("100.00"),
        Decimal("1.000"),
        1,
    )
    assert row.unit_path == w.team_a2.path and row.territory_id == data.north.pk
    assert not SalesDay.objects.filter(day=dt.date(2026, 3, 12)).exists()  # cancelled


def test_rebuild_from_scratch_gives_the_same_tables(data):
    kept = snapshot()
    for model in (SalesDay, ReturnDay, DealDay, ActivityDay):
        model.objects.all().delete()
    counts = rollups_rebuild()
    assert snapshot() == kept
    assert counts["salesday"] == SalesDay.objects.count() == 7


def test_rebuild_of_a_range_leaves_other_days_alone(data):
    SalesDay.objects.filter(day=dt.date(2026, 2, 10)).update(revenue=Decimal("1"))
    SalesDay.objects.filter(day=dt.date(2026, 3, 10)).update(revenue=Decimal("1"))
    rollups_rebuild(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert SalesDay.objects.get(day=dt.date(2026, 2, 10)).revenue == Decimal("1.00")
    assert SalesDay.objects.filter(day=dt.date(2026, 3, 10)).aggregate(v=Sum("revenue"))[
        "v"
    ] == Decimal("840.00")


def test_rebuild_command(data, capsys):
    SalesDay.objects.all().delete()
    call_command("rebuild_rollups", "--start", "2026-03-01", "--end", "2026-03-31")
    assert "Rebuilt rollups" in capsys.readouterr().out
    assert SalesDay.objects.count() == 5  # February and April stay empty
    call_command("rebuild_rollups")
    assert SalesDay.objects.count() == 7


def test_rebuild_rejects_a_backwards_range(data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        rollups_rebuild(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))
    assert "end" in exc.value.message_dict


def test_rebuild_task_runs_the_rebuild(data):
    from attain.analytics.tasks import rollups_rebuild_task

    SalesDay.objects.all().delete()
    result = rollups_rebuild_task.call("2026-01-01", "2026-12-31")
    assert result["salesday"] == 7 == SalesDay.objects.count()


# --- incremental upkeep: after every service call the tables equal a fresh rebuild ------------


def test_suspended_hooks_leave_tables_stale_so_the_check_bites(world):
    d = make_base(world)
    with facts_suspended():
        orders.order_create(
            account=d.acc1,
            owner=world.rep,
            currency="EUR",
            ordered_on=dt.date(2026, 3, 10),
            lines=[line(d.p1, "1", "10.00")],
        )
    assert not SalesDay.objects.exists()
    with pytest.raises(AssertionError):
        assert_rollups_fresh()


def test_every_order_service_keeps_the_rollups_current(world):
    d = make_base(world)
    w = world
    order = orders.order_create(
        account=d.acc1,
        owner=w.rep,
        currency="USD",
        ordered_on=dt.date(2026, 3, 10),
        lines=[line(d.p1, "2", "100.00")],
    )
    assert SalesDay.objects.get().revenue == Decimal("100.00")
    assert_rollups_fresh()
    added = orders.order_line_add(order=order, line=line(d.p2, "3", "10.00"))
    assert_rollups_fresh()
    orders.order_line_remove(line=added)
    assert_rollups_fresh()
    orders.order_advance(order=order, to_status="delivered", on=dt.date(2026, 3, 12))
    assert_rollups_fresh()
    orders.order_return_record(
        line=order.lines.get(),
        quantity=Decimal("1"),
        returned_on=dt.date(2026, 3, 20),
        reason="defective",
        by=w.rep,
    )
    assert ReturnDay.objects.get().refunds == Decimal("50.00")
    assert_rollups_fresh()
    other = orders.order_create(
        account=d.acc2,
        owner=w.rep2,
        currency="EUR",
        ordered_on=dt.date(2026, 3, 10),
        lines=[line(d.p1, "1", "5.00")],
    )
    assert_rollups_fresh()
    orders.order_cancel(order=other, on=dt.date(2026, 3, 11), reason="No budget", by=w.rep2)
    assert not SalesDay.objects.filter(owner=w.rep2).exists()
    assert_rollups_fresh()


def test_every_deal_service_keeps_the_rollups_current(world):
    d = make_base(world)
    w = world
    proposal = Stage.objects.get(code="proposal")
    deal = pipeline.deal_create(
        name="Big",
        account=d.acc1,
        owner=w.rep,
        amount=Decimal("1000.00"),
        currency="EUR",
        created_on=dt.date(2026, 3, 1),
        expected_close_on=dt.date(2026, 4, 1),
    )
    assert_rollups_fresh()
    pipeline.deal_move_stage(deal=deal, stage=proposal, at=at(dt.date(2026, 3, 2), 9))
    assert_rollups_fresh()
    pipeline.deal_close_won(deal=deal, closed_on=dt.date(2026, 3, 5))
    assert DealDay.objects.get(day=dt.date(2026, 3, 5)).won_value == Decimal("1000.00")
    assert_rollups_fresh()
    pipeline.deal_reopen(deal=deal, stage=proposal, at=at(dt.date(2026, 3, 6), 9))
    assert not DealDay.objects.filter(day=dt.date(2026, 3, 5)).exists()
    assert_rollups_fresh()
    pipeline.deal_close_lost(
        deal=deal,
        reason=LostReason.objects.get(code="price"),
        closed_on=dt.date(2026, 3, 9),
    )
    assert_rollups_fresh()
    pipeline.deal_reopen(deal=deal, stage=proposal, at=at(dt.date(2026, 3, 10), 9))
    pipeline.deal_update(deal=deal, owner=w.rep2, amount=Decimal("700.00"))
    assert set(DealDay.objects.values_list("owner_id", flat=True)) == {w.rep2.pk}
    open_row = DealDay.objects.get(day=dt.date(2026, 4, 1))  # open, expected to close then
    assert (open_row.deals_open, open_row.open_value) == (1, Decimal("700.00"))
    assert open_row.open_weighted == Decimal("700.00") * proposal.probability
    assert_rollups_fresh()
    pipeline.activity_log(
        owner=w.rep2,
        kind="call",
        occurred_at=at(dt.date(2026, 3, 11), 9),
        minutes=10,
        outcome="completed",
        subject="About the deal",
        deal=deal,
    )
    pipeline.deal_delete(deal=deal)
    assert not DealDay.objects.exists() and not ActivityDay.objects.exists()
    assert_rollups_fresh()


def test_every_activity_service_keeps_the_rollups_current(world):
    make_base(world)
    w = world
    activity = pipeline.activity_log(
        owner=w.rep,
        kind="call",
        occurred_at=at(dt.date(2026, 3, 10), 9),
        minutes=30,
        outcome="completed",
        subject="Intro",
    )
    assert_rollups_fresh()
    pipeline.activity_update(activity=activity, occurred_at=at(dt.date(2026, 3, 12), 9))
    assert list(ActivityDay.objects.values_list("day", flat=True)) == [dt.date(2026, 3, 12)]
    assert_rollups_fresh()
    pipeline.activity_update(activity=activity, owner=w.rep_b, kind="demo", minutes=45)
    row = ActivityDay.objects.get()
    assert (row.owner_id, row.kind, row.minutes, row.unit_path) == (
        w.rep_b.pk,
        "demo",
        45,
        w.team_b1.path,
    )
    assert_rollups_fresh()
    pipeline.activity_delete(activity=activity)
    assert not ActivityDay.objects.exists()
    assert_rollups_fresh()


def test_deleting_a_lead_drops_its_activities_from_the_rollups(world):
    make_base(world)
    lead = pipeline.lead_create(
        owner=world.rep,
        company="Prospect",
        source="website",
        channel="inbound",
        received_on=dt.date(2026, 3, 1),
    )
    pipeline.activity_log(
        owner=world.rep,
        kind="email",
        occurred_at=at(dt.date(2026, 3, 2), 9),
        minutes=5,
        outcome="completed",
        subject="Hello",
        lead=lead,
    )
    assert ActivityDay.objects.count() == 1
    pipeline.lead_delete(lead=lead)
    assert not ActivityDay.objects.exists()
    assert_rollups_fresh()


def test_a_failed_service_call_changes_no_rollup(data):
    from django.core.exceptions import ValidationError

    before = snapshot()
    with pytest.raises(ValidationError):
        orders.order_cancel(
            order=data.orders["o4"], on=dt.date(2026, 3, 28), reason="x", by=data.world.rep2
        )
    with pytest.raises(ValidationError):
        pipeline.deal_update(deal=data.deals["d1"], amount=Decimal("5.00"))
    assert snapshot() == before
    assert_rollups_fresh()


def test_whole_data_set_is_fresh(data):
    assert_rollups_fresh()


def test_rollup_upkeep_costs_a_few_set_based_queries_per_write(
    world, django_assert_max_num_queries
):
    """An order write adds a fixed handful of queries, whatever the number of lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = make_base(world)
    lines = [line(d.p1, "1", "10.00") for _ in range(5)] + [line(d.p2, "2", "5.00")]

    def create() -> int:
        with CaptureQueriesContext(connection) as ctx:
            orders.order_create(
                account=d.acc1,
                owner=world.rep,
                currency="EUR",
                ordered_on=dt.date(2026, 3, 10),
                lines=lines,
            )
        return len(ctx.captured_queries)

    with facts_suspended():
        without = create()
    with_hooks = create()
    # keys: sales, returns, first orders (2 + 1 per customer); then for each of SalesDay and
    # FirstOrderDay: seller lock, rows before, delete, INSERT … SELECT, rows after, cube upsert
    # (a delete follows only when a cube row empties); the order is in settled history (before
    # this week), so one UPDATE renews the history stamps of the two rollups it changed; then the
    # goals' handler (goals reached): the order's owner, day and stamped path, and the candidate
    # goals (none here, so nothing more)
    assert with_hooks - without == 5 + 2 * 6 + 1 + 2
    assert SalesDay.objects.get(product_line=d.l1).revenue == Decimal("100.00")


def test_changing_an_accounts_segment_moves_its_rollup_rows(data):
    from attain.customers.services import account_update

    before = SalesDay.objects.filter(segment="enterprise").count()
    account_update(account=data.acc1, segment="enterprise")
    assert_rollups_fresh()
    assert SalesDay.objects.filter(segment="enterprise").count() > before


def test_migrate_rebuilds_rollups_built_by_an_older_definition(data):
    from attain.analytics.models import RollupState
    from attain.analytics.rollups import ROLLUP_VERSION, ensure_current

    kept = snapshot()
    SalesCube.objects.all().delete()  # e.g. a table added by a new version starts empty
    RollupState.objects.update(version=ROLLUP_VERSION - 1)
    assert ensure_current() is True
    assert snapshot() == kept
    assert RollupState.objects.get().version == ROLLUP_VERSION
    assert ensure_current() is False  # current: nothing to do
