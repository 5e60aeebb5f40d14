"""Customer pages: accounts and their contacts, each limited to what the user may see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.web import call_service, delete_page, form_page, get_visible_or_404
from attain.customers import selectors, services
from attain.customers.forms import AccountForm, ContactForm
from attain.customers.models import Account, Contact, Segment, SizeBand
from attain.organization.models import Person
from attain.organization.visibility import scope_for

ACCOUNT_FORM_FIELDS = (
    "name",
    "segment",
    "owner",
    "industry",
    "size_band",
    "employees",
    "annual_revenue",
    "country",
    "region",
    "city",
    "website",
    "parent",
    "external_ref",
)
CONTACT_FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "is_primary",
    "external_ref",
)


def _owner_error(form: AccountForm) -> None:
    form.add_error(
        "owner", _("You may only assign accounts to yourself or to people in the units you lead.")
    )


# --- accounts ----------------------------------------------------------------------------------


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    visible = Account.objects.visible_to(request.user)
    countries = [
        (code, code)
        for code in visible.exclude(country="")
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    ]
    spec = ListPage(
        title=_("Accounts"),
        columns=[
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Segment"), "get_segment_display", sort="segment"),
            Column(_("Size"), "get_size_band_display", sort="size_band"),
            Column(_("Industry"), "industry", sort="industry"),
            Column(_("City"), "city", sort="city"),
            Column(_("Country"), "country", sort="country"),
            Column(_("Account manager"), "owner.full_name", sort="owner__last_name"),
            Column(_("Created"), "created_at.date", sort="created_at", kind="date"),
        ],
        filters=[
            Filter("segment", _("Segment"), "segment", Segment.choices),
            Filter("size", _("Size"), "size_band", SizeBand.choices),
            Filter("country", _("Country"), "country", countries),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="name",
        create_url=reverse("customers:account_create"),
        create_label=_("New account"),
    )
    queryset = selectors.account_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(
        Account.objects.visible_to(request.user).select_related(
            "owner", "unit", "territory", "parent"
        ),
        pk=pk,
    )
    return render(
        request,
        "customers/account_detail.html",
        {
            "account": account,
            "contacts": account.contacts.order_by("-is_primary", "last_name", "first_name"),
            "subsidiaries": Account.objects.visible_to(request.user).filter(parent=account),
            "can_delete": selectors.account_can_delete(user=request.user, account=account),
        },
    )


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = AccountForm(
        request.POST or None,
        initial={"owner": scope.person_id},
        owners=selectors.owners_covered_by(user=request.user),
        parents=Account.objects.visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not selectors.owner_is_covered(user=request.user, person_id=data["owner"].pk):
            _owner_error(form)
        else:
            account = call_service(form, lambda: services.account_create(**data))
            if account is not None:
                messages.success(request, _("Account created."))
                return redirect(account.get_absolute_url())
    return form_page(request, form, _("New account"), reverse("customers:account_list"))


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(Account.objects.visible_to(request.user), pk=pk)
    owners = selectors.owners_covered_by(user=request.user) | Person.objects.filter(
        pk=account.owner_id
    )
    form = AccountForm(
        request.POST or None,
        initial={name: getattr(account, name) for name in ACCOUNT_FORM_FIELDS},
        owners=owners.distinct(),
        parents=Account.objects.visible_to(request.user).exclude(pk=account.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_owner = data["owner"]
        if new_owner.pk != account.owner_id and not selectors.owner_is_covered(
            user=request.user, person_id=new_owner.pk
        ):
            _owner_error(form)
        else:
            saved = call_service(form, lambda: services.account_update(account=account, **data))
            if saved is not None:
                messages.success(request, _("Account saved."))
                return redirect(account.get_absolute_url())
    return form_page(
        request, form, _("Edit %(account)s") % {"account": account}, account.get_absolute_url()
    )


@login_required
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(Account.objects.visible_to(request.user), pk=pk)
    if not selectors.account_can_delete(user=request.user, account=account):
        raise PermissionDenied
    return delete_page(
        request,
        account,
        lambda: services.account_delete(account=account),
        success=_("Account deleted."),
        done_url=reverse("customers:account_list"),
        cancel_url=account.get_absolute_url(),
    )


# --- contacts ----------------------------------------------------------------------------------


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Contacts"),
        columns=[
            Column(_("Name"), "full_name", sort="last_name", link=True),
            Column(_("Account"), "account.name", sort="account__name"),
            Column(_("Job title"), "job_title", sort="job_title"),
            Column(_("Email"), "email", sort="email"),
            Column(_("Phone"), "phone"),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="last_name",
        create_url=reverse("customers:private_contact_create"),
        create_label=_("New private contact"),
    )
    queryset = selectors.contact_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(
        Contact.objects.visible_to(request.user).select_related("account"), pk=pk
    )
    return render(request, "customers/contact_detail.html", {"contact": contact})


@login_required
def contact_create(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = get_visible_or_404(Account.objects.visible_to(request.user), pk=account_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = call_service(
            form, lambda: services.contact_create(account=account, **form.cleaned_data)
        )
        if contact is not None:
            messages.success(request, _("Contact added."))
            return redirect(account.get_absolute_url())
    return form_page(
        request,
        form,
        _("New contact at %(account)s") % {"account": account},
        account.get_absolute_url(),
    )


@login_required
def private_contact_create(request: HttpRequest) -> HttpResponse:
    """A contact of the signed-in person's own, at no account (a consumer, or someone whose
    company is not known yet); seen by its owner and by sales operations."""
    person_id = scope_for(request.user).person_id
    if person_id is None:
        messages.error(
            request,
            _(
                "Your login is not linked to a person, so a private contact would have no "
                "owner; add the contact at an account instead."
            ),
        )
        return redirect("customers:contact_list")
    owner = Person.objects.get(pk=person_id)
    form = ContactForm(request.POST or None)
    form.fields.pop("is_primary", None)  # primary at an account; a private contact has none
    if request.method == "POST" and form.is_valid():
        contact = call_service(
            form,
            lambda: services.contact_create(account=None, owner=owner, **form.cleaned_data),
        )
        if contact is not None:
            messages.success(request, _("Contact added."))
            return redirect(contact.get_absolute_url())
    return form_page(request, form, _("New private contact"), reverse("customers:contact_list"))


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact.objects.visible_to(request.user), pk=pk)
    form = ContactForm(
        request.POST or None,
        initial={name: getattr(contact, name) for name in CONTACT_FORM_FIELDS},
    )
    if contact.account_id is None:
        form.fields.pop("is_primary", None)  # a private contact is nobody's primary contact
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, lambda: services.contact_update(contact=contact, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("Contact saved."))
            return redirect(contact.get_absolute_url())
    return form_page(
        request, form, _("Edit %(contact)s") % {"contact": contact}, contact.get_absolute_url()
    )


@login_required
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(
        Contact.objects.visible_to(request.user).select_related("account"), pk=pk
    )
    return delete_page(
        request,
        contact,
        lambda: services.contact_delete(contact=contact),
        success=_("Contact deleted."),
        done_url=contact.account.get_absolute_url()
        if contact.account
        else reverse("customers:contact_list"),
        cancel_url=contact.get_absolute_url(),
    )
