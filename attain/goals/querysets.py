"""Chainable filters for goals."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from attain.core.periods import today, valid_on_q
from attain.organization.visibility import scope_for

if TYPE_CHECKING:
    from attain.goals.models import Goal  # noqa: F401

PATH_STEP = 4  # treebeard MP_Node steplen


def ancestor_paths(paths: list[str] | tuple[str, ...]) -> set[str]:
    """Every prefix of the given materialised paths: the units themselves and all above them."""
    return {path[:end] for path in paths for end in range(PATH_STEP, len(path) + 1, PATH_STEP)}


def member_unit_paths(person_id: int, on: dt.date) -> list[str]:
    from attain.organization.models import Membership

    return list(
        Membership.objects.filter(valid_on_q(on), person_id=person_id).values_list(
            "unit__path", flat=True
        )
    )


class GoalQuerySet(models.QuerySet["Goal"]):
    def visible_to(self, user: Any) -> GoalQuerySet:
        """Admins: all. Leaders: goals of units in their subtrees and of people who are or were
        in them. Everyone: their own goals and the goals of the units they belong to (and the
        units above those) — each seller sees the budget and what it means for them."""
        scope = scope_for(user)
        if scope.everything:
            return self
        from attain.organization.models import Membership

        condition = Q(pk__in=[])
        if scope.person_id is not None:
            condition |= Q(person_id=scope.person_id)
            paths = ancestor_paths(member_unit_paths(scope.person_id, today()))
            if paths:
                condition |= Q(unit__path__in=sorted(paths))
        for path in scope.paths:
            condition |= Q(unit__path__startswith=path) | Q(
                person_id__in=Membership.objects.filter(unit__path__startswith=path).values(
                    "person_id"
                )
            )
        return self.filter(condition)

    def active_on(self, day: dt.date) -> GoalQuerySet:
        return self.filter(start__lte=day, end__gte=day)

    def overlapping(self, start: dt.date, end: dt.date) -> GoalQuerySet:
        return self.filter(start__lte=end, end__gte=start)

    def with_related(self) -> GoalQuerySet:
        return self.select_related(
            "person", "unit", "product_line", "product", "territory", "set_by", "parent"
        )
