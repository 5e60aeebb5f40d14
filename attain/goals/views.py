"""Goal pages: list with progress, detail (progress, pace, projection, revisions, milestones,
acknowledgements, cascade), create, revise, acknowledge, milestones, cascade, raise the bar,
and "My goals" for the signed-in seller.

Every page works on `Goal.objects.visible_to(user)`: a goal the user cannot see is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attain.core.periods import today
from attain.core.web import call_service, form_page, get_visible_or_404, run_service
from attain.goals import selectors, services
from attain.goals.forms import (
    AcknowledgeForm,
    CascadeForm,
    GoalForm,
    MilestoneForm,
    RaiseTheBarForm,
    ReviseForm,
)
from attain.goals.models import Goal, PeriodKind, ScopeKind
from attain.goals.permissions import may_acknowledge, may_set_any_goal, may_set_goal
from attain.organization.selectors import person_of


def _me(request: HttpRequest) -> Any:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


def _visible_goal(request: HttpRequest, pk: int) -> Goal:
    return get_visible_or_404(Goal.objects.visible_to(request.user).with_related(), pk=pk)


def _metric_labels() -> dict[str, str]:
    from attain.analytics.metrics import metric_choices

    return {key: str(label) for key, label in metric_choices()}


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    labels = _metric_labels()
    metric = request.GET.get("metric", "")
    scope_kind = request.GET.get("scope_kind", "")
    active_on = _parse_date(request.GET.get("active_on", ""))
    goals = selectors.goal_list(
        user=request.user,
        metric=metric if metric in labels else "",
        scope_kind=scope_kind if scope_kind in ScopeKind.values else "",
        active_on=active_on,
    ).order_by("-start", "pk")
    page = Paginator(goals, 25).get_page(request.GET.get("page"))
    goals_shown = list(page)
    rows = list(zip(goals_shown, selectors.goal_progress_list(goals=goals_shown), strict=True))
    return render(
        request,
        "goals/goal_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "metric_labels": labels,
            "metric": metric,
            "scope_kind": scope_kind,
            "active_on": active_on,
            "scope_kinds": ScopeKind.choices,
            "can_set": may_set_any_goal(request.user),
            "formulas": selectors.FORMULAS,
        },
    )


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        goal = selectors.goal_get(user=request.user, goal_id=pk)
    except (Goal.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    on = _parse_date(request.GET.get("on", "")) or today()
    me = person_of(request.user)
    progress = selectors.goal_progress(goal=goal, on=on)
    child_goals = list(goal.children.all())
    children = list(
        zip(child_goals, selectors.goal_progress_list(goals=child_goals, on=on), strict=True)
    )
    acknowledged = me is not None and any(a.person_id == me.pk for a in goal.acknowledgements.all())
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "progress": progress,
            "metric_label": _metric_labels().get(goal.metric, goal.metric),
            "revisions": goal.revisions.all(),
            "acknowledgements": goal.acknowledgements.all(),
            "children": children,
            "cascade": selectors.goal_cascade_check(goal=goal),
            "can_set": may_set_goal(request.user, person=goal.person, unit=goal.unit),
            "can_acknowledge": me is not None
            and not acknowledged
            and may_acknowledge(person=me, goal_person_id=goal.person_id, unit=goal.unit),
            "formulas": selectors.FORMULAS,
        },
    )


@login_required
def goal_create(request: HttpRequest) -> HttpResponse:
    if not may_set_any_goal(request.user):
        raise PermissionDenied
    me = _me(request)
    form = GoalForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        goal = call_service(
            form,
            lambda: services.goal_create(
                scope_kind=data["scope_kind"],
                metric=data["metric"],
                period_kind=data["period_kind"],
                start=data["start"],
                end=data["end"],
                target=data["target"],
                set_by=me,
                person=data["person"],
                unit=data["unit"],
                product_line=data["product_line"],
                product=data["product"],
                territory=data["territory"],
                segment=data["segment"],
                notes=data["notes"],
            ),
        )
        if goal is not None:
            messages.success(request, _("Goal set."))
            return redirect(goal.get_absolute_url())
    return form_page(
        request,
        form,
        _("New goal"),
        reverse("goals:goal_list"),
        _("Set goal"),
        status=400 if form.errors else 200,
    )


@login_required
def goal_revise(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    if not may_set_goal(request.user, person=goal.person, unit=goal.unit):
        raise PermissionDenied
    me = _me(request)
    form = ReviseForm(
        request.POST if request.method == "POST" else None, initial={"new_target": goal.target}
    )
    if run_service(
        request,
        form,
        lambda data: services.goal_revise(
            goal=goal,
            new_target=data["new_target"],
            reason_kind=data["reason_kind"],
            reason=data["reason"],
            revised_by=me,
            effective_from=data["effective_from"],
        ),
        _("Goal revised."),
    ):
        return redirect(goal.get_absolute_url())
    return form_page(
        request,
        form,
        _("Revise goal: %(goal)s") % {"goal": goal},
        goal.get_absolute_url(),
        _("Revise"),
        status=400 if form.errors else 200,
    )


@login_required
def goal_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    me = _me(request)
    if not may_acknowledge(person=me, goal_person_id=goal.person_id, unit=goal.unit):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if run_service(
        request,
        form,
        lambda data: services.goal_acknowledge(goal=goal, person=me, comment=data["comment"]),
        _("Goal acknowledged."),
    ):
        return redirect(goal.get_absolute_url())
    return form_page(
        request,
        form,
        _("Acknowledge goal: %(goal)s") % {"goal": goal},
        goal.get_absolute_url(),
        _("Acknowledge"),
        status=400 if form.errors else 200,
    )


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    if not may_set_goal(request.user, person=goal.person, unit=goal.unit):
        raise PermissionDenied
    me = _me(request)
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    if run_service(
        request,
        form,
        lambda data: services.milestone_add(
            goal=goal,
            due_on=data["due_on"],
            target=data["target"],
            label=data["label"],
            added_by=me,
        ),
        _("Milestone added."),
    ):
        return redirect(goal.get_absolute_url())
    return form_page(
        request,
        form,
        _("Add a milestone: %(goal)s") % {"goal": goal},
        goal.get_absolute_url(),
        _("Add milestone"),
        status=400 if form.errors else 200,
    )


@login_required
def goal_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    if not may_set_goal(request.user, person=goal.person, unit=goal.unit):
        raise PermissionDenied
    me = _me(request)
    form = CascadeForm(request.POST if request.method == "POST" else None, goal=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        children = [*data["people"], *data["units"]]
        created = call_service(
            form,
            lambda: services.goal_cascade(
                parent=goal,
                method=data["method"],
                children=children,
                weights=data["weights"] or None,
                seasonality=data["seasonality"],
                set_by=me,
            ),
        )
        if created is not None:
            messages.success(request, _("%(n)s child goals set.") % {"n": len(created)})
            return redirect(goal.get_absolute_url())
    return form_page(
        request,
        form,
        _("Cascade goal: %(goal)s") % {"goal": goal},
        goal.get_absolute_url(),
        _("Cascade"),
        status=400 if form.errors else 200,
    )


@login_required
def goal_raise_the_bar(request: HttpRequest) -> HttpResponse:
    if not may_set_any_goal(request.user):
        raise PermissionDenied
    me = _me(request)
    form = RaiseTheBarForm(request.POST if request.method == "POST" else None, user=request.user)
    proposals = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposals = call_service(
            form,
            lambda: services.goal_raise_the_bar(
                goal_ids=[g.pk for g in data["goals"]], uplift_pct=data["uplift_pct"], set_by=me
            ),
        )
        if proposals is not None and "save" in request.POST:
            chosen = {int(v) for v in request.POST.getlist("chosen") if v.isdigit()}
            picked = [p.goal for p in proposals if p.source.pk in chosen]
            created = call_service(
                form, lambda: services.goal_create_many(proposals=picked, set_by=me)
            )
            if created is not None:
                messages.success(request, _("%(n)s goals set.") % {"n": len(created)})
                return redirect("goals:goal_list")
    return render(
        request,
        "goals/goal_raise_the_bar.html",
        {"form": form, "proposals": proposals, "status": 400 if form.errors else 200},
        status=400 if form.errors else 200,
    )


@login_required
def my_goals(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    on = _parse_date(request.GET.get("on", "")) or today()
    own: list[Any] = []
    budgets: list[Any] = []
    if me is not None:
        for goal in selectors.goals_for_person(person=me, on=on):
            if goal.person_id == me.pk:
                own.append((goal, selectors.goal_progress(goal=goal, on=on)))
            else:
                budgets.append(selectors.budget_share(goal=goal, person=me, on=on))
    return render(
        request,
        "goals/my_goals.html",
        {
            "me": me,
            "on": on,
            "own": own,
            "budgets": budgets,
            "metric_labels": _metric_labels(),
            "formulas": selectors.FORMULAS,
            "short_kinds": {PeriodKind.MONTH, PeriodKind.QUARTER},
        },
    )
