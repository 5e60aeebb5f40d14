"""`run_bench --only import`: importing a large order file, against a plain COPY of the same file.

A CSV of N order lines (default 1,000,000; about 4.5 lines an order) is written from the
database's own sellers, accounts and products, then:

- `copy_seconds`: PostgreSQL's `COPY … FROM STDIN (FORMAT csv)` of the file into a table of
  text columns — the floor: reading the bytes, no checks, no meaning;
- `import_seconds`: `import_data orders` on the same file (services.import_file): reading and
  checking every cell, resolving accounts, owners and products, pricing every line and stamping
  every order exactly as `order_create` does (`orders_create_bulk`), writing with COPY, and
  recomputing the rollups of the days written (`rollups_seconds` of it) and checking the goals
  the orders may have reached (`goals_seconds`);
- `ratio` = import ÷ copy.

Everything runs in a transaction that is rolled back: the database is left as it was.
PostgreSQL only (the baseline is COPY).
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from attain.analytics import rollups
from attain.catalog.models import ProductPrice
from attain.core import facts
from attain.core.periods import today, valid_on_q
from attain.customers.models import Account
from attain.imports.services import import_file
from attain.orders.models import Order, OrderLine
from attain.organization.models import SELLING_ROLES, Membership

COLUMNS = [
    "external_id",
    "account",
    "owner",
    "ordered_on",
    "currency",
    "product",
    "quantity",
    "unit_price",
    "discount_pct",
]


class _Rollback(Exception):
    pass


def write_file(path: Path, lines: int, *, seed: int = 7) -> dict[str, int]:
    """A file of `lines` order lines over the last year (sellers placed that year, accounts with
    an external id, products priced in the reporting currency on the order's day)."""
    rng = random.Random(seed)
    day = today()
    sellers = sorted(
        set(
            Membership.objects.filter(valid_on_q(day), role__in=sorted(SELLING_ROLES))
            .exclude(person__email="")
            .values_list("person__email", flat=True)
        )
    )
    accounts = list(
        Account.objects.exclude(external_ref="")
        .order_by("pk")
        .values_list("external_ref", flat=True)[:20000]
    )
    currency = settings.REPORTING_CURRENCY
    first_priced: dict[str, Any] = {}
    for sku, valid_from in ProductPrice.objects.filter(currency=currency).values_list(
        "product__sku", "valid_from"
    ):
        first_priced[sku] = min(valid_from, first_priced.get(sku, valid_from))
    products = sorted(first_priced)
    if not (sellers and accounts and products):
        raise ValueError("the database needs sellers, accounts with external ids and products")
    written = orders = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        while written < lines:
            orders += 1
            ref = f"BENCH-{orders:07d}"
            account, owner = rng.choice(accounts), rng.choice(sellers)
            since = max(day - timedelta(days=365), min(first_priced.values()))
            taken = max(since, day - timedelta(days=rng.randint(8, 365)))
            priced = [sku for sku in products if first_priced[sku] <= taken]
            ordered_on = taken.isoformat()
            for _ in range(min(rng.randint(1, 8), lines - written)):
                price = Decimal(rng.randint(500, 500000)) / 100
                out.writerow(
                    [
                        ref,
                        account,
                        owner,
                        ordered_on,
                        currency,
                        rng.choice(priced),
                        rng.randint(1, 20),
                        price,
                        rng.choice((0, 0, 0, 5, 10)),
                    ]
                )
                written += 1
    return {"lines": written, "orders": orders, "bytes": path.stat().st_size}


def copy_seconds(path: Path) -> float:
    columns = ", ".join(f"{c} text" for c in COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns}) ON COMMIT DROP")
        began = time.perf_counter()
        raw: Any = cursor.cursor
        with (
            raw.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        took = time.perf_counter() - began
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] > 0
    return took


def bench_import(*, lines: int, user: str = "admin") -> dict[str, Any]:
    if connection.vendor != "postgresql":
        return {"skipped": "the baseline is PostgreSQL's COPY: run on PostgreSQL"}
    admin = get_user_model().objects.get(username=user)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        began = time.perf_counter()
        shape = write_file(path, lines)
        file_seconds = time.perf_counter() - began
        copy = copy_seconds(path)
        spent = {"rollups": 0.0, "goals": 0.0}
        handlers = list(facts._range_handlers["order"])

        def timed(handler: Any) -> Any:
            part = "rollups" if handler is rollups.orders_written_between else "goals"

            def run(start: Any, end: Any, *, stamps: Any) -> None:
                t = time.perf_counter()
                handler(start, end, stamps=stamps)
                spent[part] += time.perf_counter() - t

            return run

        facts._range_handlers["order"] = [timed(h) for h in handlers]
        before = (Order.objects.count(), OrderLine.objects.count())
        result: dict[str, Any] = {}
        try:
            with transaction.atomic():
                began = time.perf_counter()
                job = import_file(path=path, entity="orders", user=admin)
                took = time.perf_counter() - began
                result = {
                    "status": job.status,
                    "created": job.created_count,
                    "problems": job.error_count,
                    "first_problems": job.errors[:3],
                    "lines_written": OrderLine.objects.count() - before[1],
                }
                stored = Path(job.file.path)
                raise _Rollback
        except _Rollback:
            stored.unlink(missing_ok=True)
        finally:
            facts._range_handlers["order"] = handlers
        assert (Order.objects.count(), OrderLine.objects.count()) == before
    return {
        **shape,
        "file_seconds": round(file_seconds, 2),
        "copy_seconds": round(copy, 2),
        "import_seconds": round(took, 2),
        "rollups_seconds": round(spent["rollups"], 2),
        "goals_seconds": round(spent["goals"], 2),
        "ratio": round(took / copy, 2) if copy else None,
        "ratio_without_rollups": round((took - spent["rollups"]) / copy, 2) if copy else None,
        **result,
        "rolled_back": True,
    }
