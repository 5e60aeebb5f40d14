"""Mails Attain sends on its own (weekly digests, daily reminders): one row per mail."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attain.organization.models import Person


class NotificationKind(models.TextChoices):
    DIGEST = "digest", _("Weekly digest")
    REMINDER = "reminder", _("Reminders")


class NotificationStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One mail to one person, claimed before it is handed to the mail server.

    `key` names what the mail is about ("digest:2026-W48", "reminder:2026-12-01"); one row per
    recipient and key makes sending idempotent: a run skips the keys already sending or sent and
    tries the failed ones again. Written only by the services of this app.
    """

    recipient = models.ForeignKey(
        Person,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    key = models.CharField(_("key"), max_length=40)
    email = models.EmailField(_("sent to"))
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.SENDING,
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["key", "status"], name="notification_key_status")]

    def __str__(self) -> str:
        return f"{self.key} → {self.email}: {self.status}"
