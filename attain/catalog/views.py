"""Catalog pages: everyone signed in reads; only admins (sales operations) write."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from attain.catalog import selectors, services
from attain.catalog.forms import (
    ProductCreateForm,
    ProductEditForm,
    ProductLineCreateForm,
    ProductLineEditForm,
    ProductPriceForm,
)
from attain.catalog.models import Product, ProductLine
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.periods import today
from attain.core.web import (
    form_page,
    get_visible_or_404,
    require,
    save_and_redirect,
)
from attain.organization.visibility import is_admin


def _active_choices() -> list[tuple[str, str]]:
    return [("1", _("Active")), ("0", _("Inactive"))]


# --- products ----------------------------------------------------------------------------------


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    lines = [(str(pk), name) for pk, name in ProductLine.objects.values_list("pk", "name")]
    spec = ListPage(
        title=_("Products"),
        columns=[
            Column(_("SKU"), "sku", sort="sku", link=True),
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Product line"), "line.name", sort="line__name"),
            Column(_("Active"), "is_active", sort="is_active", kind="bool"),
        ],
        filters=[
            Filter("line", _("Product line"), "line_id", lines),
            Filter("active", _("Status"), "is_active", _active_choices()),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="name",
        create_url=reverse("catalog:product_create") if is_admin(request.user) else "",
        create_label=_("New product"),
    )
    queryset = selectors.product_list()
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible_or_404(Product.objects.select_related("line"), pk=pk)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "current_prices": selectors.product_prices_current(product_id=product.pk, on=today()),
            "history": selectors.product_price_history(product_id=product.pk),
            "can_edit": is_admin(request.user),
        },
    )


@login_required
@require(is_admin)
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductCreateForm(request.POST or None, initial={"line": request.GET.get("line")})
    done = save_and_redirect(
        request,
        form,
        lambda d: services.product_create(**d),
        _("Product created."),
        lambda p: p.get_absolute_url(),
    )
    return done or form_page(request, form, _("New product"), reverse("catalog:product_list"))


@login_required
@require(is_admin)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible_or_404(Product.objects.all(), pk=pk)
    form = ProductEditForm(
        request.POST or None,
        initial={
            "line": product.line_id,
            "name": product.name,
            "description": product.description,
            "is_active": product.is_active,
        },
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.product_update(product=product, **d),
        _("Product saved."),
        product.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Edit %(product)s") % {"product": product}, product.get_absolute_url()
    )


@login_required
@require(is_admin)
def product_price_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible_or_404(Product.objects.all(), pk=pk)
    form = ProductPriceForm(
        request.POST or None, initial={"valid_from": today(), "currency": "EUR"}
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.product_price_set(product=product, **d),
        _("Price saved."),
        product.get_absolute_url(),
    )
    return done or form_page(
        request,
        form,
        _("New price for %(product)s") % {"product": product},
        product.get_absolute_url(),
    )


# --- product lines -----------------------------------------------------------------------------


@login_required
def productline_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Product lines"),
        columns=[
            Column(_("Code"), "code", sort="code", link=True),
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Products"), "product_count", sort="product_count", kind="number"),
            Column(_("Active"), "is_active", sort="is_active", kind="bool"),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="name",
        create_url=reverse("catalog:productline_create") if is_admin(request.user) else "",
        create_label=_("New product line"),
    )
    queryset = selectors.product_line_list()
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def productline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_visible_or_404(ProductLine.objects.all(), pk=pk)
    return render(
        request,
        "catalog/productline_detail.html",
        {
            "line": line,
            "products": line.products.order_by("name"),
            "can_edit": is_admin(request.user),
        },
    )


@login_required
@require(is_admin)
def productline_create(request: HttpRequest) -> HttpResponse:
    form = ProductLineCreateForm(request.POST or None)
    done = save_and_redirect(
        request,
        form,
        lambda d: services.product_line_create(**d),
        _("Product line created."),
        lambda line: line.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("New product line"), reverse("catalog:productline_list")
    )


@login_required
@require(is_admin)
def productline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_visible_or_404(ProductLine.objects.all(), pk=pk)
    form = ProductLineEditForm(
        request.POST or None,
        initial={"name": line.name, "description": line.description, "is_active": line.is_active},
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.product_line_update(line=line, **d),
        _("Product line saved."),
        line.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Edit %(line)s") % {"line": line}, line.get_absolute_url()
    )
