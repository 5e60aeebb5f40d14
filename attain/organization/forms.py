"""Forms for organisation pages; they only parse input — services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.organization.models import (
    OrgUnit,
    Person,
    Role,
    SeparationType,
    Territory,
    TerritoryKind,
    UnitKind,
)

DATE = forms.DateInput(attrs={"type": "date"})


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    code = forms.CharField(label=_("Code"), max_length=30)
    parent = forms.ModelChoiceField(
        label=_("Belongs to"), queryset=OrgUnit.objects.order_by("path"), required=False
    )


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PersonForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email"), required=False)
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class PersonCreateForm(PersonForm):
    username = forms.CharField(label=_("Login name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False, min_length=10
    )
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.order_by("path"), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("unit") and not data.get("role"):
            self.add_error("role", _("Choose the role this person has in the unit."))
        if data.get("username") and not data.get("password"):
            self.add_error("password", _("Give an initial password for the login."))
        return data


class MoveForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("To unit"), queryset=OrgUnit.objects.order_by("path"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    on = forms.DateField(label=_("From"), widget=DATE)


class EmploymentEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Last day"), widget=DATE)
    separation_type = forms.ChoiceField(label=_("Separation"), choices=SeparationType.choices)
    end_reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ManagerForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Reports to"), queryset=Person.objects.all())
    valid_from = forms.DateField(label=_("From"), widget=DATE)


class TerritoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=TerritoryKind.choices)
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    segment = forms.CharField(label=_("Segment"), max_length=40, required=False)
    unit = forms.ModelChoiceField(
        label=_("Owning unit"), queryset=OrgUnit.objects.order_by("path"), required=False
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class TerritoryAssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Seller"), queryset=Person.objects.all())
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_to = forms.DateField(label=_("Until"), widget=DATE, required=False)


class TerritoryPickForm(forms.Form):
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all())
    valid_from = forms.DateField(label=_("From"), widget=DATE)
