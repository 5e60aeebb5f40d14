"""Writes owned by core: exchange rates, user preferences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from attain.core.middleware import PREFERENCE_SESSION_KEY
from attain.core.models import ExchangeRate, UserPreference
from attain.core.money import CURRENCIES, reporting_currency


@transaction.atomic
def exchange_rate_set(*, currency: str, valid_on: dt.date, rate: Decimal) -> ExchangeRate:
    """Create or replace the rate of `currency` from `valid_on`."""
    currency = currency.upper()
    if currency not in CURRENCIES:
        raise ValidationError(
            {
                "currency": gettext("%(currency)s is not a supported ISO currency code.")
                % {"currency": repr(currency)}
            }
        )
    if currency == reporting_currency():
        raise ValidationError(
            {
                "currency": gettext("%(currency)s is the reporting currency; its rate is always 1.")
                % {"currency": currency}
            }
        )
    if rate <= 0:
        raise ValidationError({"rate": gettext("The rate must be greater than zero.")})
    obj, _ = ExchangeRate.objects.update_or_create(
        currency=currency, valid_on=valid_on, defaults={"rate": rate}
    )
    return obj


# --- user preferences ----------------------------------------------------------------------


@transaction.atomic
def user_preference_set(
    *, user: Any, language: str, session: SessionBase | None = None
) -> UserPreference:
    """Choose the interface language of `user`: a code from settings.LANGUAGES, or "" for the
    browser's language.

    Pass the request's session to drop the copy `UserLanguageMiddleware` keeps there, so that
    the very next page follows the choice (other sessions follow within a few minutes).
    """
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {
                "language": gettext(
                    "“%(language)s” is not one of the languages Attain is available in."
                )
                % {"language": language}
            }
        )
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    if session is not None:
        session.pop(PREFERENCE_SESSION_KEY, None)
    return preference


@transaction.atomic
def user_email_preferences_set(*, user: Any, digest: bool, reminders: bool) -> UserPreference:
    """Choose which mails `user` receives: the weekly digest (leaders) and the daily reminders."""
    for field, value in (("email_digest", digest), ("email_reminders", reminders)):
        if not isinstance(value, bool):
            raise ValidationError({field: gettext("Choose yes or no.")})
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"email_digest": digest, "email_reminders": reminders}
    )
    return preference


# --- sign-in throttling -------------------------------------------------------------------


def login_is_locked(*, username: str, ip_address: str | None) -> bool:
    """Too many recent failures for this username or this address: refuse without checking."""
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from attain.core.models import LoginFailure

    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(failed_at__gte=since)
    by_user = recent.filter(username=username.lower()).count()
    by_ip = recent.filter(Q(ip_address=ip_address)).count() if ip_address else 0
    limit = settings.LOGIN_MAX_FAILURES
    return by_user >= limit or by_ip >= limit * 4


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    """Record a failed sign-in; old failures are pruned in the background."""
    from attain.core.models import LoginFailure
    from attain.core.tasks import login_failures_prune as prune_task

    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip_address)
    transaction.on_commit(prune_task.enqueue)


def login_failures_prune() -> int:
    """Delete failed sign-ins older than the lock-out window; returns how many were deleted."""
    from django.conf import settings
    from django.utils import timezone

    from attain.core.models import LoginFailure

    cutoff = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    deleted, _ = LoginFailure.objects.filter(failed_at__lt=cutoff).delete()
    return deleted


def login_failures_clear(*, username: str) -> None:
    from attain.core.models import LoginFailure

    LoginFailure.objects.filter(username=username.lower()).delete()
