"""`manage.py send_digests [--date YYYY-MM-DD] [--dry-run | --now]`: the weekly digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from attain.notifications.management.commands._sending import add_sending_arguments, run_sending
from attain.notifications.services import digests_send
from attain.notifications.tasks import digests_send_task


class Command(BaseCommand):
    help = (
        "Send every leader (sales manager, assistant sales manager, team leader) who has not "
        "turned it off the weekly digest of their units: last week's and this month's revenue "
        "against the goal, the sellers ranked by attainment, the early warnings. Enqueues the "
        "task for the worker (--now sends from here). Run it from cron every Monday morning, "
        "e.g. `0 7 * * 1 cd /srv/attain && .venv/bin/python manage.py send_digests`. Running it "
        "again in the same week sends nothing twice; failed mails are tried again."
    )

    def add_arguments(self, parser: Any) -> None:
        add_sending_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_sending(self, options, what="digests", send=digests_send, task=digests_send_task)
