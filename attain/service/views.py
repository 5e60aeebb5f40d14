"""Complaint pages: the list, opening one (from the list or an account's page), its detail with
the resolve form, resolving and reopening.

Every page works on `Complaint.objects.visible_to(user)`: a complaint the user cannot see is a
404, exactly like a missing one. Complaints are resolved, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.web import call_service, form_page, get_visible_or_404
from attain.customers.models import Account
from attain.customers.selectors import owner_is_covered
from attain.service import selectors, services
from attain.service.forms import ComplaintForm, ComplaintResolveForm
from attain.service.models import Complaint, ComplaintCategory, ComplaintStatus

#: Fields of the new-complaint form that a GET may preset (the account link, an htmx reload).
PRESET_FIELDS = (
    "account",
    "order",
    "contact",
    "category",
    "subject",
    "description",
    "opened_on",
    "owner",
    "external_ref",
)


def _visible_complaint(request: HttpRequest, pk: int) -> Complaint:
    return get_visible_or_404(Complaint.objects.visible_to(request.user), pk=pk)


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Complaints"),
        columns=[
            Column(_("Opened on"), "opened_on", sort="opened_on", kind="date"),
            Column(_("Subject"), "subject", sort="subject", link=True),
            Column(_("Account"), "account.name", sort="account__name"),
            Column(_("Category"), "get_category_display", sort="category"),
            Column(_("Order"), "order.number", sort="order__number"),
            Column(_("Owner"), "owner.full_name", sort="owner__last_name"),
            Column(_("Status"), "get_status_display", sort="status", kind="badge"),
            Column(_("Resolved on"), "resolved_on", sort="resolved_on", kind="date"),
        ],
        filters=[
            Filter("status", _("Status"), "status", ComplaintStatus.choices),
            Filter("category", _("Category"), "category", ComplaintCategory.choices),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="-opened_on",
        create_url=reverse("service:complaint_create"),
        create_label=_("New complaint"),
    )
    queryset = selectors.complaint_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(
        Complaint.objects.visible_to(request.user).select_related(
            "account", "order", "contact", "owner", "unit", "territory"
        ),
        pk=pk,
    )
    is_open = complaint.status == ComplaintStatus.OPEN
    return render(
        request,
        "service/complaint_detail.html",
        {
            "complaint": complaint,
            "resolve_form": ComplaintResolveForm(auto_id="resolve_%s") if is_open else None,
        },
    )


def _chosen_account(request: HttpRequest) -> Account | None:
    """The account of the form: the one posted, else the one asked for in the query string
    (`?account=<id>`, a 404 when the user may not see it)."""
    visible = Account.objects.visible_to(request.user)
    if request.method == "POST":
        try:
            return visible.filter(pk=int(request.POST.get("account", ""))).first()
        except ValueError:
            return None
    if request.GET.get("account"):
        return get_visible_or_404(visible, pk=request.GET["account"])
    return None


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    account = _chosen_account(request)
    initial = {name: request.GET[name] for name in PRESET_FIELDS if request.GET.get(name)}
    form = ComplaintForm(request.POST or None, user=request.user, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        if owner is not None and not owner_is_covered(user=request.user, person_id=owner.pk):
            form.add_error(
                "owner", _("You may only choose yourself or people in the units you lead.")
            )
        else:
            complaint = call_service(
                form,
                lambda: services.complaint_open(
                    account=data["account"],
                    category=data["category"],
                    subject=data["subject"],
                    opened_on=data["opened_on"],
                    description=data["description"],
                    order=data["order"],
                    contact=data["contact"],
                    owner=owner,
                    external_ref=data["external_ref"],
                ),
            )
            if complaint is not None:
                messages.success(request, _("Complaint opened."))
                return redirect(complaint.get_absolute_url())
    cancel_url = account.get_absolute_url() if account else reverse("service:complaint_list")
    status = 422 if request.method == "POST" else 200
    return form_page(
        request, form, _("New complaint"), cancel_url, _("Open complaint"), status=status
    )


@login_required
def complaint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _visible_complaint(request, pk)
    form = ComplaintResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        done = call_service(
            form,
            lambda: services.complaint_resolve(
                complaint=complaint,
                resolved_on=data["resolved_on"],
                resolution=data["resolution"],
            ),
        )
        if done is not None:
            messages.success(request, _("Complaint resolved."))
            return redirect(complaint.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return form_page(
        request,
        form,
        _("Resolve: %(complaint)s") % {"complaint": complaint},
        complaint.get_absolute_url(),
        _("Resolve"),
        status=status,
    )


@login_required
@require_POST
def complaint_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _visible_complaint(request, pk)
    try:
        services.complaint_reopen(complaint=complaint)
        messages.success(request, _("Complaint reopened."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(complaint.get_absolute_url())
