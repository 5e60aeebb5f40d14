"""Sending through the task worker, and the send_digests / send_reminders commands (enqueue,
--now, --dry-run, --date)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from attain.notifications.models import Notification
from attain.notifications.tasks import reminders_send_task
from attain.notifications.tests.factories import make_sales

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_digests_enqueues_the_task_that_the_worker_runs(world, mailoutbox):
    make_sales(world)
    out = io.StringIO()

    call_command("send_digests", "--date", "2026-11-09", stdout=out)

    assert "enqueued for the task worker" in out.getvalue()
    assert mailoutbox == [] and Notification.objects.count() == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"sent": 4, "failed": 0, "skipped": 0, "empty": 0}
    assert len(mailoutbox) == 4
    assert Notification.objects.filter(key="digest:2026-W46", status="sent").count() == 4


def test_the_reminders_task_runs_the_service(world, due, mailoutbox):
    counts = reminders_send_task.call("2026-11-09")

    assert counts == {"sent": 5, "failed": 0, "skipped": 0, "empty": 1}
    assert len(mailoutbox) == 5
    assert reminders_send_task.call("2026-11-09")["skipped"] == 5  # safe to retry


def test_dry_run_prints_the_mails_and_sends_and_records_nothing(world, sales, mailoutbox):
    out = io.StringIO()

    call_command("send_digests", "--date", "2026-11-09", "--dry-run", stdout=out)

    printed = out.getvalue()
    assert "Subject: Weekly digest for Team A1, week of Nov. 2, 2026" in printed
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in printed
    assert printed.rstrip().endswith(
        "Dry run for 2026-11-09: 4 digests would be sent (0 sent already, 0 with nothing to "
        "send); nothing sent or recorded."
    )
    assert mailoutbox == []
    assert Notification.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_send_reminders_now_sends_from_the_command(world, due, mailoutbox):
    out = io.StringIO()

    call_command("send_reminders", "--date", "2026-11-09", "--now", stdout=out)

    assert out.getvalue().strip() == (
        "Reminders for 2026-11-09: 5 sent, 0 failed, 0 sent already, 1 with nothing to send."
    )
    assert len(mailoutbox) == 5 and DBTaskResult.objects.count() == 0


def test_commands_refuse_a_date_that_is_not_one(world):
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        call_command("send_reminders", "--date", "9/11/2026", "--dry-run")


@pytest.mark.parametrize("mode", [[], ["--dry-run"], ["--now"]])
def test_commands_refuse_to_run_without_the_site_address(world, sales, settings, mode):
    settings.SITE_URL = ""  # production without ATTAIN_SITE_URL

    with pytest.raises(CommandError, match="ATTAIN_SITE_URL must be set"):
        call_command("send_digests", "--date", "2026-11-09", *mode)

    assert Notification.objects.count() == 0 and DBTaskResult.objects.count() == 0
