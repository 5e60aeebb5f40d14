"""Shared base models, exchange rates and each user's preferences."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from attain.core.money import CURRENCY_CHOICES


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ExchangeRate(TimeStampedModel):
    """How many units of the reporting currency one unit of `currency` was worth from `valid_on`.

    A rate stays in force until the next rate for the same currency. Amounts are converted once,
    when a record is booked, with the rate in force that day, and stored beside the original.
    """

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    valid_on = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    class Meta:
        ordering = ["currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_on"], name="fx_one_rate_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
        ]
        indexes = [models.Index(fields=["currency", "valid_on"], name="fx_lookup")]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_on}: {self.rate}"


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly to throttle password guessing per username and address."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} @ {self.failed_at}"


class UserPreference(TimeStampedModel):
    """One signed-in user's own settings: the language of the interface and of the mails Attain
    sends them, and which mails they want.

    A blank `language` means "use the browser's language" (what `LocaleMiddleware` picks from the
    language cookie or the Accept-Language header; mails then use settings.LANGUAGE_CODE).
    Written only by `user_preference_set` and `user_email_preferences_set`; a user without a row
    gets every mail (both defaults are on).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    email_digest = models.BooleanField(_("Weekly digest of my team's results"), default=True)
    email_reminders = models.BooleanField(_("Daily reminders of what needs me"), default=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser language'}"


class JobProgress(models.Model):
    """How far a long piece of work (an import, a payout run, a rebuild) has come.

    Stored in the `progress` database (see `attain/core/routers.py`): a separate connection
    that commits at once, so a page can show the progress of work that runs in one long
    transaction of its own. Written only by `core.progress.progress_set`.
    """

    kind = models.CharField(_("kind"), max_length=30)
    key = models.BigIntegerField(_("key"))
    done = models.BigIntegerField(_("done"), default=0)
    total = models.BigIntegerField(_("total"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("job progress")
        verbose_name_plural = _("job progress")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="jobprogress_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.done}/{self.total}"
