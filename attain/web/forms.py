"""Sign-in with throttling, the API token form, the language picker and the email settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from attain.core.services import login_failure_record, login_failures_clear, login_is_locked


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses further attempts for a while after too many failures (per username and address)."""

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and login_is_locked(username=username, ip_address=ip):
            raise ValidationError(
                _("Too many failed sign-ins. Wait a few minutes and try again."), code="locked"
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip)
            raise
        login_failures_clear(username=username)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)


def language_choices() -> list[tuple[str, str]]:
    """The picker's choices: "Browser default", then each of settings.LANGUAGES in itself."""
    return [("", str(_("Browser default")))] + [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not one of the languages Attain is available in.")
        },
    )


class EmailPreferencesForm(forms.Form):
    """Which mails Attain sends: unticked boxes are absent from the POST, so False."""

    email_digest = forms.BooleanField(label=_("Weekly digest of my team's results"), required=False)
    email_reminders = forms.BooleanField(
        label=_("Daily reminders of what needs me"), required=False
    )
