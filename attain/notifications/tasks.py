"""Background work of the notifications app: sending the digests and the reminders (task worker).

Both are idempotent (each mail is recorded under its key before it goes out), so a retry or a
second enqueue sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task  # type: ignore[attr-defined]


@task()
def digests_send_task(on: str) -> dict[str, int]:
    """Send the weekly digests of the week of `on` (an ISO date); returns the counts."""
    from attain.notifications.services import digests_send

    return digests_send(on=dt.date.fromisoformat(on)).counts()


@task()
def reminders_send_task(on: str) -> dict[str, int]:
    """Send the reminders of `on` (an ISO date); returns the counts."""
    from attain.notifications.services import reminders_send

    return reminders_send(on=dt.date.fromisoformat(on)).counts()
