"""`run_bench --only pay`: a payout run over a year of order lines for thousands of payees,
against one SQL aggregate over the same credited lines.

Inside a transaction that is rolled back (the database is left as it was):

1. sellers are added to the demo's teams until `payees` sales reps are placed today, and a
   generated order file of `lines` lines over the last year (bench_import.write_file) is
   imported through the bulk order path (rollups suspended: the run reads order lines);
2. the demo's assignments are removed and one plan is assigned to the sales-rep role: 3 %
   commission on revenue with a per-deal credit cap, and 1 % more on the first product line;
3. timed: `calculation.period_calculate` over the year (`calculate_seconds`: reading the lines,
   splits, goals and earlier runs and figuring every line and credit), `run_calculate`
   (`run_seconds`: the same plus storing lines and credits in one transaction), and the floor,
   one `GROUP BY` of the same order lines by owner (`aggregate_seconds`);
4. one order is changed (cancelled) and the stored run brought up to date with `run_refresh`
   (`recalculate_seconds`: only the people that order touches are figured again and stored, the
   run's total and fingerprint figured from its stored lines); `recalculation_matches_full`
   checks the refreshed run against a full calculation of the changed data.

`ratio` = calculate ÷ aggregate (aim ≤ 5); `recalculate_share` = recalculate ÷ run (aim ≤ 1 %):
both a full run and the refresh read, figure and store.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum

from attain.catalog.models import ProductLine
from attain.core.facts import facts_suspended
from attain.core.periods import today, valid_on_q
from attain.imports.services import import_file
from attain.incentives.calculation import period_calculate
from attain.incentives.models import Assignment, PayoutLine, PayoutRun
from attain.incentives.services import (
    assignment_create,
    component_save,
    plan_create,
    run_calculate,
    run_refresh,
    version_create,
    version_publish,
)
from attain.orders.models import OrderLine, OrderStatus
from attain.orders.services import order_cancel
from attain.organization.models import Membership, OrgUnit, Person, Role, UnitKind
from attain.organization.services import membership_start, person_create
from attain.web.bench_import import write_file


class _Rollback(Exception):
    pass


def _add_sellers(payees: int, on: dt.date) -> int:
    placed = Membership.objects.filter(valid_on_q(on), role=Role.SALES_REP).count()
    teams = list(OrgUnit.objects.filter(kind=UnitKind.TEAM).order_by("path"))
    added = 0
    for i in range(max(0, payees - placed)):
        person = person_create(
            first_name="Bench",
            last_name=f"Seller {i + 1:05d}",
            email=f"bench.seller.{i + 1:05d}@example.com",
            started_on=on - dt.timedelta(days=400),
        )
        membership_start(
            person=person,
            unit=teams[i % len(teams)],
            role=Role.SALES_REP,
            valid_from=on - dt.timedelta(days=400),
        )
        added += 1
    return added


def _plan(admin: Person, start: dt.date) -> None:
    Assignment.objects.all().delete()
    plan = plan_create(name="Benchmark commission")
    version = version_create(plan=plan, effective_from=start)
    component_save(
        version=version,
        name="Commission",
        kind="flat",
        basis="revenue",
        rate=Decimal("0.03"),
        deal_cap=Decimal("50000.00"),
    )
    first_line = ProductLine.objects.order_by("pk").first()
    if first_line is not None:
        component_save(
            version=version,
            name="First line",
            kind="flat",
            basis="revenue",
            product_line=first_line,
            rate=Decimal("0.01"),
        )
    version_publish(version=version, by=admin)
    assignment_create(plan=plan, role=Role.SALES_REP, start=start)


def bench_pay(*, lines: int, payees: int, user: str = "admin") -> dict[str, Any]:
    user_obj = get_user_model().objects.get(username=user)
    admin = Person.objects.get(user=user_obj)
    end = today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=364)
    result: dict[str, Any] = {}
    before = (OrderLine.objects.count(), PayoutLine.objects.count())
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
            began = time.perf_counter()
            added = _add_sellers(payees, today())
            path = Path(tmp) / "orders.csv"
            shape = write_file(path, lines)
            with facts_suspended():
                job = import_file(path=path, entity="orders", user=user_obj)
            Path(job.file.path).unlink(missing_ok=True)
            _plan(admin, start)
            setup = time.perf_counter() - began

            credited = OrderLine.objects.filter(
                order__ordered_on__gte=start, order__ordered_on__lte=end
            )
            began = time.perf_counter()
            floor = list(
                credited.values("order__owner_id")
                .annotate(revenue=Sum("net_amount_reporting"), units=Sum("quantity"))
                .order_by()
            )
            aggregate = time.perf_counter() - began

            began = time.perf_counter()
            figured = period_calculate(start, end)
            calculate = time.perf_counter() - began

            run = PayoutRun.objects.create(period_start=start, period_end=end, requested_by=admin)
            began = time.perf_counter()
            run = run_calculate(run=run)
            stored = time.perf_counter() - began

            line = (
                credited.filter(order__status=OrderStatus.TAKEN)
                .order_by("pk")
                .select_related("order")
                .first()
            )
            assert line is not None
            order_cancel(order=line.order, on=end, reason="benchmark", by=admin)
            began = time.perf_counter()
            refreshed = run_refresh(run=run, order_ids=[line.order_id])
            recalculate = time.perf_counter() - began
            again = period_calculate(start, end)

            result = {
                **shape,
                "sellers_added": added,
                "payees": run.payees,
                "reps_in_period": Membership.objects.filter(
                    role=Role.SALES_REP, valid_from__lte=end
                )
                .exclude(valid_to__lte=start)
                .values("person_id")
                .distinct()
                .count(),
                "owners_in_aggregate": len(floor),
                "credited_lines": credited.count(),
                "payout_lines": PayoutLine.objects.filter(run=run).count(),
                "total": str(run.total),
                "setup_seconds": round(setup, 2),
                "aggregate_seconds": round(aggregate, 3),
                "calculate_seconds": round(calculate, 2),
                "run_seconds": round(stored, 2),
                "recalculate_seconds": round(recalculate, 2),
                "ratio": round(calculate / aggregate, 1) if aggregate else None,
                "recalculate_share": round(recalculate / stored, 4) if stored else None,
                "recalculation_changed_total": str(refreshed.total - run.total),
                "recalculation_matches_full": (refreshed.digest, refreshed.total)
                == (again.digest(), again.total),
                "calculate_matches_run": figured.digest() == run.digest,
            }
            raise _Rollback
    except _Rollback:
        pass
    assert (OrderLine.objects.count(), PayoutLine.objects.count()) == before
    return {**result, "rolled_back": True}
