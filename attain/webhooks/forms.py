"""Forms of the webhook pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.core.events import EVENTS


def event_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {text}") for name, text in EVENTS.items()]


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(
        label=_("Target URL"),
        max_length=500,
        help_text=_("An https:// address (plain http only to localhost, for development)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Events marked “not emitted yet” can be chosen now and arrive once they exist."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
