"""Time the main pages and API list endpoints; print the figures as JSON.

Benchmarks never gate the test suite: this prints numbers, it does not pass or fail on them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

URLS = [
    "/",
    "/pipeline/deals/",
    "/pipeline/deals/?status=open&sort=-amount_reporting",
    "/orders/",
    "/customers/accounts/",
    "/organization/people/",
    "/api/v1/pipeline/deals?limit=50",
    "/api/v1/orders/orders?limit=50",
    "/api/v1/customers/accounts?limit=50",
]


class Command(BaseCommand):
    help = "Time the main pages and API endpoints (p50/p95 server time) and print JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--user", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", "--if-empty", "--seed", "1", "--scale", "small")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}; run seed_demo first.")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        figures: dict[str, dict[str, float | int]] = {}
        for url in URLS:
            timings = []
            status = 0
            for _ in range(options["repeat"]):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                status = response.status_code
            timings.sort()
            figures[url] = {
                "status": status,
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
            }
        report = {
            "date": timezone.now().isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "database": connection.vendor,
            "reporting_currency": settings.REPORTING_CURRENCY,
            "repeat": options["repeat"],
            "figures": figures,
        }
        self.stdout.write(json.dumps(report, indent=2))
