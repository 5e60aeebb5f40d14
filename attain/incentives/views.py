"""Pay pages: plans with their versions, components and assignments; payout runs and their
statements (with CSV and PDF); adjustments; disputes; My pay; the what-if and the audit log.

Pay is seen only by the person, their management line and compensation admins
(`selectors.can_see_pay`); pay someone may not see is a 404. Plan, run, what-if and audit
pages need `incentives.manage_pay` (403 otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.export import export_response
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.web import (
    call_service,
    delete_page,
    flash_refusal,
    form_page,
    get_visible_or_404,
    post_action,
    require,
    run_service,
)
from attain.incentives import selectors, services
from attain.incentives.forms import (
    AdjustmentForm,
    AssignmentEndForm,
    AssignmentForm,
    ComponentForm,
    DecideForm,
    DisputeForm,
    PlanForm,
    RunRequestForm,
    VersionEndForm,
    VersionForm,
    WhatIfForm,
)
from attain.incentives.models import (
    Assignment,
    Component,
    ComponentKind,
    DisputeStatus,
    PayoutLine,
    PayoutRun,
    Plan,
    PlanVersion,
    RunStatus,
    VersionStatus,
)
from attain.organization.models import Person
from attain.organization.selectors import person_of

pay_admin = require(selectors.is_pay_admin)


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


def _status(form: Any) -> int:
    return 400 if form.errors else 200


# ---------------------------------------------------------------- plans


@login_required
@pay_admin
def plan_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Compensation plans"),
        columns=[
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Description"), "description"),
            Column(_("Versions"), "version_count", sort="version_count", kind="number"),
        ],
        search=lambda qs, term: qs.filter(name__icontains=term),
        default_sort="name",
        create_url=reverse("incentives:plan_create"),
        create_label=_("New plan"),
    )
    queryset = selectors.plan_list()
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
@pay_admin
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST if request.method == "POST" else None)
    plan = run_service(request, form, lambda d: services.plan_create(**d), _("Plan created."))
    if plan:
        return redirect(plan.get_absolute_url())
    return form_page(
        request,
        form,
        _("New compensation plan"),
        reverse("incentives:plan_list"),
        _("Create plan"),
        status=_status(form),
    )


def _plan(pk: int) -> Plan:
    return get_visible_or_404(Plan.objects.all(), pk=pk)


@login_required
@pay_admin
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    return render(
        request,
        "incentives/plan_detail.html",
        {
            "plan": plan,
            "versions": plan.versions.order_by("-number"),
            "assignments": selectors.assignment_list(plan),
        },
    )


@login_required
@pay_admin
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    form = VersionForm(request.POST if request.method == "POST" else None)
    version = run_service(
        request,
        form,
        lambda d: services.version_create(plan=plan, **d),
        _("Draft version created."),
    )
    if version:
        return redirect(version.get_absolute_url())
    return form_page(
        request,
        form,
        _("New version of %(plan)s") % {"plan": plan},
        plan.get_absolute_url(),
        _("Create draft"),
        status=_status(form),
    )


def _version(pk: int) -> PlanVersion:
    return get_visible_or_404(PlanVersion.objects.select_related("plan", "published_by"), pk=pk)


def _pct(rate: Any) -> str:
    """A rate as a percentage: 0.08 → "8"."""
    if rate in (None, ""):
        return ""
    value = (Decimal(str(rate)) * 100).normalize()
    return format(value, "f")


def _table(rows: list[dict[str, str]], value_key: str) -> list[dict[str, str]]:
    return [
        {
            "floor": row.get("floor_pct", ""),
            "ceiling": row.get("ceiling_pct", ""),
            "value": row.get(value_key, ""),
            "pct": _pct(row.get(value_key)) if value_key == "rate" else "",
        }
        for row in rows
    ]


def _component_view(c: Component) -> dict[str, Any]:
    return {
        "component": c,
        "rate_pct": _pct(c.rate),
        "tiers": _table(c.tiers or [], "rate")
        if c.kind in (ComponentKind.MARGINAL, ComponentKind.RETROACTIVE)
        else [],
        "bands": _table(c.bands or [], "factor"),
    }


@login_required
@pay_admin
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    components = [_component_view(c) for c in selectors.version_components(version)]
    return render(
        request,
        "incentives/version_detail.html",
        {
            "version": version,
            "components": components,
            "is_draft": version.status == VersionStatus.DRAFT,
            "acceptances": version.acceptances.select_related("person").order_by("-accepted_at"),
        },
    )


@login_required
@pay_admin
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("A published version cannot change: copy it into a new draft."))
        return redirect(version.get_absolute_url())
    form = VersionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "effective_from": version.effective_from,
            "effective_to": version.effective_to,
            "goal_metric": version.goal_metric,
            "crediting": version.crediting,
            "document": version.document,
        },
    )
    if run_service(
        request,
        form,
        lambda d: services.version_update(version=version, **d),
        _("Version saved."),
    ):
        return redirect(version.get_absolute_url())
    return form_page(
        request,
        form,
        _("Edit %(version)s") % {"version": version},
        version.get_absolute_url(),
        status=_status(form),
    )


@login_required
@pay_admin
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        services.version_publish(version=version, by=_me(request))
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Version published."))
    return redirect(version.get_absolute_url())


@login_required
@pay_admin
@require_POST
def version_copy(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        copy = services.version_copy(version=version)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect(version.get_absolute_url())
    messages.success(request, _("Copied into a new draft version."))
    return redirect(copy.get_absolute_url())


@login_required
@pay_admin
def version_end(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    form = VersionEndForm(request.POST if request.method == "POST" else None)
    if run_service(
        request,
        form,
        lambda d: services.version_end(version=version, effective_to=d["effective_to"]),
        _("Version ended."),
    ):
        return redirect(version.get_absolute_url())
    return form_page(
        request,
        form,
        _("End %(version)s") % {"version": version},
        version.get_absolute_url(),
        _("End version"),
        status=_status(form),
    )


def _component_page(
    request: HttpRequest, version: PlanVersion, component: Component | None
) -> HttpResponse:
    form = ComponentForm(request.POST if request.method == "POST" else None, component=component)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.component_save(version=version, component=component, **form.terms()),
        )
        if saved is not None:
            messages.success(request, _("Component saved."))
            return redirect(version.get_absolute_url())
    title = (
        _("Edit %(component)s") % {"component": component}
        if component
        else _("New component of %(version)s") % {"version": version}
    )
    return render(
        request,
        "incentives/component_form.html",
        {
            "form": form,
            "title": title,
            "version": version,
            "cancel_url": version.get_absolute_url(),
        },
        status=_status(form),
    )


@login_required
@pay_admin
def component_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _component_page(request, _version(pk), None)


def _component(pk: int) -> Component:
    return get_visible_or_404(Component.objects.select_related("version__plan"), pk=pk)


@login_required
@pay_admin
def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    component = _component(pk)
    return _component_page(request, component.version, component)


@login_required
@pay_admin
def component_delete(request: HttpRequest, pk: int) -> HttpResponse:
    component = _component(pk)
    url = component.version.get_absolute_url()
    return delete_page(
        request,
        component,
        lambda: services.component_delete(component=component),
        success=_("Component deleted."),
        done_url=url,
        cancel_url=url,
    )


@login_required
@pay_admin
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    form = AssignmentForm(request.POST if request.method == "POST" else None)
    if run_service(
        request,
        form,
        lambda d: services.assignment_create(plan=plan, **d),
        _("Plan assigned."),
    ):
        return redirect(plan.get_absolute_url())
    return form_page(
        request,
        form,
        _("Assign %(plan)s") % {"plan": plan},
        plan.get_absolute_url(),
        _("Assign"),
        status=_status(form),
    )


@login_required
@pay_admin
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_visible_or_404(Assignment.objects.select_related("plan", "person"), pk=pk)
    form = AssignmentEndForm(request.POST if request.method == "POST" else None)
    if run_service(
        request,
        form,
        lambda d: services.assignment_end(assignment=assignment, end=d["end"]),
        _("Assignment ended."),
    ):
        return redirect(assignment.plan.get_absolute_url())
    return form_page(
        request,
        form,
        _("End %(assignment)s") % {"assignment": assignment},
        assignment.plan.get_absolute_url(),
        _("End assignment"),
        status=_status(form),
    )


# ---------------------------------------------------------------- payout runs


def _run_state(run: PayoutRun) -> str:
    if run.error:
        return _("failed: %(error)s") % {"error": run.error}
    if run.calculated_at is None:
        return _("calculating…")
    return date_format(timezone.localtime(run.calculated_at), "SHORT_DATETIME_FORMAT")


@login_required
@pay_admin
def run_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Payout runs"),
        columns=[
            Column(_("Period"), "period_label", sort="period_start", link=True),
            Column(_("Status"), "status", sort="status", kind="badge"),
            Column(_("Total"), "total", sort="total", kind="money"),
            Column(_("Payees"), "payees", sort="payees", kind="number"),
            Column(_("Calculated at"), "state", sort="calculated_at"),
        ],
        filters=[Filter("status", _("Status"), "status", RunStatus.choices)],
        default_sort="-period_start",
        create_url=reverse("incentives:run_request"),
        create_label=_("Request a run"),
    )
    queryset = selectors.run_list()
    if exported := list_export(request, queryset, spec, rows_hook=_label_runs):
        return exported
    context = list_page(request, queryset, spec)
    context["rows"] = list(context["rows"])
    _label_runs(context["rows"])
    return render(request, "core/list.html", context)


def _label_runs(runs: list[PayoutRun]) -> None:
    for run in runs:
        run.period_label = str(run)  # type: ignore[attr-defined]
        run.state = _run_state(run)  # type: ignore[attr-defined]


@login_required
@pay_admin
def run_request(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = RunRequestForm(request.POST if request.method == "POST" else None)
    run = run_service(
        request,
        form,
        lambda d: services.run_request(**d, by=me),
        _("Run requested: it is being calculated."),
    )
    if run:
        return redirect(run.get_absolute_url())
    return form_page(
        request,
        form,
        _("Request a payout run"),
        reverse("incentives:run_list"),
        _("Request run"),
        status=_status(form),
    )


def _run(pk: int) -> PayoutRun:
    return get_visible_or_404(
        PayoutRun.objects.select_related("requested_by", "approved_by", "paid_by"), pk=pk
    )


@login_required
@pay_admin
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    return render(
        request,
        "incentives/run_detail.html",
        {
            "run": run,
            "people": selectors.run_people(run, user=request.user),
            "adjustments": selectors.run_adjustments(run, user=request.user),
            "calculating": run.calculated_at is None and not run.error,
            "is_draft": run.status == RunStatus.DRAFT,
        },
    )


def _run_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    run = _run(pk)
    me = _me(request)
    return post_action(
        request, lambda: action(run, me), success=success, then=run.get_absolute_url()
    )


@login_required
@pay_admin
@require_POST
def run_recalculate(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run, me: services.run_request(
            period_start=run.period_start, period_end=run.period_end, by=me
        ),
        _("The run is being calculated again."),
    )


@login_required
@pay_admin
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run, me: services.run_approve(run=run, by=me),
        _("Run approved."),
    )


@login_required
@pay_admin
@require_POST
def run_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run, me: services.run_mark_paid(run=run, by=me),
        _("Run marked paid."),
    )


@login_required
@pay_admin
@require_POST
def run_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        services.run_discard(run=run)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect(run.get_absolute_url())
    messages.success(request, _("Run discarded."))
    return redirect("incentives:run_list")


@login_required
@pay_admin
def adjustment_create(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    run = None
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        run = PayoutRun.objects.filter(pk=int(run_id)).first()
    form = AdjustmentForm(
        request.POST if request.method == "POST" else None,
        initial={"effective_on": run.period_start if run else None},
    )
    back = run.get_absolute_url() if run else reverse("incentives:adjustment_list")
    if run_service(
        request,
        form,
        lambda d: services.adjustment_create(**d, author=me),
        _("Adjustment saved: it is paid in the run of its period."),
    ):
        return redirect(back)
    return form_page(
        request,
        form,
        _("New pay adjustment"),
        back,
        _("Save adjustment"),
        status=_status(form),
    )


# ---------------------------------------------------------------- statements


def _statement(request: HttpRequest, run_pk: int, person_pk: int) -> selectors.Statement:
    run = _run(run_pk)
    st = selectors.statement(user=request.user, run=run, person_id=person_pk)
    if not st.lines:
        raise Http404
    return st


@login_required
def statement(request: HttpRequest, run: int, person: int) -> HttpResponse:
    st = _statement(request, run, person)
    is_payee = st.person.user_id is not None and st.person.user_id == request.user.pk
    open_lines = {
        line_id for line_id, found in st.disputes.items() if any(d.status == "open" for d in found)
    }
    for line in st.lines:
        line.found_disputes = st.disputes.get(line.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "incentives/statement.html",
        {
            "st": st,
            "run": st.run,
            "can_dispute": is_payee and st.run.is_locked,
            "open_lines": open_lines,
            "dispute_form": DisputeForm(),
            "is_pay_admin": selectors.is_pay_admin(request.user),
        },
    )


@login_required
def statement_csv(request: HttpRequest, run: int, person: int) -> HttpResponse:
    st = _statement(request, run, person)
    header, *rows = selectors.statement_rows(st)
    return export_response(
        title=f"statement {st.person.full_name} {st.run.period_start:%Y-%m}",
        headers=header,
        rows=rows,
        fmt="csv",
    )


@login_required
def statement_pdf(request: HttpRequest, run: int, person: int) -> HttpResponse:
    from django.utils.text import slugify

    from attain.incentives.pdf import statement_pdf as render_pdf

    st = _statement(request, run, person)
    response = HttpResponse(render_pdf(st), content_type="application/pdf")
    filename = slugify(f"statement {st.person.full_name} {st.run.period_start:%Y-%m}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@login_required
def dispute_open(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    line = get_visible_or_404(
        PayoutLine.objects.filter(selectors.pay_people_q(request.user)).select_related("run"),
        pk=pk,
    )
    back = reverse("incentives:statement", args=[line.run_id, line.person_id])
    form = DisputeForm(request.POST if request.method == "POST" else None)
    dispute = run_service(
        request,
        form,
        lambda d: services.dispute_open(line=line, by=me, reason=d["reason"]),
        _("Dispute raised: a reviewer will answer it."),
    )
    if dispute:
        return redirect(dispute.get_absolute_url())
    return form_page(
        request,
        form,
        _("Dispute “%(line)s”") % {"line": line.label},
        back,
        _("Raise dispute"),
        status=_status(form),
    )


# ---------------------------------------------------------------- my pay


@login_required
def my_pay(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    return render(
        request,
        "incentives/my_pay.html",
        {
            "me": me,
            "statements": selectors.statements_of(me) if me else [],
            "plans": selectors.plans_of(me) if me else [],
            "disputes": selectors.dispute_list(user=request.user).filter(raised_by=me)
            if me
            else [],
        },
    )


@login_required
@require_POST
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    versions = [v.pk for v, _acceptance in selectors.plans_of(me)]
    version = get_visible_or_404(PlanVersion.objects.filter(pk__in=versions), pk=pk)
    try:
        services.plan_accept(version=version, person=me)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("You accepted %(version)s.") % {"version": version})
    return redirect("incentives:my_pay")


# ---------------------------------------------------------------- disputes


@login_required
def adjustment_list(request: HttpRequest) -> HttpResponse:
    """Every visible adjustment with the run of its period: one dated in a period not run yet
    is seen here before any statement shows it."""
    admin = selectors.is_pay_admin(request.user)
    spec = ListPage(
        title=_("Pay adjustments"),
        columns=[
            Column(_("Paid in the period of"), "effective_on", sort="effective_on", kind="date"),
            Column(_("Person"), "person.full_name", sort="person__last_name"),
            Column(_("Amount"), "amount", sort="amount", kind="money"),
            Column(_("Reason"), "reason"),
            Column(_("Author"), "author.full_name", sort="author__last_name"),
            Column(_("Run from"), "run_start", sort="run_start", kind="date"),
            Column(_("Run"), "run_state"),
        ],
        search=lambda qs, term: qs.filter(reason__icontains=term),
        default_sort="-effective_on",
        create_url=reverse("incentives:adjustment_create") if admin else "",
        create_label=_("New adjustment") if admin else "",
    )
    queryset = selectors.adjustments_with_runs(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Pay disputes"),
        columns=[
            Column(_("Line"), "line.label", link=True),
            Column(_("Paid to"), "line.person.full_name", sort="line__person__last_name"),
            Column(_("Run"), "line.run", sort="line__run__period_start"),
            Column(_("Raised by"), "raised_by.full_name"),
            Column(_("Raised"), "created_at", sort="created_at", kind="datetime"),
            Column(_("Status"), "status", sort="status", kind="badge"),
        ],
        filters=[Filter("status", _("Status"), "status", DisputeStatus.choices)],
        search=lambda qs, term: qs.filter(line__label__icontains=term),
        default_sort="-created_at",
    )
    queryset = selectors.dispute_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_visible_or_404(
        selectors.dispute_list(user=request.user).select_related("adjustment"), pk=pk
    )
    me = person_of(request.user)
    can_decide = (
        me is not None and dispute.status == DisputeStatus.OPEN and dispute.raised_by_id != me.pk
    )
    form = DecideForm(request.POST if request.method == "POST" and can_decide else None)
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    if can_decide and me is not None:
        reviewer = me
        if run_service(
            request,
            form,
            lambda d: services.dispute_decide(
                dispute=dispute,
                by=reviewer,
                upheld=d["decision"] == "uphold",
                outcome=d["outcome"],
                amount=d["amount"],
                effective_on=d["effective_on"],
            ),
            _("Dispute decided."),
        ):
            return redirect(dispute.get_absolute_url())
    return render(
        request,
        "incentives/dispute_detail.html",
        {"dispute": dispute, "form": form, "can_decide": can_decide},
        status=_status(form),
    )


# ---------------------------------------------------------------- what-if and audit log


@login_required
@pay_admin
def whatif(request: HttpRequest) -> HttpResponse:
    form = WhatIfForm(request.GET or None, versions=selectors.draft_versions())
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        periods = selectors.past_months(last=data["last_month"], count=data["months"])
        result = selectors.what_if(version=data["version"], periods=periods)
    return render(
        request,
        "incentives/whatif.html",
        {"form": form, "result": result},
        status=_status(form),
    )


@login_required
@pay_admin
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "incentives/audit_log.html", {"entries": selectors.audit_log(limit=200)})
