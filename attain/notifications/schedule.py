"""The mail schedule `make run` keeps without cron: the reminders every morning and the digest
once a week, each handed to the task worker once a day at most.

`due(now, done)` says which sendings are due at local time `now`, given the days each was
already handed over (`done`); `tick` enqueues them. Sending is idempotent (every mail is recorded
under its person and key before it goes out), so a restarted scheduler that enqueues the same day
again sends nothing twice. Installations that prefer cron run `send_reminders` / `send_digests`
from it instead and leave the scheduler off (`run_attain --no-schedule`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REMINDERS = "reminders"
DIGESTS = "digests"


def _clock(value: str, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a time of day HH:MM, got {value!r}") from exc


@dataclass(frozen=True)
class Schedule:
    """When the mails go: reminders daily at `reminders_at`, the digest on ISO weekday
    `digest_weekday` (1 = Monday) at `digest_at`, local time."""

    reminders_at: dt.time
    digest_weekday: int
    digest_at: dt.time

    @classmethod
    def from_settings(cls) -> Schedule:
        weekday = settings.NOTIFICATIONS_DIGEST_WEEKDAY
        if not 1 <= weekday <= 7:
            raise ImproperlyConfigured(
                f"ATTAIN_DIGEST_WEEKDAY must be 1 (Monday) to 7 (Sunday), got {weekday}"
            )
        return cls(
            reminders_at=_clock(settings.NOTIFICATIONS_REMINDERS_AT, "ATTAIN_REMINDERS_AT"),
            digest_weekday=weekday,
            digest_at=_clock(settings.NOTIFICATIONS_DIGEST_AT, "ATTAIN_DIGEST_AT"),
        )


@dataclass
class Done:
    """The last day each sending was handed to the worker (in this scheduler's life)."""

    days: dict[str, dt.date] = field(default_factory=dict)


def due(schedule: Schedule, *, now: dt.datetime, done: Done) -> list[str]:
    """The sendings due at local time `now` and not yet handed over today: reminders once the
    day's time has passed, the digest on its weekday once its time has passed."""
    day, clock = now.date(), now.time()
    out = []
    if clock >= schedule.reminders_at and done.days.get(REMINDERS) != day:
        out.append(REMINDERS)
    if (
        day.isoweekday() == schedule.digest_weekday
        and clock >= schedule.digest_at
        and done.days.get(DIGESTS) != day
    ):
        out.append(DIGESTS)
    return out


def tick(
    schedule: Schedule,
    *,
    now: dt.datetime,
    done: Done,
    enqueue: Callable[[str, dt.date], object] | None = None,
) -> list[str]:
    """Enqueue what is `due` (for `now`'s date) and note it in `done`; returns what went."""
    send = enqueue or _enqueue
    went = due(schedule, now=now, done=done)
    for what in went:
        send(what, now.date())
        done.days[what] = now.date()
    return went


def _enqueue(what: str, on: dt.date) -> object:
    from attain.notifications.tasks import digests_send_task, reminders_send_task

    task = reminders_send_task if what == REMINDERS else digests_send_task
    return task.enqueue(on.isoformat())
