"""Exchange-rate pages: everyone reads; sales operations add rates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attain.core.forms import ExchangeRateForm
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.models import ExchangeRate
from attain.core.money import CURRENCY_CHOICES
from attain.core.services import exchange_rate_set
from attain.core.visibility import is_admin
from attain.core.web import apply_validation_error, require


@login_required
def exchange_rate_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Exchange rates into %(currency)s") % {"currency": settings.REPORTING_CURRENCY},
        columns=[
            Column(_("Currency"), "currency", sort="currency"),
            Column(_("Valid from"), "valid_on", sort="valid_on", kind="date"),
            Column(_("Rate"), "rate", sort="rate", kind="number"),
        ],
        filters=[Filter("currency", _("Currency"), "currency", CURRENCY_CHOICES)],
        default_sort="-valid_on",
        create_url="/settings/exchange-rates/new/" if is_admin(request.user) else "",
        create_label=_("Add a rate"),
    )
    if exported := list_export(request, ExchangeRate.objects.all(), spec):
        return exported
    return render(request, "core/list.html", list_page(request, ExchangeRate.objects.all(), spec))


@login_required
@require(is_admin)
def exchange_rate_create(request: HttpRequest) -> HttpResponse:
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exchange_rate_set(**form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rate saved."))
            return redirect("core:exchange_rate_list")
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Add an exchange rate"),
            "cancel_url": "/settings/exchange-rates/",
        },
    )
