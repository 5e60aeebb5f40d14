"""Pipeline pages: deals with their stage timeline, leads, activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.export import EXPORT_FORMATS, export_response
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.visibility import is_admin
from attain.core.web import (
    delete_page,
    form_page,
    get_visible_or_404,
    require,
    run_service,
)
from attain.organization.models import Person
from attain.organization.selectors import person_of
from attain.organization.visibility import scope_for
from attain.pipeline import selectors, services
from attain.pipeline.forms import (
    ActivityForm,
    DealCreateForm,
    DealEditForm,
    DealLoseForm,
    DealWinForm,
    LeadConvertForm,
    LeadForm,
    LostReasonEditForm,
    LostReasonForm,
    StageEditForm,
    StageForm,
    StageMoveForm,
)
from attain.pipeline.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Channel,
    Deal,
    DealStatus,
    Lead,
    LeadSource,
    LeadStatus,
    LostReason,
    Stage,
)
from attain.pipeline.permissions import may_delete_activity, may_delete_stamped, may_own


def _check_owner(form: Any, user: Any) -> bool:
    owner = form.cleaned_data.get("owner")
    if owner is not None and not may_own(user, owner):
        form.add_error("owner", _("You may only choose yourself or people in the units you lead."))
        return False
    return True


def _choices(qs: Any) -> list[tuple[str, str]]:
    return [(str(obj.pk), str(obj)) for obj in qs]


# --- deals -------------------------------------------------------------------------------------


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Deals"),
        columns=[
            Column(_("Deal"), "name", sort="name", link=True),
            Column(_("Account"), "account.name", sort="account__name"),
            Column(_("Owner"), "owner.full_name", sort="owner__last_name"),
            Column(_("Stage"), "stage.name", sort="stage__position"),
            Column(
                _("Value (%(currency)s)") % {"currency": settings.REPORTING_CURRENCY},
                "amount_reporting",
                sort="amount_reporting",
                kind="money",
            ),
            Column(_("Probability"), "probability", sort="probability", kind="percent"),
            Column(_("Weighted"), "weighted_value", sort="weighted_value", kind="money"),
            Column(_("Expected close"), "expected_close_on", sort="expected_close_on", kind="date"),
            Column(_("Status"), "status", sort="status", kind="badge"),
        ],
        filters=[
            Filter("status", _("Status"), "status", DealStatus.choices),
            Filter("stage", _("Stage"), "stage_id", _choices(selectors.stage_list())),
            Filter(
                "owner",
                _("Owner"),
                "owner_id",
                _choices(Person.objects.visible_to(request.user).order_by("last_name", "pk")),
            ),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="-created_on",
        create_url=reverse("pipeline:deal_create"),
        create_label=_("New deal"),
    )
    queryset = selectors.deal_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    context = list_page(request, queryset, spec)
    context["summary"] = selectors.pipeline_summary(user=request.user)
    return render(request, "pipeline/deal_list.html", context)


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(
        Deal.objects.visible_to(request.user)
        .with_weighted_value()
        .select_related("owner", "account", "stage", "lost_reason", "contact", "lead", "unit"),
        pk=pk,
    )
    return render(
        request,
        "pipeline/deal_detail.html",
        {
            "deal": deal,
            "history": selectors.deal_stage_history(deal=deal),
            "activities": Activity.objects.visible_to(request.user)
            .filter(deal=deal)
            .select_related("owner")
            .order_by("-occurred_at")[:50],
            "product_lines": deal.product_lines.all(),
            # distinct element ids: the three small forms share one page
            "move_form": StageMoveForm(initial={"stage": deal.stage_id}, auto_id="move_%s"),
            "win_form": DealWinForm(auto_id="win_%s"),
            "lose_form": DealLoseForm(auto_id="lose_%s"),
            "can_delete": may_delete_stamped(request.user, deal),
        },
    )


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DealCreateForm(
        request.POST or None, user=user, initial={"owner": scope_for(user).person_id}
    )

    def create(data: dict[str, Any]) -> Deal | None:
        if not _check_owner(form, user):
            return None
        return services.deal_create(
            name=data["name"],
            account=data["account"],
            owner=data["owner"],
            amount=data["amount"],
            currency=data["currency"],
            expected_close_on=data["expected_close_on"],
            stage=data["stage"],
            created_on=data["created_on"],
            product_lines=data["product_lines"],
            contact=data["contact"],
            probability=data["probability"],
            by=person_of(request.user),
        )

    deal = run_service(request, form, create, _("Deal created."))
    if isinstance(deal, Deal):
        return redirect(deal.get_absolute_url())
    return form_page(request, form, _("New deal"), reverse("pipeline:deal_list"))


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    deal = get_visible_or_404(Deal.objects.visible_to(user), pk=pk)
    initial = {
        "name": deal.name,
        "account": deal.account_id,
        "owner": deal.owner_id,
        "amount": deal.amount,
        "currency": deal.currency,
        "expected_close_on": deal.expected_close_on,
        "contact": deal.contact_id,
        "product_lines": list(deal.product_lines.values_list("pk", flat=True)),
        "probability": deal.probability,
    }
    form = DealEditForm(request.POST or None, user=user, deal=deal, initial=initial)

    def update(data: dict[str, Any]) -> Deal | None:
        if data["owner"].pk != deal.owner_id and not _check_owner(form, user):
            return None
        changes: dict[str, Any] = {
            "name": data["name"],
            "amount": data["amount"],
            "currency": data["currency"],
            "expected_close_on": data["expected_close_on"],
            "contact": data["contact"],
            "product_lines": data["product_lines"],
            "owner": data["owner"],
        }
        if data["probability"] is not None and data["probability"] != deal.probability:
            changes["probability"] = data["probability"]
        return services.deal_update(deal=deal, **changes)

    result = run_service(request, form, update, _("Deal saved."))
    if isinstance(result, Deal):
        return redirect(result.get_absolute_url())
    return form_page(request, form, _("Edit %(deal)s") % {"deal": deal}, deal.get_absolute_url())


@login_required
def deal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(Deal.objects.visible_to(request.user), pk=pk)
    if not may_delete_stamped(request.user, deal):
        raise PermissionDenied
    return delete_page(
        request,
        deal,
        lambda: services.deal_delete(deal=deal),
        success=_("Deal deleted."),
        done_url=reverse("pipeline:deal_list"),
        cancel_url=deal.get_absolute_url(),
    )


def _deal_action(
    request: HttpRequest,
    pk: int,
    form_class: type,
    action: Callable[[Deal, dict[str, Any]], Any],
    title: str,
    success: str,
) -> HttpResponse:
    deal = get_visible_or_404(Deal.objects.visible_to(request.user), pk=pk)
    form = form_class(request.POST or None)
    if run_service(request, form, lambda data: action(deal, data), success):
        return redirect(deal.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return form_page(
        request, form, f"{title}: {deal}", deal.get_absolute_url(), title, status=status
    )


@login_required
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_action(
        request,
        pk,
        StageMoveForm,
        lambda deal, d: services.deal_move_stage(
            deal=deal, stage=d["stage"], by=person_of(request.user)
        ),
        _("Move stage"),
        _("Stage changed."),
    )


@login_required
def deal_win(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_action(
        request,
        pk,
        DealWinForm,
        lambda deal, d: services.deal_close_won(
            deal=deal, closed_on=d["closed_on"], by=person_of(request.user)
        ),
        _("Close as won"),
        _("Deal won."),
    )


@login_required
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_action(
        request,
        pk,
        DealLoseForm,
        lambda deal, d: services.deal_close_lost(
            deal=deal,
            reason=d["reason"],
            closed_on=d["closed_on"],
            note=d["note"],
            by=person_of(request.user),
        ),
        _("Close as lost"),
        _("Deal lost."),
    )


@login_required
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_action(
        request,
        pk,
        StageMoveForm,
        lambda deal, d: services.deal_reopen(
            deal=deal, stage=d["stage"], by=person_of(request.user)
        ),
        _("Reopen"),
        _("Deal reopened."),
    )


# --- leads -------------------------------------------------------------------------------------


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Leads"),
        columns=[
            Column(_("Company"), "company", sort="company", link=True),
            Column(_("Contact"), "contact_name"),
            Column(_("Source"), "source", sort="source"),
            Column(_("Channel"), "channel", sort="channel"),
            Column(_("Owner"), "owner.full_name", sort="owner__last_name"),
            Column(_("Received"), "received_on", sort="received_on", kind="date"),
            Column(_("Status"), "status", sort="status", kind="badge"),
        ],
        filters=[
            Filter("status", _("Status"), "status", LeadStatus.choices),
            Filter("source", _("Source"), "source", LeadSource.choices),
            Filter("channel", _("Channel"), "channel", Channel.choices),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="-received_on",
        create_url=reverse("pipeline:lead_create"),
        create_label=_("New lead"),
    )
    queryset = selectors.lead_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    context = list_page(request, queryset, spec)
    return render(request, "core/list.html", context)


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_visible_or_404(
        Lead.objects.visible_to(request.user).select_related("owner", "account", "unit"), pk=pk
    )
    return render(
        request,
        "pipeline/lead_detail.html",
        {
            "lead": lead,
            "deals": Deal.objects.visible_to(request.user)
            .filter(lead=lead)
            .select_related("stage"),
            "activities": Activity.objects.visible_to(request.user)
            .filter(lead=lead)
            .select_related("owner")
            .order_by("-occurred_at")[:50],
            "can_delete": may_delete_stamped(request.user, lead),
            "can_convert": lead.status in (LeadStatus.NEW, LeadStatus.QUALIFIED),
        },
    )


LEAD_FORM_FIELDS = (
    "company",
    "contact_name",
    "email",
    "phone",
    "source",
    "channel",
    "received_on",
    "account",
    "notes",
)


def _lead_data(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in LEAD_FORM_FIELDS}


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = LeadForm(request.POST or None, user=user, initial={"owner": scope_for(user).person_id})

    def create(data: dict[str, Any]) -> Lead | None:
        if not _check_owner(form, user):
            return None
        return services.lead_create(owner=data["owner"], **_lead_data(data))

    lead = run_service(request, form, create, _("Lead created."))
    if isinstance(lead, Lead):
        return redirect(lead.get_absolute_url())
    return form_page(request, form, _("New lead"), reverse("pipeline:lead_list"))


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    lead = get_visible_or_404(Lead.objects.visible_to(user), pk=pk)
    initial = {name: getattr(lead, name) for name in LEAD_FORM_FIELDS}
    initial.update({"owner": lead.owner_id, "account": lead.account_id})
    form = LeadForm(request.POST or None, user=user, lead=lead, initial=initial)

    def update(data: dict[str, Any]) -> Lead | None:
        if data["owner"].pk != lead.owner_id and not _check_owner(form, user):
            return None
        return services.lead_update(lead=lead, owner=data["owner"], **_lead_data(data))

    result = run_service(request, form, update, _("Lead saved."))
    if isinstance(result, Lead):
        return redirect(result.get_absolute_url())
    return form_page(request, form, _("Edit %(lead)s") % {"lead": lead}, lead.get_absolute_url())


@login_required
def lead_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_visible_or_404(Lead.objects.visible_to(request.user), pk=pk)
    if not may_delete_stamped(request.user, lead):
        raise PermissionDenied
    return delete_page(
        request,
        lead,
        lambda: services.lead_delete(lead=lead),
        success=_("Lead deleted."),
        done_url=reverse("pipeline:lead_list"),
        cancel_url=lead.get_absolute_url(),
    )


@login_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    lead = get_visible_or_404(Lead.objects.visible_to(user), pk=pk)
    form = LeadConvertForm(
        request.POST or None,
        user=user,
        initial={"name": lead.company, "account": lead.account_id},
    )
    deal = run_service(
        request,
        form,
        lambda d: services.lead_convert(lead=lead, by=person_of(request.user), **d),
        _("Lead converted into a deal."),
    )
    if isinstance(deal, Deal):
        return redirect(deal.get_absolute_url())
    return form_page(
        request,
        form,
        _("Convert %(lead)s into a deal") % {"lead": lead},
        lead.get_absolute_url(),
        _("Convert"),
    )


@login_required
@require_POST
def lead_qualify(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_visible_or_404(Lead.objects.visible_to(request.user), pk=pk)
    try:
        services.lead_qualify(lead=lead)
        messages.success(request, _("Lead qualified."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(lead.get_absolute_url())


# --- activities --------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Activities"),
        columns=[
            Column(_("Subject"), "subject", sort="subject", link=True),
            Column(_("Type"), "kind", sort="kind"),
            Column(_("When"), "occurred_at", sort="occurred_at", kind="datetime"),
            Column(_("Minutes"), "minutes", sort="minutes", kind="number"),
            Column(_("Outcome"), "outcome", sort="outcome"),
            Column(_("Owner"), "owner.full_name", sort="owner__last_name"),
            Column(_("Deal"), "deal.name"),
            Column(_("Account"), "account.name"),
        ],
        filters=[
            Filter("kind", _("Type"), "kind", ActivityKind.choices),
            Filter("outcome", _("Outcome"), "outcome", ActivityOutcome.choices),
        ],
        search=lambda qs, term: qs.search(term),
        default_sort="-occurred_at",
        create_url=reverse("pipeline:activity_create"),
        create_label=_("Log activity"),
    )
    queryset = selectors.activity_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    context = list_page(request, queryset, spec)
    return render(request, "core/list.html", context)


def _activity_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data[name]
        for name in (
            "kind",
            "occurred_at",
            "minutes",
            "outcome",
            "subject",
            "notes",
            "deal",
            "account",
            "lead",
        )
    }


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {"owner": scope_for(user).person_id}
    cancel_url = reverse("pipeline:activity_list")
    deal_param = request.GET.get("deal", "")
    if deal_param:
        deal = get_visible_or_404(Deal.objects.visible_to(user), pk=deal_param)
        initial.update({"deal": deal.pk, "account": deal.account_id})
        cancel_url = deal.get_absolute_url()
    form = ActivityForm(request.POST or None, user=user, initial=initial)

    def create(data: dict[str, Any]) -> Activity | None:
        if not _check_owner(form, user):
            return None
        return services.activity_log(owner=data["owner"], **_activity_data(data))

    activity = run_service(request, form, create, _("Activity logged."))
    if isinstance(activity, Activity):
        return redirect(activity.deal.get_absolute_url() if activity.deal else cancel_url)
    return form_page(request, form, _("Log activity"), cancel_url)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_visible_or_404(Activity.objects.visible_to(user), pk=pk)
    initial = {
        "kind": activity.kind,
        "occurred_at": activity.occurred_at,
        "minutes": activity.minutes,
        "outcome": activity.outcome,
        "subject": activity.subject,
        "notes": activity.notes,
        "owner": activity.owner_id,
        "deal": activity.deal_id,
        "account": activity.account_id,
        "lead": activity.lead_id,
    }
    form = ActivityForm(
        request.POST or None, user=user, current_owner_id=activity.owner_id, initial=initial
    )

    def update(data: dict[str, Any]) -> Activity | None:
        if data["owner"].pk != activity.owner_id and not _check_owner(form, user):
            return None
        return services.activity_update(
            activity=activity, owner=data["owner"], **_activity_data(data)
        )

    result = run_service(request, form, update, _("Activity saved."))
    if isinstance(result, Activity):
        return redirect("pipeline:activity_list")
    return form_page(
        request,
        form,
        _("Edit %(activity)s") % {"activity": activity},
        reverse("pipeline:activity_list"),
    )


@login_required
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_or_404(Activity.objects.visible_to(request.user), pk=pk)
    if not may_delete_activity(request.user, activity):
        raise PermissionDenied
    return delete_page(
        request,
        activity,
        lambda: services.activity_delete(activity=activity),
        success=_("Activity deleted."),
        done_url=reverse("pipeline:activity_list"),
        cancel_url=reverse("pipeline:activity_list"),
    )


# --- managed lists: stages and lost reasons (everyone reads, sales operations change) ----------


@login_required
def stage_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Stages"),
        columns=[
            Column(_("Position"), "position", sort="position", kind="number"),
            Column(_("Name"), "name", sort="name"),
            Column(_("Code"), "code"),
            Column(_("Probability %"), "probability", sort="probability", kind="number"),
            Column(_("Won stage"), "is_won"),
            Column(_("Lost stage"), "is_lost"),
            Column(_("Active"), "is_active"),
        ],
        default_sort="position",
        create_url=reverse("pipeline:stage_create") if is_admin(request.user) else "",
        create_label=_("New stage"),
        extra={"row_edit_url": "pipeline:stage_edit" if is_admin(request.user) else ""},
    )
    if exported := list_export(request, Stage.objects.all(), spec):
        return exported
    return render(request, "core/list.html", list_page(request, Stage.objects.all(), spec))


@login_required
@require(is_admin)
def stage_create(request: HttpRequest) -> HttpResponse:
    form = StageForm(request.POST or None)
    if run_service(request, form, lambda d: services.stage_create(**d), _("Stage created.")):
        return redirect("pipeline:stage_list")
    return form_page(request, form, _("New stage"), reverse("pipeline:stage_list"))


@login_required
@require(is_admin)
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_visible_or_404(Stage.objects.all(), pk=pk)
    form = StageEditForm(
        request.POST or None,
        initial={f: getattr(stage, f) for f in ("name", "position", "probability", "is_active")},
    )
    if run_service(
        request, form, lambda d: services.stage_update(stage=stage, **d), _("Stage saved.")
    ):
        return redirect("pipeline:stage_list")
    return form_page(
        request, form, _("Edit stage %(name)s") % {"name": stage}, reverse("pipeline:stage_list")
    )


@login_required
def lostreason_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Lost reasons"),
        columns=[
            Column(_("Name"), "name", sort="name"),
            Column(_("Code"), "code", sort="code"),
            Column(_("Active"), "is_active"),
        ],
        default_sort="name",
        create_url=reverse("pipeline:lostreason_create") if is_admin(request.user) else "",
        create_label=_("New lost reason"),
        extra={"row_edit_url": "pipeline:lostreason_edit" if is_admin(request.user) else ""},
    )
    if exported := list_export(request, LostReason.objects.all(), spec):
        return exported
    return render(request, "core/list.html", list_page(request, LostReason.objects.all(), spec))


@login_required
@require(is_admin)
def lostreason_create(request: HttpRequest) -> HttpResponse:
    form = LostReasonForm(request.POST or None)
    if run_service(
        request, form, lambda d: services.lost_reason_create(**d), _("Lost reason created.")
    ):
        return redirect("pipeline:lostreason_list")
    return form_page(request, form, _("New lost reason"), reverse("pipeline:lostreason_list"))


@login_required
@require(is_admin)
def lostreason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reason = get_visible_or_404(LostReason.objects.all(), pk=pk)
    form = LostReasonEditForm(
        request.POST or None, initial={"name": reason.name, "is_active": reason.is_active}
    )
    if run_service(
        request,
        form,
        lambda d: services.lost_reason_update(lost_reason=reason, **d),
        _("Lost reason saved."),
    ):
        return redirect("pipeline:lostreason_list")
    return form_page(
        request, form, _("Edit %(name)s") % {"name": reason}, reverse("pipeline:lostreason_list")
    )


WIN_RATE_BY = [
    ("product", _("Product")),
    ("product_line", _("Product line")),
    ("seller", _("Seller")),
]


def _date_param(request: HttpRequest, name: str) -> Any:
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@login_required
def win_rates(request: HttpRequest) -> HttpResponse:
    """Win rate per product, product line or seller of the deals the user sees, closed in a
    window (default: all closed deals)."""
    by = request.GET.get("by", "product")
    if by not in dict(WIN_RATE_BY):
        by = "product"
    start, end = _date_param(request, "start"), _date_param(request, "end")
    rows = selectors.deal_win_rates(user=request.user, by=by, start=start, end=end)
    fmt = request.GET.get("export", "")
    if fmt in EXPORT_FORMATS:
        return export_response(
            title=f"Win rates by {by}",
            headers=[
                str(dict(WIN_RATE_BY)[by]),
                _("Won"),
                _("Lost"),
                _("Win rate %"),
                _("Won value"),
                _("Lost value"),
                _("Win rate by value %"),
            ],
            rows=(
                [r.label, r.won, r.lost, r.win_rate, r.won_value, r.lost_value, r.win_rate_by_value]
                for r in rows
            ),
            fmt=fmt,
        )
    params = request.GET.copy()
    params.pop("export", None)
    return render(
        request,
        "pipeline/win_rates.html",
        {
            "rows": rows,
            "by": by,
            "by_choices": WIN_RATE_BY,
            "start": start,
            "end": end,
            "query": params.urlencode(),
        },
    )
