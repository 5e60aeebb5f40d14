"""Time the list pages, the dashboards and the performance API; compare raw order lines with the
rollup; time an order until it shows on the dashboard; import a large order file against a plain
COPY of it. Prints one JSON document.

`manage.py run_bench [--repeat N] [--user admin] [--only pages|dashboards|rollup|latency|import|pay]
[--import-lines N] [--pay-lines N] [--pay-payees N]`
works on whatever database DATABASE_URL points at (migrating it and seeding the `small` demo
data only when it is empty). Benchmarks never gate the test suite: this prints numbers, it does
not pass or fail on them. Helpers: attain/web/bench.py.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from attain.core.periods import today
from attain.web import bench
from attain.web.bench_import import bench_import
from attain.web.bench_pay import bench_pay

SECTIONS = ("pages", "dashboards", "rollup", "latency", "import", "pay")


def _needs_migrate() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Benchmarks (p50/p95 server time of pages, dashboards and the performance API; raw "
        "order lines vs the rollup; order-to-dashboard latency) printed as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per figure")
        parser.add_argument("--user", default="admin", help="the login the pages are timed as")
        parser.add_argument(
            "--only",
            action="append",
            choices=SECTIONS,
            help="run only this section (repeatable; default: all)",
        )
        parser.add_argument(
            "--pay-lines",
            type=int,
            default=1_000_000,
            help="order lines the payout-run benchmark credits (section pay)",
        )
        parser.add_argument(
            "--pay-payees",
            type=int,
            default=2000,
            help="sales reps the payout-run benchmark pays (section pay)",
        )
        parser.add_argument(
            "--import-lines",
            type=int,
            default=1_000_000,
            help="order lines in the file of the import section (PostgreSQL only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = max(1, options["repeat"])
        sections = options["only"] or list(SECTIONS)
        began = time.perf_counter()
        if _needs_migrate():
            call_command("migrate", verbosity=0, interactive=False)
        call_command(
            "seed_demo", "--if-empty", "--seed", "1", "--scale", "small", stdout=self.stderr
        )
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}; run seed_demo first.")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        subjects = bench.find_subjects(today())

        report: dict[str, Any] = {
            "date": timezone.now().isoformat(timespec="seconds"),
            "today": today().isoformat(),
            "machine": bench.machine(),
            "database": bench.database(),
            "reporting_currency": settings.REPORTING_CURRENCY,
            "debug": settings.DEBUG,
            "user": options["user"],
            "repeat": repeat,
            "sections": sections,
            "subjects": subjects.as_json() if subjects else None,
        }
        if "pages" in sections:
            report["pages"] = {url: bench.time_get(client, url, repeat) for url in bench.PAGE_URLS}
        if subjects is None:
            report["error"] = "no division, team or seller found; dashboards etc. not timed"
        else:
            if "dashboards" in sections:
                report.update(bench.bench_dashboards(client, subjects, repeat))
            if "rollup" in sections:
                report["rollup_vs_raw"] = bench.bench_rollup(subjects, repeat)
            if "latency" in sections:
                report["order_to_dashboard"] = bench.bench_latency(client, subjects.seller, repeat)
        if "import" in sections:
            report["import"] = bench_import(lines=options["import_lines"], user=options["user"])
        if "pay" in sections:
            report["pay"] = bench_pay(
                lines=options["pay_lines"], payees=options["pay_payees"], user=options["user"]
            )
        report["summary"] = bench.summary(report)
        report["seconds"] = round(time.perf_counter() - began, 1)
        self.stdout.write(json.dumps(report, indent=2))
