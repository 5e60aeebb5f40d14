"""Forms for customer pages; they only parse input — services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.customers.models import Account, Segment, SizeBand
from attain.organization.models import Person

SIZE_CHOICES = [("", "—"), *SizeBand.choices]


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices)
    owner = forms.ModelChoiceField(label=_("Account manager"), queryset=Person.objects.none())
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    size_band = forms.ChoiceField(label=_("Size"), choices=SIZE_CHOICES, required=False)
    employees = forms.IntegerField(label=_("Employees"), required=False)
    annual_revenue = forms.DecimalField(
        label=_("Annual revenue"), max_digits=18, decimal_places=2, required=False
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("ISO code, e.g. DE")
    )
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    parent = forms.ModelChoiceField(
        label=_("Parent account"), queryset=Account.objects.none(), required=False
    )
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)

    def __init__(self, *args: Any, owners: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)
