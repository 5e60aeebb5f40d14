"""Sign-in with throttling, and the API token form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
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
