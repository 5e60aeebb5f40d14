"""Forms of the order pages; they parse input, the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import Product
from attain.core.money import CURRENCY_CHOICES, reporting_currency
from attain.core.periods import today
from attain.customers.models import Account
from attain.orders.models import LIFECYCLE, OrderStatus, ReturnReason
from attain.orders.permissions import owner_choices
from attain.organization.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PROMISED_FIELDS = (
    "confirm_promised_on",
    "ship_promised_on",
    "delivery_promised_on",
    "follow_up_promised_on",
)


def _promised_fields() -> dict[str, forms.DateField]:
    return {
        "confirm_promised_on": forms.DateField(
            label=_("Confirmation promised"), widget=DATE, required=False
        ),
        "ship_promised_on": forms.DateField(
            label=_("Shipment promised"), widget=DATE, required=False
        ),
        "delivery_promised_on": forms.DateField(
            label=_("Delivery promised"), widget=DATE, required=False
        ),
        "follow_up_promised_on": forms.DateField(
            label=_("Follow-up promised"), widget=DATE, required=False
        ),
    }


class OrderForm(forms.Form):
    """The header of a new order."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    ordered_on = forms.DateField(label=_("Taken on"), widget=DATE)
    number = forms.CharField(
        label=_("Order number"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to number the order automatically (SO-YYYY-NNNNNN)."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)
    deal = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_promised_fields())
        self.fields["account"].queryset = (  # type: ignore[attr-defined]
            Account.objects.visible_to(user).order_by("name", "pk")
        )
        self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
        self.fields["owner"].error_messages["invalid_choice"] = _(
            "You may only choose yourself or people in the units you lead."
        )
        self.fields["currency"].initial = reporting_currency()
        self.fields["ordered_on"].initial = today()


class OrderLineForm(forms.Form):
    """One line of a new order; an empty unit price takes the catalog's list price."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the list price on the order date."),
    )
    discount_pct = forms.DecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (  # type: ignore[attr-defined]
            Product.objects.filter(is_active=True).order_by("name", "pk")
        )


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3, max_num=100, absolute_max=100)


class OrderEditForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_promised_fields())


class AdvanceForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Advance to"), choices=())
    on = forms.DateField(label=_("On"), widget=DATE, initial=today)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = [str(s) for s in LIFECYCLE]
        later = steps[steps.index(current) + 1 :] if current in steps else []
        self.fields["to_status"].choices = [(s, OrderStatus(s).label) for s in later]  # type: ignore[attr-defined]
        if later:
            self.fields["to_status"].initial = later[0]


class PaymentForm(forms.Form):
    on = forms.DateField(label=_("Paid on"), widget=DATE, initial=today)


class CancelForm(forms.Form):
    on = forms.DateField(label=_("Cancelled on"), widget=DATE, initial=today)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity returned"), max_digits=14, decimal_places=3)
    returned_on = forms.DateField(label=_("Returned on"), widget=DATE, initial=today)
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
