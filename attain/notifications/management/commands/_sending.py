"""What `send_digests` and `send_reminders` share: the options, and enqueue / send / dry run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.management.base import BaseCommand, CommandError

from attain.core.periods import today
from attain.notifications.mails import site_url
from attain.notifications.services import SendReport


def add_sending_arguments(parser: Any) -> None:
    parser.add_argument(
        "--date",
        default="",
        help="the day to send for, YYYY-MM-DD (default: today in ATTAIN_TIME_ZONE)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="build the mails and print them here; send and record nothing",
    )
    mode.add_argument(
        "--now",
        action="store_true",
        help="send from this process instead of enqueueing the task for the worker",
    )


def the_date(value: str) -> dt.date:
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date {value!r}: use YYYY-MM-DD") from exc


def run_sending(
    command: BaseCommand,
    options: dict[str, Any],
    *,
    what: str,
    send: Callable[..., SendReport],
    task: Any,
) -> None:
    on = the_date(options["date"])
    try:
        _run(command, options, on=on, what=what, send=send, task=task)
    except ImproperlyConfigured as exc:  # e.g. ATTAIN_SITE_URL missing in production
        raise CommandError(str(exc)) from exc


def _run(
    command: BaseCommand,
    options: dict[str, Any],
    *,
    on: dt.date,
    what: str,
    send: Callable[..., SendReport],
    task: Any,
) -> None:
    if options["dry_run"]:
        report = send(on=on, dry_run=True)
        if report.messages:
            ConsoleBackend(stream=command.stdout).send_messages(report.messages)
        command.stdout.write(
            f"Dry run for {on.isoformat()}: {len(report.messages)} {what} would be sent "
            f"({report.skipped} sent already, {report.empty} with nothing to send); nothing "
            "sent or recorded."
        )
        return
    if options["now"]:
        report = send(on=on)
        command.stdout.write(
            f"{what.capitalize()} for {on.isoformat()}: {report.sent} sent, "
            f"{report.failed} failed, {report.skipped} sent already, {report.empty} with "
            "nothing to send."
        )
        if report.failed:
            raise CommandError(f"{report.failed} {what} failed; see the Notifications sent page")
        return
    site_url()  # refuse now, not in the worker, when the links of the mails cannot be made
    result = task.enqueue(on.isoformat())
    command.stdout.write(
        f"{what.capitalize()} for {on.isoformat()} enqueued for the task worker (task {result.id})."
    )
