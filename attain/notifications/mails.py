"""Building the mails: subject, plain-text and HTML bodies (templates under
`templates/notifications/`), headers, and the signed unsubscribe links.

Every mail is rendered in its recipient's language (`UserPreference.language`; the site's
`LANGUAGE_CODE` when they chose none) with `translation.override`, so words, dates and numbers
follow it. Every mail ends with how to stop it — the account page and a one-click unsubscribe
link that works without signing in — and carries `List-Unsubscribe` / `List-Unsubscribe-Post`
(RFC 8058) so mail programs can offer the same.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attain.analytics.metrics import metric_get
from attain.core.money import reporting_currency
from attain.notifications.models import NotificationKind
from attain.notifications.selectors import Digest, Reminders
from attain.organization.models import Person

UNSUBSCRIBE_SALT = "attain.notifications.unsubscribe"


# --- unsubscribe tokens ------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed token naming a login and a kind of mail; it does not expire (an old mail's link
    keeps working) and can only ever turn that one kind off."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, kind) of a token; `signing.BadSignature` when it was not made by us."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or data.get("k") not in NotificationKind.values
    ):
        raise signing.BadSignature("not an unsubscribe token")
    return data["u"], data["k"]


# --- building messages -------------------------------------------------------------------------


def mail_language(person: Person) -> str:
    """The language of the person's mails: their chosen language, else the site's."""
    preference = getattr(person.user, "preference", None) if person.user_id else None
    language = preference.language if preference is not None else ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def site_url() -> str:
    url = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    if not url:
        raise ImproperlyConfigured(
            "ATTAIN_SITE_URL must be set (the address people open Attain at): the links in "
            "mails point there."
        )
    return url


def absolute(path: str) -> str:
    return f"{site_url()}{path}"


def unsubscribe_url(*, person: Person, kind: str) -> str:
    if person.user_id is None:
        raise ValueError(f"{person} has no login: mails go to people with a login only")
    token = unsubscribe_token(user_id=person.user_id, kind=kind)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def _message(
    *,
    person: Person,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    language: str,
) -> EmailMultiAlternatives:
    """Render `template`.txt and .html (the active language is the recipient's) into one mail."""
    stop_url = unsubscribe_url(person=person, kind=kind)
    context = {
        **context,
        "person": person,
        "kind": kind,
        "site_url": site_url(),
        "account_url": absolute(reverse("account")) + "#email",
        "unsubscribe_url": stop_url,
        "currency": reporting_currency(),
        "language": language,
    }
    text = render_to_string(f"notifications/{template}.txt", context)
    html = render_to_string(f"notifications/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_subject(digest: Digest) -> str:
    """In the active language, e.g. "Weekly digest for Team A1, week of Nov. 23, 2026"."""
    return _("Weekly digest for %(units)s, week of %(start)s") % {
        "units": ", ".join(item.unit.name for item in digest.units),
        "start": date_format(digest.week_start, "DATE_FORMAT"),
    }


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The digest as a mail to its person, in their language."""
    language = mail_language(digest.person)
    with translation.override(language):
        units = [
            {
                "digest": item,
                "dashboard_url": absolute(reverse("dashboards:unit", args=[item.unit.pk])),
            }
            for item in digest.units
        ]
        return _message(
            person=digest.person,
            kind=NotificationKind.DIGEST,
            subject=digest_subject(digest),
            template="digest",
            context={"digest": digest, "units": units},
            language=language,
        )


def reminders_subject(reminders: Reminders) -> str:
    """In the active language, e.g. "Your Attain reminders for Dec. 1, 2026"."""
    return _("Your Attain reminders for %(date)s") % {
        "date": date_format(reminders.on, "DATE_FORMAT")
    }


def _metric_label_unit(key: str) -> tuple[Any, str]:
    try:
        metric = metric_get(key)
    except KeyError:
        return key, "count"
    return metric.label, metric.unit


def reminders_message(reminders: Reminders) -> EmailMultiAlternatives:
    """The reminders as a mail to their person, in their language."""
    language = mail_language(reminders.person)
    with translation.override(language):
        context = {
            "reminders": reminders,
            "goals": [(goal, *_metric_label_unit(goal.metric)) for goal in reminders.goals],
            "teams": [
                {
                    "due": team,
                    "dashboard_url": absolute(reverse("dashboards:unit", args=[team.unit.pk])),
                }
                for team in reminders.teams
            ],
            "my_goals_url": absolute(reverse("goals:my_goals")),
            "deals_url": absolute(reverse("pipeline:deal_list")) + "?status=open",
            "orders_url": absolute(reverse("orders:order_list")) + "?late=1",
        }
        return _message(
            person=reminders.person,
            kind=NotificationKind.REMINDER,
            subject=reminders_subject(reminders),
            template="reminders",
            context=context,
            language=language,
        )
