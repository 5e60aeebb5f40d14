"""Start the web app and the task worker together; print the URL and the demo logins."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_LOGINS = [
    ("admin", "Sales operations / admin — sees everything"),
    ("manager", "Sales manager — a division"),
    ("assistant", "Assistant sales manager — the same division"),
    ("leader", "Team leader — a team"),
    ("rep", "Sales representative — own deals, orders, customers"),
    ("marketing", "Marketing"),
    ("fulfilment", "Production / fulfilment"),
    ("service", "Customer service"),
]


class Command(BaseCommand):
    help = "Run the Attain web app and task worker(s) until interrupted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=settings.TASK_WORKERS)
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="do not enqueue the reminders and digests (send them from cron instead)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        host, port = options["host"], options["port"]
        procs = [
            subprocess.Popen(  # noqa: S603
                [python, "manage.py", "runserver", f"{host}:{port}", "--noreload", "--skip-checks"]
            )
        ]
        for _ in range(max(1, options["workers"])):
            procs.append(subprocess.Popen([python, "manage.py", "db_worker", "--no-reload"]))  # noqa: S603
        if not options["no_schedule"]:
            procs.append(subprocess.Popen([python, "manage.py", "run_schedule"]))  # noqa: S603
        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Attain is running at {url}"))
        self.stdout.write("Demo logins (password: attain-demo):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {what}")
        self.stdout.write(f"API documentation: {url}api/v1/docs   Press Ctrl+C to stop.")

        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
