"""`manage.py seed_demo --seed N --scale small|medium|large [--if-empty] [--end-date YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from attain.analytics.services import rollups_rebuild
from attain.core.facts import facts_suspended
from attain.demo.data import DEMO_PASSWORD, SCALES
from attain.demo.generator import generate
from attain.organization.models import Person


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end-date must be YYYY-MM-DD, got {value!r}.") from exc


def _analyze() -> None:
    """Refresh PostgreSQL's planner statistics and visibility map after a bulk load (autovacuum
    lags behind): VACUUM (ANALYZE) lets the covering indexes answer alone (index-only scans);
    inside a transaction (tests), where VACUUM cannot run, ANALYZE alone."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


class Command(BaseCommand):
    help = "Fill the database with a demo company, 24 months of sales history and goals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument("--scale", choices=[s for s in SCALES if s != "tiny"], default="small")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when people already exist"
        )
        parser.add_argument("--end-date", type=_date, default=None, help="last day of history")
        # hidden knobs for tests and for trying the bulk path on a small sample:
        # --limit-deals N stops after N deals, --bulk uses the bulk path at any scale,
        # --tiny is the scale the tests use
        parser.add_argument("--limit-deals", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--bulk", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("The database already has people; demo data not seeded.")
            return
        if Person.objects.exists():
            raise CommandError(
                "The database already has data; seed_demo needs an empty database "
                "(use --if-empty to skip quietly)."
            )
        scale = "tiny" if options["tiny"] else options["scale"]
        began = time.monotonic()
        with facts_suspended():  # the bulk writer bypasses the services: rebuild once below
            result = generate(
                seed=options["seed"],
                scale=scale,
                end_date=options["end_date"],
                progress=options["verbosity"] > 0,
                limit_deals=options["limit_deals"],
                bulk=True if options["bulk"] else None,
                log=lambda msg: self.stderr.write(msg) if options["verbosity"] > 0 else None,
            )
        _analyze()  # fresh statistics, or the planner misjudges the bulk-loaded tables
        rollups_rebuild()
        _analyze()
        counts = ", ".join(f"{n} {name}" for name, n in sorted(result.counts.items()))
        self.stdout.write(f"Seeded {scale} demo in {time.monotonic() - began:.1f} s: {counts}.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD})")
        width = max(len(login) for login, _, _ in result.logins)
        name_width = max(len(name) for _, name, _ in result.logins)
        self.stdout.write(f"  {'login':<{width}}  {'name':<{name_width}}  role")
        for login, name, role in result.logins:
            self.stdout.write(f"  {login:<{width}}  {name:<{name_width}}  {role}")
