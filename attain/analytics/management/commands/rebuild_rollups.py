"""`manage.py rebuild_rollups [--start YYYY-MM-DD] [--end YYYY-MM-DD]`."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attain.analytics.services import rollups_rebuild


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Recompute the rollup tables from the raw rows for a date range (default: all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", type=str, default=None, help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", type=str, default=None, help="last day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        began = time.monotonic()
        try:
            counts = rollups_rebuild(start=start, end=end)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"Rebuilt rollups in {time.monotonic() - began:.1f} s: {summary}.")
