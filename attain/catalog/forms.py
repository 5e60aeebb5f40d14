"""Forms for catalog pages; they only parse input — services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import ProductLine
from attain.core.money import CURRENCY_CHOICES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductLineCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class ProductLineEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ProductCreateForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Product line"), queryset=ProductLine.objects.active())
    sku = forms.CharField(label=_("SKU"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    external_ref = forms.CharField(label=_("External id"), max_length=64, required=False)


class ProductEditForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Product line"), queryset=ProductLine.objects.all())
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ProductPriceForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    list_price = forms.DecimalField(label=_("List price"), max_digits=18, decimal_places=2)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=18, decimal_places=2)
