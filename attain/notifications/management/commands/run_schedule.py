"""`manage.py run_schedule`: hand the reminders and the weekly digest to the task worker on time
(`attain.notifications.schedule`); started by `run_attain`, so `make run` needs no cron."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from attain.notifications.schedule import Done, Schedule, tick


class Command(BaseCommand):
    help = "Enqueue the daily reminders and the weekly digest at their times, until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=30.0, help="seconds between looks at the clock"
        )
        parser.add_argument("--once", action="store_true", help="look once, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = Schedule.from_settings()
        done = Done()
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = timezone.localtime()
            for what in tick(schedule, now=now, done=done):
                self.stdout.write(f"{now:%Y-%m-%d %H:%M}: {what} of {now.date()} enqueued.")
            if options["once"]:
                return
            time.sleep(options["every"])
