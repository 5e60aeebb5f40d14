"""Every write of the notifications app: sending the weekly digests and the daily reminders,
recording each mail, and unsubscribing.

Sending is idempotent per recipient and key ("digest:2026-W49", "reminder:2026-12-01"): before a
mail is handed to the mail server its `Notification` row is claimed (one row per recipient and
key, a unique constraint), so running twice — or two workers at once — never sends a mail twice.
A mail that fails (SMTP error …) is recorded as failed with the error, the run goes on with the
others, and the next run tries the failed ones again.

Why `digests_send` and `reminders_send` are not one transaction (the house rule for services):
a mail cannot be rolled back. Each claim and each outcome is committed on its own (small atomic
services below), so the record always says what the mail server was given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.core.models import UserPreference
from attain.core.services import user_email_preferences_set
from attain.notifications.mails import digest_message, reminders_message
from attain.notifications.models import Notification, NotificationKind, NotificationStatus
from attain.notifications.selectors import (
    digest_for,
    digest_key,
    digest_recipients,
    reminder_key,
    reminder_recipients,
    reminders_for,
)
from attain.organization.models import Person

logger = logging.getLogger(__name__)

#: Subjects are cut to the column's length; errors to a readable size.
SUBJECT_LENGTH = 255
ERROR_LENGTH = 2000


@dataclass
class SendReport:
    """What a run did: mails sent and failed, recipients skipped (their mail of this key was
    sent already, or is being sent) and recipients with nothing to say (`empty`: no reminder
    due). `messages`: the mails built — in a dry run, the ones that would be sent."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    empty: int = 0
    messages: list[EmailMultiAlternatives] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "empty": self.empty,
        }


# --- the record of each mail -------------------------------------------------------------------


@transaction.atomic
def notification_claim(
    *, recipient: Person, kind: str, key: str, email: str, subject: str
) -> Notification | None:
    """Reserve the mail `key` to `recipient` before sending it: a new row, or a failed one tried
    again. None when it is already being sent or was sent (nothing to do)."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": _("Choose digest or reminder.")})
    existing = Notification.objects.select_for_update().filter(recipient=recipient, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    key=key,
                    email=email,
                    subject=subject[:SUBJECT_LENGTH],
                )
        except IntegrityError:  # another run claimed it a moment ago
            return None
    if existing.status != NotificationStatus.FAILED:
        return None
    existing.status = NotificationStatus.SENDING
    existing.email = email
    existing.subject = subject[:SUBJECT_LENGTH]
    existing.error = ""
    existing.save(update_fields=["status", "email", "subject", "error"])
    return existing


@transaction.atomic
def notification_mark_sent(*, notification: Notification) -> Notification:
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    notification.save(update_fields=["status", "sent_at", "error"])
    return notification


@transaction.atomic
def notification_mark_failed(*, notification: Notification, error: str) -> Notification:
    notification.status = NotificationStatus.FAILED
    notification.error = error[:ERROR_LENGTH]
    notification.save(update_fields=["status", "error"])
    return notification


# --- sending -----------------------------------------------------------------------------------


def _send_all(
    *,
    kind: str,
    key: str,
    recipients: Iterable[Person],
    build: Callable[[Person], EmailMultiAlternatives | None],
    dry_run: bool,
) -> SendReport:
    """Build and send one mail per recipient (None from `build`: nothing to say), skipping those
    already sent or being sent under `key`. One mail failing does not stop the others."""
    report = SendReport()
    done = set(
        Notification.objects.filter(key=key)
        .exclude(status=NotificationStatus.FAILED)
        .values_list("recipient_id", flat=True)
    )
    mailer = mail.mailers.default
    try:
        for person in recipients:
            if person.pk in done:
                report.skipped += 1
                continue
            message = build(person)
            if message is None:
                report.empty += 1
                continue
            report.messages.append(message)
            if dry_run:
                continue
            claimed = notification_claim(
                recipient=person,
                kind=kind,
                key=key,
                email=person.email,
                subject=str(message.subject),
            )
            if claimed is None:
                report.skipped += 1
                continue
            try:
                mailer.open()  # one connection for the run; opened again after a failure
                mailer.send_messages([message])
            except Exception as exc:  # SMTP errors, refused addresses, a server gone away …
                logger.warning("%s to %s failed: %s", key, person.email, exc)
                notification_mark_failed(notification=claimed, error=str(exc) or repr(exc))
                report.failed += 1
                with contextlib.suppress(Exception):
                    mailer.close()
            else:
                notification_mark_sent(notification=claimed)
                report.sent += 1
    finally:
        with contextlib.suppress(Exception):
            mailer.close()
    return report


def digests_send(*, on: dt.date, dry_run: bool = False) -> SendReport:
    """The weekly digest of `on`'s week to every leader who can get mail and wants it: one mail
    each, covering every unit they lead. Running again in the same week sends nothing twice
    (failed mails are tried again). `dry_run`: build the mails, send and record nothing."""

    def build(person: Person) -> EmailMultiAlternatives | None:
        digest = digest_for(person=person, on=on)
        return digest_message(digest) if digest.units else None

    return _send_all(
        kind=NotificationKind.DIGEST,
        key=digest_key(on),
        recipients=digest_recipients(on=on),
        build=build,
        dry_run=dry_run,
    )


def reminders_send(*, on: dt.date, dry_run: bool = False) -> SendReport:
    """The reminders of `on` to everyone who can get mail and wants it and has something due
    (nothing due: no mail). Once a day per person; `dry_run` as for `digests_send`."""

    def build(person: Person) -> EmailMultiAlternatives | None:
        reminders = reminders_for(person=person, on=on)
        return None if reminders.is_empty else reminders_message(reminders)

    return _send_all(
        kind=NotificationKind.REMINDER,
        key=reminder_key(on),
        recipients=reminder_recipients(on=on),
        build=build,
        dry_run=dry_run,
    )


# --- unsubscribing -----------------------------------------------------------------------------


@transaction.atomic
def notification_unsubscribe(*, user_id: int, kind: str) -> UserPreference:
    """Turn off exactly one kind of mail (digest or reminder) for the login `user_id`, keeping
    the other as it was (the unsubscribe link of a mail)."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": _("Choose digest or reminder.")})
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({"user": _("This login no longer exists.")})
    current = (
        UserPreference.objects.select_for_update()
        .filter(user=user)
        .values("email_digest", "email_reminders")
        .first()
    ) or {"email_digest": True, "email_reminders": True}
    return user_email_preferences_set(
        user=user,
        digest=False if kind == NotificationKind.DIGEST else current["email_digest"],
        reminders=False if kind == NotificationKind.REMINDER else current["email_reminders"],
    )
