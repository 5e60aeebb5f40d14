"""Every write to the organisation: units, people, moves, employment, reporting, territories."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.core.periods import intervals_overlap
from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    Role,
    SeparationType,
    Territory,
    TerritoryAssignment,
    TerritoryKind,
    UnitKind,
)

# --- units -------------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, name: str, kind: str, code: str, parent: OrgUnit | None = None) -> OrgUnit:
    """Add a unit under `parent` (a root when None; only one company root is allowed)."""
    name, code = name.strip(), code.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A unit needs a name.")
    if not code:
        errors["code"] = _("A unit needs a short code.")
    elif OrgUnit.objects.filter(code=code).exists():
        errors["code"] = _("The code %(code)s is already used by another unit.") % {
            "code": repr(code)
        }
    if kind not in UnitKind.values:
        errors["kind"] = _("%(kind)s is not a unit kind.") % {"kind": repr(kind)}
    if parent is None and OrgUnit.objects.filter(depth=1).exists():
        errors["parent"] = _("Choose the unit this one belongs to; there is already a company.")
    if errors:
        raise ValidationError(errors)
    if parent is None:
        return OrgUnit.objects.add_root({"name": name, "kind": kind, "code": code})
    parent = OrgUnit.objects.get(pk=parent.pk)  # fresh path/numchild for treebeard
    return OrgUnit.objects.add_child(parent, {"name": name, "kind": kind, "code": code})


@transaction.atomic
def unit_update(*, unit: OrgUnit, name: str, kind: str, is_active: bool = True) -> OrgUnit:
    if not name.strip():
        raise ValidationError({"name": _("A unit needs a name.")})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("%(kind)s is not a unit kind.") % {"kind": repr(kind)}})
    unit.name, unit.kind, unit.is_active = name.strip(), kind, is_active
    unit.save(update_fields=["name", "kind", "is_active"])
    return unit


# --- people --------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    title: str = "",
    phone: str = "",
    username: str | None = None,
    password: str | None = None,
    started_on: dt.date | None = None,
    external_ref: str = "",
) -> Person:
    """Create a person, optionally with a login and a first employment."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = _("First name is required.")
    if not last_name.strip():
        errors["last_name"] = _("Last name is required.")
    if email and Person.objects.filter(email=email).exists():
        errors["email"] = _("Someone with the email %(email)s already exists.") % {"email": email}
    user_model = get_user_model()
    if username and user_model.objects.filter(username=username).exists():
        errors["username"] = _("The login name %(username)s is taken.") % {
            "username": repr(username)
        }
    if errors:
        raise ValidationError(errors)
    user = None
    if username:
        user = user_model.objects.create_user(
            username=username,
            email=email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
    person = Person.objects.create(
        user=user,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        title=title.strip(),
        phone=phone.strip(),
        external_ref=external_ref,
    )
    if started_on is not None:
        Employment.objects.create(person=person, started_on=started_on)
    return person


@transaction.atomic
def person_update(
    *, person: Person, first_name: str, last_name: str, email: str, title: str = "", phone: str = ""
) -> Person:
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = _("First name is required.")
    if not last_name.strip():
        errors["last_name"] = _("Last name is required.")
    if email and Person.objects.filter(email=email).exclude(pk=person.pk).exists():
        errors["email"] = _("Someone else already has the email %(email)s.") % {"email": email}
    if errors:
        raise ValidationError(errors)
    person.first_name, person.last_name = first_name.strip(), last_name.strip()
    person.email, person.title, person.phone = email, title.strip(), phone.strip()
    person.save()
    return person


# --- memberships (placement over time) -------------------------------------------------------


@transaction.atomic
def membership_start(
    *,
    person: Person,
    unit: OrgUnit,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> Membership:
    """Place a person in a unit with a role from `valid_from`.

    A membership still open on that day is closed the day before (a move); a person holds one
    place at a time. Past memberships are never rewritten.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("%(role)s is not a role.") % {"role": repr(role)}})
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": _("The end must be after the start.")})
    existing = list(Membership.objects.select_for_update().filter(person=person))
    for membership in existing:
        if membership.valid_to is None and membership.valid_from < valid_from:
            membership.valid_to = valid_from
            membership.save(update_fields=["valid_to", "updated_at"])
        elif intervals_overlap(membership.valid_from, membership.valid_to, valid_from, valid_to):
            raise ValidationError(
                {
                    "valid_from": _(
                        "%(person)s is already in %(unit)s from "
                        "%(valid_from)s; placements cannot overlap."
                    )
                    % {
                        "person": person,
                        "unit": membership.unit,
                        "valid_from": membership.valid_from,
                    }
                }
            )
    return Membership.objects.create(
        person=person, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
    )


def person_move(*, person: Person, unit: OrgUnit, role: str, on: dt.date) -> Membership:
    """Move a person to another unit (or role) from `on`; their past stays where it was."""
    return membership_start(person=person, unit=unit, role=role, valid_from=on)


@transaction.atomic
def membership_end(*, membership: Membership, on: dt.date) -> Membership:
    if on <= membership.valid_from:
        raise ValidationError({"valid_to": _("The end must be after the start.")})
    membership.valid_to = on
    membership.save(update_fields=["valid_to", "updated_at"])
    return membership


# --- reporting lines -------------------------------------------------------------------------


@transaction.atomic
def reporting_line_set(*, person: Person, manager: Person, valid_from: dt.date) -> ReportingLine:
    """From `valid_from`, `person` reports to `manager` (the open line before is closed)."""
    if person.pk == manager.pk:
        raise ValidationError({"manager": _("A person cannot report to themselves.")})
    for line in ReportingLine.objects.select_for_update().filter(
        person=person, valid_to__isnull=True
    ):
        if line.valid_from >= valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "%(person)s already reports to %(manager)s from %(valid_from)s."
                    )
                    % {"person": person, "manager": line.manager, "valid_from": line.valid_from}
                }
            )
        line.valid_to = valid_from
        line.save(update_fields=["valid_to", "updated_at"])
    return ReportingLine.objects.create(person=person, manager=manager, valid_from=valid_from)


# --- employment ------------------------------------------------------------------------------


@transaction.atomic
def employment_start(*, person: Person, started_on: dt.date) -> Employment:
    if Employment.objects.filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError(
            {"started_on": _("%(person)s is already employed.") % {"person": person}}
        )
    last_end = (
        Employment.objects.filter(person=person)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    if last_end is not None and started_on <= last_end:
        raise ValidationError(
            {"started_on": _("A rehire must start after %(date)s.") % {"date": last_end}}
        )
    return Employment.objects.create(person=person, started_on=started_on)


@transaction.atomic
def employment_end(
    *, person: Person, ended_on: dt.date, reason: str, separation_type: str
) -> Employment:
    """End a person's employment: record why and whether it was voluntary.

    Their memberships and territory assignments close the day after, and their login stops.
    """
    errors: dict[str, str] = {}
    if separation_type not in SeparationType.values:
        errors["separation_type"] = _("Say whether leaving was voluntary or involuntary.")
    if not reason.strip():
        errors["end_reason"] = _("Record the reason for leaving.")
    employment = (
        Employment.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    )
    if employment is None:
        errors["ended_on"] = _("%(person)s has no open employment to end.") % {"person": person}
    elif ended_on < employment.started_on:
        errors["ended_on"] = _("The end cannot be before the start (%(date)s).") % {
            "date": employment.started_on
        }
    if errors:
        raise ValidationError(errors)
    assert employment is not None
    employment.ended_on = ended_on
    employment.end_reason = reason.strip()
    employment.separation_type = separation_type
    employment.save()
    day_after = ended_on + dt.timedelta(days=1)
    for model in (Membership, TerritoryAssignment):
        for row in model.objects.filter(person=person, valid_to__isnull=True):  # type: ignore[attr-defined]
            row.valid_to = max(day_after, row.valid_from + dt.timedelta(days=1))
            row.save(update_fields=["valid_to", "updated_at"])
    ReportingLine.objects.filter(person=person, valid_to__isnull=True).update(valid_to=day_after)
    if person.user_id:
        get_user_model().objects.filter(pk=person.user_id).update(is_active=False)
    return employment


# --- territories ---------------------------------------------------------------------------


@transaction.atomic
def territory_create(
    *,
    name: str,
    kind: str,
    region: str = "",
    segment: str = "",
    unit: OrgUnit | None = None,
    description: str = "",
) -> Territory:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A territory needs a name.")
    elif Territory.objects.filter(name=name).exists():
        errors["name"] = _("A territory called %(name)s already exists.") % {"name": repr(name)}
    if kind not in TerritoryKind.values:
        errors["kind"] = _("%(kind)s is not a territory kind.") % {"kind": repr(kind)}
    elif kind == TerritoryKind.REGION and not region.strip():
        errors["region"] = _("A region territory needs the region it covers.")
    elif kind == TerritoryKind.SEGMENT and not segment.strip():
        errors["segment"] = _("A segment territory needs the segment it covers.")
    if errors:
        raise ValidationError(errors)
    return Territory.objects.create(
        name=name,
        kind=kind,
        region=region.strip(),
        segment=segment.strip(),
        unit=unit,
        description=description,
    )


@transaction.atomic
def territory_update(
    *,
    territory: Territory,
    name: str,
    kind: str,
    region: str = "",
    segment: str = "",
    unit: OrgUnit | None = None,
    description: str = "",
) -> Territory:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A territory needs a name.")
    elif Territory.objects.filter(name=name).exclude(pk=territory.pk).exists():
        errors["name"] = _("A territory called %(name)s already exists.") % {"name": repr(name)}
    if kind not in TerritoryKind.values:
        errors["kind"] = _("%(kind)s is not a territory kind.") % {"kind": repr(kind)}
    if errors:
        raise ValidationError(errors)
    territory.name, territory.kind, territory.region = name, kind, region.strip()
    territory.segment, territory.unit, territory.description = segment.strip(), unit, description
    territory.save()
    return territory


@transaction.atomic
def territory_assign(
    *, territory: Territory, person: Person, valid_from: dt.date, valid_to: dt.date | None = None
) -> TerritoryAssignment:
    """Assign a seller to a territory for [valid_from, valid_to); no overlapping assignment of the
    same seller to the same territory."""
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": _("The end must be after the start.")})
    for other in TerritoryAssignment.objects.filter(territory=territory, person=person):
        if intervals_overlap(other.valid_from, other.valid_to, valid_from, valid_to):
            raise ValidationError(
                {
                    "valid_from": _(
                        "%(person)s is already assigned to %(territory)s from %(valid_from)s."
                    )
                    % {"person": person, "territory": territory, "valid_from": other.valid_from}
                }
            )
    return TerritoryAssignment.objects.create(
        territory=territory, person=person, valid_from=valid_from, valid_to=valid_to
    )


@transaction.atomic
def territory_assignment_end(
    *, assignment: TerritoryAssignment, on: dt.date
) -> TerritoryAssignment:
    if on <= assignment.valid_from:
        raise ValidationError({"valid_to": _("The end must be after the start.")})
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to", "updated_at"])
    return assignment
