"""Forms for reference data owned by core."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.core.money import CURRENCY_CHOICES


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    valid_on = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("Units of the reporting currency for one unit of this currency."),
    )
