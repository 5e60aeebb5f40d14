"""Forms of the complaint pages; they parse input, the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.core.periods import today
from attain.customers.models import Account, Contact
from attain.customers.selectors import owners_covered_by
from attain.orders.models import Order
from attain.organization.models import Person
from attain.service.models import ComplaintCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ComplaintForm(forms.Form):
    """A new complaint. The order and contact choices are those of the chosen account; choosing
    another account reloads the form with its orders and contacts (htmx)."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    order = forms.ModelChoiceField(
        label=_("Order"),
        queryset=Order.objects.none(),
        required=False,
        help_text=_("Optional: the account's order the complaint is about."),
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("Optional: who at the account complained."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    owner = forms.ModelChoiceField(
        label=_("Accountable seller"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("The account manager"),
        help_text=_("Empty: the account manager."),
    )
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)

    def __init__(self, *args: Any, user: Any, account: Account | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["account"].queryset = Account.objects.visible_to(user).order_by("name", "pk")
        fields["account"].widget.attrs.update(
            {
                "hx-get": reverse("service:complaint_create"),
                "hx-trigger": "change",
                "hx-include": "closest form",
                "hx-params": "not csrfmiddlewaretoken",
                "hx-target": "closest form",
                "hx-select": "form.stacked",
                "hx-swap": "outerHTML",
            }
        )
        if account is not None:
            fields["order"].queryset = (
                Order.objects.visible_to(user)
                .filter(account=account)
                .order_by("-ordered_on", "-pk")
            )
            fields["contact"].queryset = account.contacts.order_by("last_name", "first_name", "pk")
        else:
            fields["order"].help_text = _("Choose the account first; its orders are offered then.")
            fields["contact"].help_text = _(
                "Choose the account first; its contacts are offered then."
            )
        fields["order"].label_from_instance = lambda order: (
            f"{order.number} · {order.ordered_on.isoformat()}"
        )
        fields["owner"].queryset = owners_covered_by(user=user).order_by(
            "last_name", "first_name", "pk"
        )
        fields["owner"].error_messages["invalid_choice"] = _(
            "You may only choose yourself or people in the units you lead."
        )
        fields["opened_on"].initial = today()


class ComplaintResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE, initial=today)
    resolution = forms.CharField(
        label=_("Resolution"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done about the complaint."),
    )
