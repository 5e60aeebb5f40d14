"""Organisation pages: the unit tree, people with their history, territories."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.periods import today, valid_on_q
from attain.core.web import (
    form_page,
    get_visible_or_404,
    require,
    save_and_redirect,
)
from attain.organization import services
from attain.organization.forms import (
    EmploymentEndForm,
    ManagerForm,
    MoveForm,
    PersonCreateForm,
    PersonForm,
    TerritoryAssignForm,
    TerritoryForm,
    UnitEditForm,
    UnitForm,
)
from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    Role,
    Territory,
    TerritoryAssignment,
    TerritoryKind,
)
from attain.organization.visibility import is_admin, scope_for

# --- units ---------------------------------------------------------------------------------


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    on = today()
    units = OrgUnit.objects.order_by("path").annotate(
        members=Count("memberships", filter=valid_on_q(on, "memberships__"))
    )
    return render(
        request, "organization/unit_list.html", {"units": units, "can_edit": is_admin(request.user)}
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(OrgUnit.objects.all(), pk=pk)
    on = today()
    scope = scope_for(request.user)
    members = Membership.objects.filter(valid_on_q(on), unit=unit).select_related("person")
    history = Membership.objects.filter(unit=unit).select_related("person").order_by("-valid_from")
    if not scope.covers_path(unit.path):
        # Outside one's own part of the organisation: names and roles only, no history.
        history = history.none()
    return render(
        request,
        "organization/unit_detail.html",
        {
            "unit": unit,
            "ancestors": OrgUnit.objects.get_ancestors(unit),
            "children": OrgUnit.objects.get_children(unit),
            "members": members,
            "history": history[:100],
            "territories": unit.territories.all(),
            "can_edit": is_admin(request.user),
        },
    )


@login_required
@require(is_admin)
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    done = save_and_redirect(
        request,
        form,
        lambda d: services.unit_create(**d),
        _("Unit created."),
        lambda unit: unit.get_absolute_url(),
    )
    return done or form_page(request, form, _("New unit"), "/organization/")


@login_required
@require(is_admin)
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(OrgUnit.objects.all(), pk=pk)
    form = UnitEditForm(
        request.POST or None,
        initial={"name": unit.name, "kind": unit.kind, "is_active": unit.is_active},
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.unit_update(unit=unit, **d),
        _("Unit saved."),
        unit.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Edit %(unit)s") % {"unit": unit}, unit.get_absolute_url()
    )


# --- people --------------------------------------------------------------------------------


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    on = today()
    people = (
        Person.objects.visible_to(request.user)
        .distinct()
        .prefetch_related(
            # one query for everyone's current place
            _current_memberships(on)
        )
    )
    spec = ListPage(
        title=str(gettext_lazy("People")),
        columns=[
            Column(_("Name"), "full_name", sort="last_name", link=True),
            Column(_("Job title"), "title", sort="title"),
            Column(_("Email"), "email", sort="email"),
            Column(_("Current place"), "current_place"),
        ],
        filters=[Filter("role", _("Role"), "memberships__role", Role.choices)],
        search=lambda qs, term: qs.search(term),
        default_sort="last_name",
        create_url="/organization/people/new/" if is_admin(request.user) else "",
        create_label=_("Add person"),
    )
    if exported := list_export(request, people, spec, rows_hook=_describe_current_place):
        return exported
    context = list_page(request, people, spec)
    _describe_current_place(context["rows"])
    return render(request, "core/list.html", context)


def _describe_current_place(people: Any) -> None:
    for person in people:
        current = person.current_memberships
        person.current_place = (
            ", ".join(f"{m.get_role_display()} — {m.unit.name}" for m in current)
            if current
            else "—"
        )


def _current_memberships(on: Any) -> Any:
    from django.db.models import Prefetch

    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(valid_on_q(on)).select_related("unit"),
        to_attr="current_memberships",
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.visible_to(request.user), pk=pk)
    scope = scope_for(request.user)
    admin = scope.everything
    current = (
        Membership.objects.filter(valid_on_q(today()), person=person).select_related("unit").first()
    )
    can_end = admin or (current is not None and scope.covers_path(current.unit.path))
    return render(
        request,
        "organization/person_detail.html",
        {
            "person": person,
            "memberships": Membership.objects.filter(person=person)
            .select_related("unit")
            .order_by("-valid_from"),
            "reporting": ReportingLine.objects.filter(person=person)
            .select_related("manager")
            .order_by("-valid_from"),
            "employments": Employment.objects.filter(person=person).order_by("-started_on"),
            "territories": TerritoryAssignment.objects.filter(person=person)
            .select_related("territory")
            .order_by("-valid_from"),
            "current": current,
            "can_edit": admin,
            "can_end": can_end
            and Employment.objects.filter(person=person, ended_on__isnull=True).exists(),
        },
    )


@login_required
@require(is_admin)
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonCreateForm(request.POST or None)

    def create(data: dict[str, Any]) -> Person:
        unit, role = data.pop("unit"), data.pop("role")
        person = services.person_create(
            **{k: v for k, v in data.items() if k != "username"},
            username=data.get("username") or None,
        )
        if unit is not None:
            services.membership_start(
                person=person, unit=unit, role=role, valid_from=data["started_on"]
            )
        return person

    done = save_and_redirect(
        request, form, create, _("Person added."), lambda p: p.get_absolute_url()
    )
    return done or form_page(request, form, _("Add a person"), "/organization/people/")


@login_required
@require(is_admin)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.visible_to(request.user), pk=pk)
    form = PersonForm(
        request.POST or None,
        initial={
            f: getattr(person, f) for f in ("first_name", "last_name", "email", "title", "phone")
        },
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.person_update(person=person, **d),
        _("Saved."),
        person.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Edit %(person)s") % {"person": person}, person.get_absolute_url()
    )


@login_required
@require(is_admin)
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.visible_to(request.user), pk=pk)
    form = MoveForm(request.POST or None)
    done = save_and_redirect(
        request,
        form,
        lambda d: services.person_move(person=person, **d),
        _("Move recorded. Past results stay with the old unit."),
        person.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Move %(person)s") % {"person": person}, person.get_absolute_url()
    )


@login_required
def person_end_employment(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.visible_to(request.user), pk=pk)
    scope = scope_for(request.user)
    current = (
        Membership.objects.filter(valid_on_q(today()), person=person).select_related("unit").first()
    )
    if (
        not (scope.everything or (current and scope.covers_path(current.unit.path)))
        or person.pk == scope.person_id
    ):
        raise PermissionDenied
    form = EmploymentEndForm(request.POST or None)
    done = save_and_redirect(
        request,
        form,
        lambda d: services.employment_end(
            person=person,
            ended_on=d["ended_on"],
            reason=d["end_reason"],
            separation_type=d["separation_type"],
        ),
        _("Employment ended and recorded."),
        person.get_absolute_url(),
    )
    return done or form_page(
        request,
        form,
        _("End employment of %(person)s") % {"person": person},
        person.get_absolute_url(),
    )


@login_required
@require(is_admin)
def person_set_manager(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.visible_to(request.user), pk=pk)
    form = ManagerForm(request.POST or None)
    form.fields["manager"].queryset = Person.objects.exclude(pk=person.pk)  # type: ignore[attr-defined]
    done = save_and_redirect(
        request,
        form,
        lambda d: services.reporting_line_set(person=person, **d),
        _("Reporting line saved."),
        person.get_absolute_url(),
    )
    return done or form_page(
        request,
        form,
        _("Who does %(person)s report to?") % {"person": person},
        person.get_absolute_url(),
    )


# --- territories -------------------------------------------------------------------------------


@login_required
def territory_list(request: HttpRequest) -> HttpResponse:
    qs = Territory.objects.select_related("unit").annotate(
        sellers=Count("assignments", filter=valid_on_q(today(), "assignments__"))
    )
    spec = ListPage(
        title=str(gettext_lazy("Territories")),
        columns=[
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Kind"), "kind", sort="kind"),
            Column(_("Region"), "region", sort="region"),
            Column(_("Segment"), "segment", sort="segment"),
            Column(_("Owning unit"), "unit.name"),
            Column(_("Sellers now"), "sellers", sort="sellers", kind="number"),
        ],
        filters=[Filter("kind", _("Kind"), "kind", TerritoryKind.choices)],
        search=lambda q, term: q.filter(Q(name__icontains=term) | Q(region__icontains=term)),
        default_sort="name",
        create_url="/organization/territories/new/" if is_admin(request.user) else "",
        create_label=_("New territory"),
    )
    if exported := list_export(request, qs, spec):
        return exported
    return render(request, "core/list.html", list_page(request, qs, spec))


@login_required
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_visible_or_404(Territory.objects.select_related("unit"), pk=pk)
    return render(
        request,
        "organization/territory_detail.html",
        {
            "territory": territory,
            "assignments": territory.assignments.select_related("person").order_by("-valid_from"),
            "can_edit": is_admin(request.user),
        },
    )


@login_required
@require(is_admin)
def territory_create(request: HttpRequest) -> HttpResponse:
    form = TerritoryForm(request.POST or None)
    done = save_and_redirect(
        request,
        form,
        lambda d: services.territory_create(**d),
        _("Territory created."),
        lambda t: t.get_absolute_url(),
    )
    return done or form_page(request, form, _("New territory"), "/organization/territories/")


@login_required
@require(is_admin)
def territory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_visible_or_404(Territory.objects.all(), pk=pk)
    form = TerritoryForm(
        request.POST or None,
        initial={
            f: getattr(territory, f)
            for f in ("name", "kind", "region", "segment", "unit", "description")
        },
    )
    done = save_and_redirect(
        request,
        form,
        lambda d: services.territory_update(territory=territory, **d),
        _("Territory saved."),
        territory.get_absolute_url(),
    )
    return done or form_page(
        request, form, _("Edit %(t)s") % {"t": territory}, territory.get_absolute_url()
    )


@login_required
@require(is_admin)
def territory_assign(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_visible_or_404(Territory.objects.all(), pk=pk)
    form = TerritoryAssignForm(request.POST or None)
    form.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
        valid_on_q(today(), "memberships__"),
        memberships__role__in=[Role.SALES_REP, Role.TEAM_LEADER],
    ).distinct()
    done = save_and_redirect(
        request,
        form,
        lambda d: services.territory_assign(territory=territory, **d),
        _("Seller assigned."),
        territory.get_absolute_url(),
    )
    return done or form_page(
        request,
        form,
        _("Assign a seller to %(t)s") % {"t": territory},
        territory.get_absolute_url(),
    )
