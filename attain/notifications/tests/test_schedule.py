"""The mail schedule `run_attain` keeps: reminders every day after their time, the digest on its
weekday after its time, each handed to the worker once a day."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from attain.notifications.schedule import DIGESTS, REMINDERS, Done, Schedule, due, tick

SEVEN = Schedule(reminders_at=dt.time(7, 0), digest_weekday=1, digest_at=dt.time(8, 30))
MONDAY = dt.date(2026, 11, 9)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm))


def test_nothing_is_due_before_the_times():
    assert due(SEVEN, now=at(MONDAY, 6, 59), done=Done()) == []


def test_reminders_daily_and_the_digest_on_its_weekday_after_its_time():
    assert due(SEVEN, now=at(MONDAY, 7, 0), done=Done()) == [REMINDERS]
    assert due(SEVEN, now=at(MONDAY, 8, 30), done=Done()) == [REMINDERS, DIGESTS]
    tuesday = MONDAY + dt.timedelta(days=1)
    assert due(SEVEN, now=at(tuesday, 9, 0), done=Done()) == [REMINDERS]


def test_each_goes_once_a_day_and_again_the_next_day():
    done = Done()
    sent: list[tuple[str, dt.date]] = []

    def enqueue(what: str, on: dt.date) -> None:
        sent.append((what, on))

    assert tick(SEVEN, now=at(MONDAY, 7, 5), done=done, enqueue=enqueue) == [REMINDERS]
    assert tick(SEVEN, now=at(MONDAY, 7, 6), done=done, enqueue=enqueue) == []
    assert tick(SEVEN, now=at(MONDAY, 8, 31), done=done, enqueue=enqueue) == [DIGESTS]
    assert tick(SEVEN, now=at(MONDAY, 23, 59), done=done, enqueue=enqueue) == []
    tuesday = MONDAY + dt.timedelta(days=1)
    assert tick(SEVEN, now=at(tuesday, 7, 0), done=done, enqueue=enqueue) == [REMINDERS]
    assert sent == [(REMINDERS, MONDAY), (DIGESTS, MONDAY), (REMINDERS, tuesday)]


def test_the_schedule_comes_from_the_settings(settings):
    settings.NOTIFICATIONS_REMINDERS_AT = "06:15"
    settings.NOTIFICATIONS_DIGEST_WEEKDAY = 5
    settings.NOTIFICATIONS_DIGEST_AT = "16:00"
    assert Schedule.from_settings() == Schedule(dt.time(6, 15), 5, dt.time(16, 0))
    settings.NOTIFICATIONS_DIGEST_WEEKDAY = 8
    with pytest.raises(ImproperlyConfigured, match="ATTAIN_DIGEST_WEEKDAY must be 1"):
        Schedule.from_settings()
    settings.NOTIFICATIONS_DIGEST_WEEKDAY = 1
    settings.NOTIFICATIONS_REMINDERS_AT = "7 o'clock"
    with pytest.raises(ImproperlyConfigured, match="ATTAIN_REMINDERS_AT must be a time"):
        Schedule.from_settings()


@pytest.mark.django_db
def test_run_schedule_once_enqueues_what_is_due_for_the_worker(settings, monkeypatch):
    from attain.notifications.management.commands import run_schedule

    now = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)  # Monday 10:00 in Amsterdam
    local = run_schedule.timezone.localtime
    monkeypatch.setattr(run_schedule.timezone, "localtime", lambda: local(now))
    settings.NOTIFICATIONS_DIGEST_AT = "00:00"
    out = io.StringIO()

    call_command("run_schedule", "--once", stdout=out)

    names = sorted(r.task_path.rsplit(".", 1)[-1] for r in DBTaskResult.objects.all())
    assert names == ["digests_send_task", "reminders_send_task"]
    assert sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()) == [
        "2026-11-09",
        "2026-11-09",
    ]
    assert out.getvalue().splitlines() == [
        "2026-11-09 10:00: reminders of 2026-11-09 enqueued.",
        "2026-11-09 10:00: digests of 2026-11-09 enqueued.",
    ]
