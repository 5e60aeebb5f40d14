"""Order pages: list, detail with lifecycle, taking an order, its actions, and returns.

Every page works on `Order.objects.visible_to(user)`: an order the user cannot see is a 404,
exactly like a missing one. There is no delete page: orders are cancelled, never deleted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.money import reporting_currency
from attain.core.web import call_service, form_page, get_visible_or_404
from attain.orders import selectors, services
from attain.orders.forms import (
    PROMISED_FIELDS,
    AdvanceForm,
    CancelForm,
    OrderEditForm,
    OrderForm,
    OrderLineForm,
    OrderLineFormSet,
    PaymentForm,
    ReturnForm,
)
from attain.orders.models import Order, OrderLine, OrderStatus, ReturnReason
from attain.orders.permissions import may_own
from attain.orders.querysets import late_q
from attain.organization.selectors import person_of
from attain.pipeline.models import Deal, DealStatus


def _visible_order(request: HttpRequest, pk: int) -> Order:
    return get_visible_or_404(Order.objects.visible_to(request.user), pk=pk)


def _line_input(data: dict[str, Any]) -> services.OrderLineInput:
    return services.OrderLineInput(
        product=data["product"],
        quantity=data["quantity"],
        unit_price=data.get("unit_price"),
        discount_pct=data.get("discount_pct") or Decimal("0"),
    )


# --- orders ------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list(user=request.user).annotate(
        late_label=Case(When(late_q(), then=Value(_("late"))), default=Value(""))
    )
    spec = ListPage(
        title=_("Orders"),
        columns=[
            Column(_("Number"), "number", sort="number", link=True),
            Column(_("Account"), "account.name", sort="account__name"),
            Column(_("Owner"), "owner.full_name", sort="owner__last_name"),
            Column(_("Status"), "get_status_display", sort="status", kind="badge"),
            Column(_("Taken on"), "ordered_on", sort="ordered_on", kind="date"),
            Column(
                _("Delivery promised"),
                "delivery_promised_on",
                sort="delivery_promised_on",
                kind="date",
            ),
            Column(_("Late"), "late_label"),
            Column(
                _("Net total (%(currency)s)") % {"currency": reporting_currency()},
                "net_total_reporting",
                sort="net_total_reporting",
                kind="money",
            ),
        ],
        filters=[
            Filter("status", _("Status"), "status", OrderStatus.choices),
            Filter("late", _("Late"), "is_late", [("1", _("Late only"))]),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="-ordered_on",
        create_url=reverse("orders:order_create"),
        create_label=_("New order"),
    )
    queryset = orders
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = selectors.order_detail(user=request.user, order_id=pk)
    except (Order.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    next_step = selectors.order_next_step(order=order)
    cancellation = getattr(order, "cancellation", None) if order.status == "cancelled" else None
    returnable = order.status in services.RETURNABLE
    lifecycle = selectors.order_lifecycle(order=order)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "lifecycle": lifecycle,
            "is_late": any(step.late and not step.done for step in lifecycle),
            "cancellation": cancellation,
            "advance_form": AdvanceForm(current=order.status) if next_step else None,
            "can_cancel": order.status
            not in (OrderStatus.CANCELLED, OrderStatus.DELIVERED, OrderStatus.FOLLOWED_UP),
            "can_edit_lines": order.status == OrderStatus.TAKEN,
            "returnable": returnable,
        },
    )


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    initial: dict[str, Any] = {"owner": me.pk if me else None}
    deal: Deal | None = None
    deal_id = request.GET.get("deal") or request.POST.get("deal")
    if deal_id:
        deal = get_visible_or_404(
            Deal.objects.visible_to(request.user).select_related("account"), pk=deal_id
        )
        if deal.status != DealStatus.WON and request.method != "POST":
            messages.warning(request, _("Only a won deal can become an order."))
        initial.update(
            {
                "deal": deal.pk,
                "account": deal.account_id,
                "owner": deal.owner_id,
                "currency": deal.currency,
            }
        )
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    formset = OrderLineFormSet(request.POST or None, prefix="lines", form_kwargs={})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        lines = [_line_input(f.cleaned_data) for f in formset.forms if f.cleaned_data]
        if not may_own(request.user, data["owner"]):
            form.add_error(
                "owner", _("You may only choose yourself or people in the units you lead.")
            )
        elif deal is not None and deal.status != DealStatus.WON:
            form.add_error(None, _("Only a won deal can become an order."))
        else:
            order = call_service(
                form,
                lambda: services.order_create(
                    account=data["account"],
                    owner=data["owner"],
                    currency=data["currency"],
                    ordered_on=data["ordered_on"],
                    lines=lines,
                    deal=deal,
                    number=data["number"] or None,
                    notes=data["notes"],
                    external_ref=data["external_ref"],
                    **{name: data[name] for name in PROMISED_FIELDS},
                ),
            )
            if order is not None:
                messages.success(request, _("Order %(number)s taken.") % {"number": order.number})
                return redirect(order.get_absolute_url())
    return render(
        request,
        "orders/order_form.html",
        {
            "form": form,
            "formset": formset,
            "deal": deal,
            "title": _("New order"),
            "cancel_url": deal.get_absolute_url() if deal else reverse("orders:order_list"),
        },
    )


@login_required
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    fields = ("notes", "external_ref", *PROMISED_FIELDS)
    form = OrderEditForm(
        request.POST or None, initial={name: getattr(order, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, lambda: services.order_update(order=order, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Order saved."))
            return redirect(order.get_absolute_url())
    return render(
        request,
        "orders/order_edit.html",
        {
            "form": form,
            "order": order,
            "lines": order.lines.select_related("product").order_by("pk"),
            "line_form": OrderLineForm(prefix="line")
            if order.status == OrderStatus.TAKEN
            else None,
            "title": _("Edit order %(number)s") % {"number": order.number},
            "cancel_url": order.get_absolute_url(),
        },
    )


@login_required
def order_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    form = OrderLineForm(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid():
        line = call_service(
            form,
            lambda: services.order_line_add(order=order, line=_line_input(form.cleaned_data)),
        )
        if line is not None:
            messages.success(request, _("Line added."))
            return redirect("orders:order_edit", pk=order.pk)
    return form_page(
        request,
        form,
        _("Add a line to %(number)s") % {"number": order.number},
        reverse("orders:order_edit", args=[order.pk]),
        _("Add line"),
    )


@login_required
@require_POST
def order_line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    line = get_visible_or_404(OrderLine.objects.filter(order=order), pk=line_pk)
    try:
        services.order_line_remove(line=line)
        messages.success(request, _("Line removed."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("orders:order_edit", pk=order.pk)


@login_required
def order_advance(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    form = AdvanceForm(request.POST or None, current=order.status)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.order_advance(
                order=order,
                to_status=form.cleaned_data["to_status"],
                on=form.cleaned_data["on"],
                by=person_of(request.user),
            ),
        )
        if done is not None:
            messages.success(
                request, _("Order is now %(status)s.") % {"status": done.get_status_display()}
            )
            return redirect(order.get_absolute_url())
    return form_page(
        request,
        form,
        _("Advance order %(number)s") % {"number": order.number},
        order.get_absolute_url(),
        _("Advance"),
    )


@login_required
def order_payment(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form, lambda: services.order_record_payment(order=order, on=form.cleaned_data["on"])
        )
        if done is not None:
            messages.success(request, _("Payment recorded."))
            return redirect(order.get_absolute_url())
    return form_page(
        request,
        form,
        _("Record the payment of order %(number)s") % {"number": order.number},
        order.get_absolute_url(),
        _("Record payment"),
    )


@login_required
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.order_cancel(
                order=order,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=person_of(request.user),  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("Order cancelled."))
            return redirect(order.get_absolute_url())
    return form_page(
        request,
        form,
        _("Cancel order %(number)s") % {"number": order.number},
        order.get_absolute_url(),
        _("Cancel order"),
    )


# --- returns -----------------------------------------------------------------------------------


@login_required
def return_create(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = get_visible_or_404(
        OrderLine.objects.visible_to(request.user).select_related("order", "product"), pk=line_pk
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            lambda: services.order_return_record(
                line=line,
                quantity=data["quantity"],
                returned_on=data["returned_on"],
                reason=data["reason"],
                note=data["note"],
                by=person_of(request.user),  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("Return recorded."))
            return redirect(line.order.get_absolute_url())
    return form_page(
        request,
        form,
        _("Return on %(number)s: %(product)s")
        % {"number": line.order.number, "product": line.product},
        line.order.get_absolute_url(),
        _("Record return"),
    )


@login_required
def return_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Returns"),
        columns=[
            Column(_("Returned on"), "returned_on", sort="returned_on", kind="date"),
            Column(_("Order"), "line.order.number", sort="line__order__number", link=True),
            Column(_("Account"), "line.order.account.name", sort="line__order__account__name"),
            Column(_("Product"), "line.product.name", sort="line__product__name"),
            Column(_("Quantity"), "quantity", sort="quantity", kind="number"),
            Column(_("Reason"), "get_reason_display", sort="reason"),
            Column(_("Refund"), "amount", sort="amount", kind="money"),
            Column(_("Currency"), "line.order.currency"),
            Column(
                _("Refund (reporting)"), "amount_reporting", sort="amount_reporting", kind="money"
            ),
        ],
        filters=[Filter("reason", _("Reason"), "reason", ReturnReason.choices)],
        search=lambda qs, term: qs.search(term),
        default_sort="-returned_on",
    )
    queryset = selectors.return_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))
