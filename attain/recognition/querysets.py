"""Chainable filters for awards and contests, and the management line they are seen by."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from attain.core.periods import today, valid_on_q
from attain.organization.visibility import scope_for

if TYPE_CHECKING:
    from attain.recognition.models import Award, Contest  # noqa: F401

#: Holders may give awards to anyone, see every award and manage every contest.
MANAGE_PERMISSION = "recognition.manage_recognition"


def is_recognition_admin(user: Any) -> bool:
    """Superusers and holders of `recognition.manage_recognition` (granted to sales ops)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_perm(MANAGE_PERMISSION))
    )


def reports_of(person_id: int) -> set[int]:
    """Everyone reporting to `person_id` today, directly or down the chain."""
    from attain.organization.models import ReportingLine

    edges: dict[int, set[int]] = defaultdict(set)
    for person, manager in ReportingLine.objects.filter(valid_on_q(today())).values_list(
        "person_id", "manager_id"
    ):
        edges[manager].add(person)
    found: set[int] = set()
    todo = [person_id]
    while todo:
        for report in edges.get(todo.pop(), ()):
            if report not in found and report != person_id:
                found.add(report)
                todo.append(report)
    return found


def line_people_q(user: Any, field: str = "person_id") -> Q:
    """A filter on `field` (a person id) for the people in the user's management line: members
    today of the units they lead (manager, assistant, team leader), and everyone reporting to
    them directly or down the chain. Not the user themselves."""
    from attain.organization.models import Membership

    scope = scope_for(user)
    if scope.person_id is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    if scope.paths:
        unit_q = Q(pk__in=[])
        for path in scope.paths:
            unit_q |= Q(unit__path__startswith=path)
        members = Membership.objects.filter(valid_on_q(today())).filter(unit_q)
        condition |= Q(**{f"{field}__in": members.values("person_id")})
    reports = reports_of(scope.person_id)
    if reports:
        condition |= Q(**{f"{field}__in": sorted(reports)})
    return condition & ~Q(**{field: scope.person_id})


def led_units_q(user: Any, field: str = "unit__path") -> Q:
    """A filter on a unit path for the units inside the subtrees the user leads today."""
    condition = Q(pk__in=[])
    for path in scope_for(user).paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def member_paths(person_id: int) -> list[str]:
    from attain.organization.models import Membership

    return list(
        Membership.objects.filter(valid_on_q(today()), person_id=person_id).values_list(
            "unit__path", flat=True
        )
    )


class AwardQuerySet(models.QuerySet["Award"]):
    def public(self) -> AwardQuerySet:
        return self.filter(is_public=True)

    def visible_to(self, user: Any) -> AwardQuerySet:
        """Public awards: every signed-in person. Private awards: the recipient (a team award:
        its members today), the giver, the recipient's management line and recognition admins."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_recognition_admin(user):
            return self
        me = scope_for(user).person_id
        condition = Q(is_public=True)
        if me is not None:
            condition |= Q(person_id=me) | Q(given_by_id=me)
            for path in member_paths(me):
                condition |= Q(unit__path__in=[path[:end] for end in range(4, len(path) + 1, 4)])
            condition |= line_people_q(user, "person_id") | led_units_q(user)
        return self.filter(condition)

    def with_related(self) -> AwardQuerySet:
        return self.select_related("person", "unit", "given_by", "contest")


class ContestQuerySet(models.QuerySet["Contest"]):
    def visible_to(self, user: Any) -> ContestQuerySet:
        """Running and finished contests: every signed-in person (the whole company cheers).
        Drafts: those who may manage them — leaders of the contest's unit, recognition admins."""
        from attain.recognition.models import ContestStatus

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_recognition_admin(user):
            return self
        return self.filter(~Q(status=ContestStatus.DRAFT) | led_units_q(user))

    def with_related(self) -> ContestQuerySet:
        return self.select_related("unit", "created_by", "finished_by")
