"""HTTP API of the organisation: units, people and their history, territories."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.periods import today, valid_on_q
from attain.organization import services
from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    Territory,
    TerritoryAssignment,
)
from attain.organization.visibility import is_admin, scope_for

router = Router(tags=["organization"])


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    path: str
    depth: int
    is_active: bool
    parent_id: int | None = None

    @staticmethod
    def resolve_parent_id(obj: OrgUnit) -> int | None:
        parent = OrgUnit.objects.get_parent(obj)
        return parent.pk if parent else None


class UnitIn(Schema):
    name: str
    kind: str
    code: str
    parent_id: int | None = None


class UnitPatch(Schema):
    name: str
    kind: str
    is_active: bool = True


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    title: str
    phone: str
    username: str | None = None

    @staticmethod
    def resolve_username(obj: Person) -> str | None:
        return obj.user.username if obj.user else None


class PersonIn(Schema):
    first_name: str
    last_name: str
    email: str
    title: str = ""
    phone: str = ""
    username: str | None = None
    password: str | None = None
    started_on: dt.date | None = None
    unit_id: int | None = None
    role: str | None = None


class PersonPatch(Schema):
    first_name: str
    last_name: str
    email: str
    title: str = ""
    phone: str = ""


class MembershipOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def resolve_unit_name(obj: Membership) -> str:
        return obj.unit.name


class EmploymentOut(Schema):
    id: int
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str
    separation_type: str


class MoveIn(Schema):
    unit_id: int
    role: str
    on: dt.date


class EndIn(Schema):
    ended_on: dt.date
    reason: str
    separation_type: str


class ManagerIn(Schema):
    manager_id: int
    valid_from: dt.date


class TerritoryOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    segment: str
    unit_id: int | None
    description: str


class TerritoryIn(Schema):
    name: str
    kind: str
    region: str = ""
    segment: str = ""
    unit_id: int | None = None
    description: str = ""


class AssignmentOut(Schema):
    id: int
    territory_id: int
    person_id: int
    valid_from: dt.date
    valid_to: dt.date | None


class AssignmentIn(Schema):
    person_id: int
    valid_from: dt.date
    valid_to: dt.date | None = None


# --- units ---------------------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], operation_id="unit_list")
def unit_list(request: HttpRequest) -> list[OrgUnit]:
    return list(OrgUnit.objects.order_by("path"))


@router.get("/units/{unit_id}", response=UnitOut, operation_id="unit_get")
def unit_get(request: HttpRequest, unit_id: int) -> OrgUnit:
    return get_object_or_404(OrgUnit, pk=unit_id)


@router.post("/units", response={201: UnitOut}, operation_id="unit_create")
def unit_create(request: HttpRequest, payload: UnitIn) -> Status:
    _admin_only(request)
    parent = get_object_or_404(OrgUnit, pk=payload.parent_id) if payload.parent_id else None
    return Status(
        201,
        services.unit_create(
            name=payload.name, kind=payload.kind, code=payload.code, parent=parent
        ),
    )


@router.put("/units/{unit_id}", response=UnitOut, operation_id="unit_update")
def unit_update(request: HttpRequest, unit_id: int, payload: UnitPatch) -> OrgUnit:
    _admin_only(request)
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    return services.unit_update(unit=unit, **payload.dict())


# --- people --------------------------------------------------------------------------------


def _visible_person(request: HttpRequest, person_id: int) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("user"), pk=person_id
    )


@router.get("/people", response=list[PersonOut], operation_id="person_list")
@paginate(LimitOffsetPagination)
def person_list(request: HttpRequest, q: str = "") -> object:
    return (
        Person.objects.visible_to(request.user)
        .search(q)
        .select_related("user")
        .order_by("last_name", "pk")
    )


@router.get("/people/{person_id}", response=PersonOut, operation_id="person_get")
def person_get(request: HttpRequest, person_id: int) -> Person:
    return _visible_person(request, person_id)


@router.post("/people", response={201: PersonOut}, operation_id="person_create")
def person_create(request: HttpRequest, payload: PersonIn) -> Status:
    _admin_only(request)
    data = payload.dict()
    unit_id, role = data.pop("unit_id"), data.pop("role")
    unit = get_object_or_404(OrgUnit, pk=unit_id) if unit_id else None
    from django.core.exceptions import ValidationError
    from django.db import transaction

    if unit is not None and (not role or data.get("started_on") is None):
        raise ValidationError(
            {"role": "Give the role and started_on when placing a person in a unit."}
        )
    with transaction.atomic():
        person = services.person_create(**data)
        if unit is not None:
            services.membership_start(
                person=person, unit=unit, role=role, valid_from=data["started_on"]
            )
    return Status(201, person)


@router.put("/people/{person_id}", response=PersonOut, operation_id="person_update")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    _admin_only(request)
    return services.person_update(person=_visible_person(request, person_id), **payload.dict())


@router.get(
    "/people/{person_id}/memberships", response=list[MembershipOut], operation_id="membership_list"
)
def membership_list(request: HttpRequest, person_id: int) -> list[Membership]:
    person = _visible_person(request, person_id)
    return list(
        Membership.objects.filter(person=person).select_related("unit").order_by("-valid_from")
    )


@router.get(
    "/people/{person_id}/employments", response=list[EmploymentOut], operation_id="employment_list"
)
def employment_list(request: HttpRequest, person_id: int) -> list[Employment]:
    person = _visible_person(request, person_id)
    return list(Employment.objects.filter(person=person).order_by("-started_on"))


@router.post("/people/{person_id}/move", response=MembershipOut, operation_id="person_move")
def person_move(request: HttpRequest, person_id: int, payload: MoveIn) -> Membership:
    _admin_only(request)
    person = _visible_person(request, person_id)
    unit = get_object_or_404(OrgUnit, pk=payload.unit_id)
    return services.person_move(person=person, unit=unit, role=payload.role, on=payload.on)


@router.post(
    "/people/{person_id}/end-employment", response=EmploymentOut, operation_id="employment_end"
)
def employment_end(request: HttpRequest, person_id: int, payload: EndIn) -> Employment:
    person = _visible_person(request, person_id)
    scope = scope_for(request.user)
    current = (
        Membership.objects.filter(valid_on_q(today()), person=person).select_related("unit").first()
    )
    if (
        not (scope.everything or (current and scope.covers_path(current.unit.path)))
        or person.pk == scope.person_id
    ):
        raise PermissionDenied
    return services.employment_end(
        person=person,
        ended_on=payload.ended_on,
        reason=payload.reason,
        separation_type=payload.separation_type,
    )


@router.post("/people/{person_id}/manager", response={201: None}, operation_id="reporting_line_set")
def reporting_line_set(request: HttpRequest, person_id: int, payload: ManagerIn) -> Status:
    _admin_only(request)
    person = _visible_person(request, person_id)
    manager = get_object_or_404(Person, pk=payload.manager_id)
    services.reporting_line_set(person=person, manager=manager, valid_from=payload.valid_from)
    return Status(201, None)


# --- territories -------------------------------------------------------------------------------


@router.get("/territories", response=list[TerritoryOut], operation_id="territory_list")
def territory_list(request: HttpRequest, q: str = "") -> list[Territory]:
    return list(Territory.objects.search(q))


@router.get("/territories/{territory_id}", response=TerritoryOut, operation_id="territory_get")
def territory_get(request: HttpRequest, territory_id: int) -> Territory:
    return get_object_or_404(Territory, pk=territory_id)


@router.post("/territories", response={201: TerritoryOut}, operation_id="territory_create")
def territory_create(request: HttpRequest, payload: TerritoryIn) -> Status:
    _admin_only(request)
    data = payload.dict()
    unit_id = data.pop("unit_id")
    unit = get_object_or_404(OrgUnit, pk=unit_id) if unit_id else None
    return Status(201, services.territory_create(unit=unit, **data))


@router.put("/territories/{territory_id}", response=TerritoryOut, operation_id="territory_update")
def territory_update(request: HttpRequest, territory_id: int, payload: TerritoryIn) -> Territory:
    _admin_only(request)
    territory = get_object_or_404(Territory, pk=territory_id)
    data = payload.dict()
    unit_id = data.pop("unit_id")
    unit = get_object_or_404(OrgUnit, pk=unit_id) if unit_id else None
    return services.territory_update(territory=territory, unit=unit, **data)


@router.get(
    "/territories/{territory_id}/assignments",
    response=list[AssignmentOut],
    operation_id="territory_assignment_list",
)
def territory_assignment_list(request: HttpRequest, territory_id: int) -> list[TerritoryAssignment]:
    territory = get_object_or_404(Territory, pk=territory_id)
    return list(territory.assignments.order_by("-valid_from"))


@router.post(
    "/territories/{territory_id}/assignments",
    response={201: AssignmentOut},
    operation_id="territory_assign",
)
def territory_assign(request: HttpRequest, territory_id: int, payload: AssignmentIn) -> Status:
    _admin_only(request)
    territory = get_object_or_404(Territory, pk=territory_id)
    person = get_object_or_404(Person, pk=payload.person_id)
    return Status(
        201,
        services.territory_assign(
            territory=territory,
            person=person,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
        ),
    )
