"""Forms of the pipeline pages; they parse input, the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import ProductLine
from attain.core.money import CURRENCY_CHOICES
from attain.core.periods import today
from attain.customers.models import Account, Contact
from attain.organization.models import Person
from attain.organization.visibility import visible
from attain.pipeline.models import (
    ActivityKind,
    ActivityOutcome,
    Channel,
    Deal,
    Lead,
    LeadSource,
    LostReason,
    Stage,
)
from attain.pipeline.permissions import owner_choices
from attain.pipeline.selectors import lost_reason_list, open_stage_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def visible_accounts(user: Any) -> Any:
    return visible(Account.objects.all(), user).order_by("name", "pk")


def visible_deals(user: Any) -> Any:
    return Deal.objects.visible_to(user).select_related("account").order_by("-created_on", "-pk")


class OwnedForm(forms.Form):
    """A form with an `owner` field limited to the people the user may make owners."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
        self.fields["owner"].error_messages["invalid_choice"] = _(
            "You may only choose yourself or people in the units you lead."
        )

    def keep_owner(self, owner_id: int) -> None:
        """Editing: the current owner stays selectable even if the editor could not assign them."""
        allowed = owner_choices(self.user).values("pk")
        self.fields["owner"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=allowed) | Q(pk=owner_id)
        ).order_by("last_name", "first_name", "pk")


class DealForm(OwnedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    expected_close_on = forms.DateField(label=_("Expected close"), widget=DATE)
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    product_lines = forms.ModelMultipleChoiceField(
        label=_("Product lines"), queryset=ProductLine.objects.none(), required=False
    )
    probability = forms.IntegerField(
        label=_("Probability %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to use the stage's probability."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        accounts = visible_accounts(user)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["contact"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            account__in=accounts
        ).select_related("account")
        self.fields["product_lines"].queryset = ProductLine.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        )


class DealCreateForm(DealForm):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    created_on = forms.DateField(label=_("Created on"), widget=DATE, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["stage"].queryset = open_stage_list()  # type: ignore[attr-defined]
        self.fields["created_on"].initial = today()


class DealEditForm(DealForm):
    def __init__(self, *args: Any, user: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.keep_owner(deal.owner_id)
        self.fields["account"].disabled = True
        self.fields["account"].required = False
        self.deal = deal


class StageMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to stage"), queryset=Stage.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = open_stage_list()  # type: ignore[attr-defined]


class DealWinForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE, initial=today)


class DealLoseForm(forms.Form):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=LostReason.objects.none())
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE, initial=today)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = lost_reason_list()  # type: ignore[attr-defined]


class LeadForm(OwnedForm):
    company = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=160, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=today)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Account.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, user: Any, lead: Lead | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["account"].queryset = visible_accounts(user)  # type: ignore[attr-defined]
        if lead is not None:
            self.keep_owner(lead.owner_id)


class LeadConvertForm(forms.Form):
    name = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    expected_close_on = forms.DateField(label=_("Expected close"), widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = visible_accounts(user)  # type: ignore[attr-defined]


class ActivityForm(OwnedForm):
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices)
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME, initial=timezone.now)
    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=24 * 60, help_text=_("0: not recorded.")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ActivityOutcome.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=Deal.objects.none(), required=False)
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Account.objects.none(), required=False
    )
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=Lead.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, current_owner_id: int | None = None, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.fields["deal"].queryset = visible_deals(user)  # type: ignore[attr-defined]
        self.fields["account"].queryset = visible_accounts(user)  # type: ignore[attr-defined]
        self.fields["lead"].queryset = Lead.objects.visible_to(user).order_by("company")  # type: ignore[attr-defined]
        if current_owner_id is not None:
            self.keep_owner(current_owner_id)


class StageForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)
    probability = forms.IntegerField(label=_("Probability %"), min_value=0, max_value=100)


class StageEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)
    probability = forms.IntegerField(label=_("Probability %"), min_value=0, max_value=100)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class LostReasonForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80)


class LostReasonEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    is_active = forms.BooleanField(label=_("Active"), required=False)
