"""Recognition pages: the feed with cheers, awards (list, detail, give — with the recipient's
motivators), contests (list, create, detail with live standings, start, finish) and motivation
profiles.

An award or contest the user cannot see is a 404; acting without the right is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.web import (
    call_service,
    flash_refusal,
    form_page,
    get_visible_or_404,
    post_action,
)
from attain.organization.models import Person
from attain.organization.selectors import person_of
from attain.recognition import selectors, services
from attain.recognition.forms import AwardForm, ContestForm, MotivationForm, recipients_for
from attain.recognition.models import Award, AwardKind, Contest, ContestStatus
from attain.recognition.permissions import (
    may_give_any_award,
    may_manage_any_contest,
    may_manage_contest,
    may_see_motivation,
)


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


# --- feed --------------------------------------------------------------------------------------


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recognition/feed.html",
        {"items": selectors.feed_list(user=request.user)},
    )


def _cheer(request: HttpRequest, *, award_id: int | None, contest_id: int | None) -> HttpResponse:
    me = _me(request)
    model = Award if award_id is not None else Contest
    try:
        item = selectors.feed_item_get(user=request.user, award_id=award_id, contest_id=contest_id)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
    is_award = isinstance(item, Award)
    try:
        services.cheer_add(
            person=me, award=item if is_award else None, contest=None if is_award else item
        )
        cheered = True
    except ValidationError as exc:
        cheered = "already" in " ".join(exc.messages)
        if not request.htmx:  # type: ignore[attr-defined]
            flash_refusal(request, exc)
    if request.htmx:  # type: ignore[attr-defined]
        count = selectors.cheer_count(
            award=item if is_award else None, contest=None if is_award else item
        )
        return render(
            request,
            "recognition/_cheer.html",
            {
                "kind": "award" if is_award else "contest",
                "obj": item,
                "cheers": count,
                "cheered": cheered,
            },
        )
    return redirect("recognition:feed")


@login_required
@require_POST
def award_cheer(request: HttpRequest, pk: int) -> HttpResponse:
    return _cheer(request, award_id=pk, contest_id=None)


@login_required
@require_POST
def contest_cheer(request: HttpRequest, pk: int) -> HttpResponse:
    return _cheer(request, award_id=None, contest_id=pk)


# --- awards ------------------------------------------------------------------------------------


@login_required
def award_list(request: HttpRequest) -> HttpResponse:
    can_give = may_give_any_award(request.user)
    spec = ListPage(
        title=_("Awards"),
        columns=[
            Column(_("Title"), "title", sort="title", link=True),
            Column(_("Kind"), "get_kind_display", sort="kind"),
            Column(_("Recipient"), "recipient_name"),
            Column(_("Value"), "value", sort="value", kind="money"),
            Column(_("Given by"), "given_by.full_name", sort="given_by__last_name"),
            Column(_("Given on"), "given_on", sort="given_on", kind="date"),
            Column(_("Public"), "is_public", sort="is_public", kind="bool"),
        ],
        filters=[
            Filter("kind", _("Kind"), "kind", AwardKind.choices),
            Filter(
                "public", _("Public"), "is_public", [("True", _("Public")), ("False", _("Private"))]
            ),
        ],
        search=lambda qs, term: qs.filter(
            Q(title__icontains=term)
            | Q(person__last_name__icontains=term)
            | Q(person__first_name__icontains=term)
            | Q(unit__name__icontains=term)
        ),
        default_sort="-given_on",
        create_url=reverse("recognition:award_create") if can_give else "",
        create_label=_("Give an award"),
    )
    queryset = selectors.award_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_visible_or_404(Award.objects.visible_to(request.user).with_related(), pk=pk)
    return render(request, "recognition/award_detail.html", {"award": award})


# what the award form keeps when choosing a person reloads it
KEPT_ON_RELOAD = ("unit", "kind", "title", "reason", "value", "given_on")


@login_required
def award_create(request: HttpRequest) -> HttpResponse:
    """Give an award. Choosing a person (re)loads the form with their top motivators and the
    kind they rank highest proposed."""
    if not may_give_any_award(request.user):
        raise PermissionDenied
    me = _me(request)
    proposal = None
    if request.method == "POST":
        form = AwardForm(request.POST, user=request.user)
    else:
        # choosing a person reloads the form (htmx) with what was typed so far kept
        initial: dict[str, Any] = {
            key: request.GET[key] for key in KEPT_ON_RELOAD if request.GET.get(key)
        }
        if request.headers.get("HX-Request"):
            initial["is_public"] = "is_public" in request.GET
        person = recipients_for(request.user).filter(pk=_int(request.GET.get("person"))).first()
        if person is not None:
            proposal = selectors.award_proposal(person)
            initial["person"] = person.pk
            if proposal.kind:
                initial["kind"] = proposal.kind
        form = AwardForm(initial=initial, user=request.user)
    form.fields["person"].widget.attrs.update(
        {
            "hx-get": reverse("recognition:award_create"),
            "hx-trigger": "change",
            "hx-target": "#award-page",
            "hx-select": "#award-page",
            "hx-swap": "outerHTML",
            "hx-include": ",".join(
                f"#award-page [name='{key}']" for key in (*KEPT_ON_RELOAD, "is_public")
            ),
        }
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        award = call_service(
            form,
            lambda: services.award_give(
                kind=data["kind"],
                title=data["title"],
                reason=data["reason"],
                value=data["value"],
                person=data["person"],
                unit=data["unit"],
                given_on=data["given_on"],
                is_public=data["is_public"],
                given_by=me,
            ),
        )
        if award is not None:
            messages.success(request, _("Award given."))
            return redirect(award.get_absolute_url())
    if request.method == "POST" and form.cleaned_data.get("person") is not None:
        proposal = selectors.award_proposal(form.cleaned_data["person"])
    return render(
        request,
        "recognition/award_form.html",
        {"form": form, "proposal": proposal, "title": _("Give an award")},
        status=400 if form.errors else 200,
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- contests ----------------------------------------------------------------------------------


@login_required
def contest_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Contests"),
        columns=[
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Status"), "get_status_display", sort="status", kind="badge"),
            Column(_("Competing"), "get_kind_display", sort="kind"),
            Column(_("Metric"), "metric_label", sort="metric"),
            Column(_("Unit"), "unit.name", sort="unit__name"),
            Column(_("Start"), "start", sort="start", kind="date"),
            Column(_("End"), "end", sort="end", kind="date"),
        ],
        filters=[Filter("status", _("Status"), "status", ContestStatus.choices)],
        search=lambda qs, term: qs.filter(name__icontains=term),
        default_sort="-start",
        create_url=reverse("recognition:contest_create")
        if may_manage_any_contest(request.user)
        else "",
        create_label=_("New contest"),
    )
    queryset = selectors.contest_list(user=request.user)
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


@login_required
def contest_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_any_contest(request.user):
        raise PermissionDenied
    me = _me(request)
    form = ContestForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contest = call_service(
            form,
            lambda: services.contest_create(
                name=data["name"],
                description=data["description"],
                kind=data["kind"],
                metric=data["metric"],
                start=data["start"],
                end=data["end"],
                unit=data["unit"],
                created_by=me,
                prizes=[services.PrizeInput(**prize) for prize in form.prizes()],
            ),
        )
        if contest is not None:
            messages.success(request, _("Contest created as a draft."))
            return redirect(contest.get_absolute_url())
    return form_page(
        request,
        form,
        _("New contest"),
        reverse("recognition:contest_list"),
        _("Create contest"),
        status=400 if form.errors else 200,
    )


def _visible_contest(request: HttpRequest, pk: int) -> Contest:
    return get_visible_or_404(Contest.objects.visible_to(request.user).with_related(), pk=pk)


@login_required
def contest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_visible_or_404(
        Contest.objects.visible_to(request.user).with_related().prefetch_related("prizes"), pk=pk
    )
    return render(
        request,
        "recognition/contest_detail.html",
        {
            "contest": contest,
            "standings": selectors.contest_standings(contest),
            "prizes": contest.prizes.all(),
            "can_manage": may_manage_contest(request.user, unit=contest.unit),
            "awards": contest.prize_awards.select_related("person", "unit").order_by(
                "contest_rank", "pk"
            )
            if contest.status == ContestStatus.FINISHED
            else [],
        },
    )


def _contest_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    contest = _visible_contest(request, pk)
    if not may_manage_contest(request.user, unit=contest.unit):
        raise PermissionDenied
    me = _me(request)
    return post_action(
        request, lambda: action(contest, me), success=success, then=contest.get_absolute_url()
    )


@login_required
@require_POST
def contest_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _contest_action(
        request,
        pk,
        lambda contest, me: services.contest_start(contest=contest, started_by=me),
        _("Contest started."),
    )


@login_required
@require_POST
def contest_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _contest_action(
        request,
        pk,
        lambda contest, me: services.contest_finish(contest=contest, finished_by=me),
        _("Contest finished: final standings recorded and prizes awarded."),
    )


# --- motivation --------------------------------------------------------------------------------


@login_required
def my_motivation(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    profile = selectors.motivation_get(me)
    form = MotivationForm(
        request.POST if request.method == "POST" else None,
        ranking=profile.ranking,
        initial={"note": profile.note},
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.motivation_save(
                person=me, ranking=form.ranking(), note=form.cleaned_data["note"], edited_by=me
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved what motivates you."))
            return redirect("recognition:my_motivation")
    return render(
        request,
        "recognition/motivation_form.html",
        {"form": form, "profile": profile, "labels": dict(AwardKind.choices)},
        status=400 if form.errors else 200,
    )


@login_required
def motivation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = Person.objects.filter(pk=pk).first()
    if person is None or not may_see_motivation(request.user, person_id=person.pk):
        raise Http404
    profile = selectors.motivation_get(person)
    labels = dict(AwardKind.choices)
    return render(
        request,
        "recognition/motivation_detail.html",
        {
            "person": person,
            "profile": profile,
            "ranked": [labels[k] for k in profile.ranking if k in labels],
            "can_give": may_give_any_award(request.user) and person.pk != _me(request).pk,
        },
    )
