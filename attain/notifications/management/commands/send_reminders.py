"""`manage.py send_reminders [--date YYYY-MM-DD] [--dry-run | --now]`: the daily reminders."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from attain.notifications.management.commands._sending import add_sending_arguments, run_sending
from attain.notifications.services import reminders_send
from attain.notifications.tasks import reminders_send_task


class Command(BaseCommand):
    help = (
        "Send everyone who has not turned them off one mail listing what needs them: goals to "
        "acknowledge, open deals past their expected close date, orders with a promised step "
        "date passed, and for leaders the same counts for their units. Nothing due, no mail. "
        "Enqueues the task for the worker (--now sends from here). Run it from cron every "
        "morning, e.g. `0 7 * * * cd /srv/attain && .venv/bin/python manage.py send_reminders`. "
        "Once a day per person: running it again the same day sends nothing twice."
    )

    def add_arguments(self, parser: Any) -> None:
        add_sending_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_sending(self, options, what="reminders", send=reminders_send, task=reminders_send_task)
