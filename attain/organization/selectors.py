"""Reads about the organisation: placement at a date, subtrees, people lists."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from attain.core.periods import valid_on_q
from attain.organization.models import (
    SELLING_ROLES,
    Membership,
    OrgStamped,
    OrgUnit,
    Person,
    Territory,
    TerritoryAssignment,
)
from attain.organization.querysets import PersonQuerySet


@dataclass(frozen=True)
class Placement:
    """Where a person sat in the organisation on a given day (stamped onto sales facts)."""

    unit_id: int | None
    unit_path: str
    territory_id: int | None


def person_placement_at(*, person_id: int, on: dt.date) -> Placement:
    """The unit (preferring a selling role) and territory of a person on `on`."""
    memberships = list(
        Membership.objects.filter(valid_on_q(on), person_id=person_id)
        .order_by("-valid_from")
        .values_list("unit_id", "unit__path", "role")
    )
    memberships.sort(key=lambda row: row[2] not in SELLING_ROLES)
    unit_id, unit_path = (memberships[0][0], memberships[0][1]) if memberships else (None, "")
    territory_id = (
        TerritoryAssignment.objects.filter(valid_on_q(on), person_id=person_id)
        .order_by("-valid_from")
        .values_list("territory_id", flat=True)
        .first()
    )
    return Placement(unit_id=unit_id, unit_path=unit_path, territory_id=territory_id)


def placement_stamp(record: OrgStamped, *, owner: Person, on: dt.date) -> None:
    """Copy the owner's placement on `on` onto an unsaved fact (owner, unit, path, territory)."""
    placement = person_placement_at(person_id=owner.pk, on=on)
    record.owner = owner
    record.unit_id = placement.unit_id
    record.unit_path = placement.unit_path
    record.territory_id = placement.territory_id


class PlacementIndex:
    """`person_placement_at` for any person and day, computed once per change of placement
    (for bulk work: seeding, imports).

    A placement only changes on a day some membership or territory assignment starts or ends,
    so asking the selector on each such day gives the answer for every day in between.
    """

    EMPTY = Placement(unit_id=None, unit_path="", territory_id=None)

    def __init__(self, person_ids: Iterable[int] | None = None) -> None:
        wanted = None if person_ids is None else sorted(set(person_ids))
        bounds: dict[int, set[dt.date]] = {}
        for model in (Membership, TerritoryAssignment):
            rows = model.objects.all()  # type: ignore[attr-defined]
            if wanted is not None:
                rows = rows.filter(person_id__in=wanted)
            for person_id, valid_from, valid_to in rows.values_list(
                "person_id", "valid_from", "valid_to"
            ):
                days = bounds.setdefault(person_id, set())
                days.add(valid_from)
                if valid_to is not None:
                    days.add(valid_to)
        self._days: dict[int, list[dt.date]] = {}
        self._places: dict[int, list[Placement]] = {}
        for person_id in sorted(bounds):
            ordered = sorted(bounds[person_id])
            self._days[person_id] = ordered
            self._places[person_id] = [
                person_placement_at(person_id=person_id, on=day) for day in ordered
            ]

    def at(self, person_id: int, on: dt.date) -> Placement:
        days = self._days.get(person_id)
        if not days:
            return self.EMPTY
        index = bisect.bisect_right(days, on) - 1
        return self.EMPTY if index < 0 else self._places[person_id][index]


def unit_subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path).order_by("path")


def unit_tree() -> list[dict[str, Any]]:
    """All units in tree order with their depth, for indented lists and pickers."""
    return list(
        OrgUnit.objects.order_by("path").values("id", "name", "kind", "depth", "path", "code")
    )


def person_list(*, user: Any, search: str = "") -> PersonQuerySet:
    return Person.objects.visible_to(user).search(search)


def person_current_membership(*, person_id: int, on: dt.date) -> Membership | None:
    return (
        Membership.objects.filter(valid_on_q(on), person_id=person_id)
        .select_related("unit")
        .order_by("-valid_from")
        .first()
    )


def members_of(*, unit: OrgUnit, on: dt.date, subtree: bool = True) -> QuerySet[Membership]:
    qs = Membership.objects.filter(valid_on_q(on)).select_related("person", "unit")
    if subtree:
        return qs.filter(unit__path__startswith=unit.path)
    return qs.filter(unit=unit)


def territory_list(*, search: str = "") -> QuerySet[Territory]:
    return Territory.objects.search(search).select_related("unit")


def territory_sellers_on(*, territory_id: int, on: dt.date) -> QuerySet[TerritoryAssignment]:
    return TerritoryAssignment.objects.filter(
        valid_on_q(on), territory_id=territory_id
    ).select_related("person")


def person_of(user: Any) -> Person | None:
    """The Person behind a signed-in user (None for anonymous users or logins without one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=user.pk).first()
