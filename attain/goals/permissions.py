"""Who may set, revise and acknowledge goals (built on organization.visibility.scope_for).

- Admins (sales ops) may set and revise any goal.
- Managers, assistant managers and team leaders may set and revise goals for scopes inside the
  units they lead: the units of their subtrees and the people who are members there today
  (a team leader: their team and its members).
- Sellers and everyone else cannot set goals; they acknowledge the ones set for them.
"""

from __future__ import annotations

from typing import Any

from attain.core.periods import today
from attain.goals.querysets import ancestor_paths, member_unit_paths
from attain.organization.models import OrgUnit, Person
from attain.organization.visibility import scope_for


def may_set_goal(user: Any, *, person: Person | None = None, unit: OrgUnit | None = None) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    if not scope.paths:
        return False
    if unit is not None:
        return scope.covers_path(unit.path)
    if person is not None:
        return any(scope.covers_path(path) for path in member_unit_paths(person.pk, today()))
    return False


def may_set_any_goal(user: Any) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.paths)


def may_acknowledge(*, person: Person, goal_person_id: int | None, unit: OrgUnit | None) -> bool:
    """The goal's own person, or for a unit goal a member (today) of that unit's subtree."""
    if goal_person_id is not None:
        return goal_person_id == person.pk
    if unit is None:
        return False
    return any(path.startswith(unit.path) for path in member_unit_paths(person.pk, today()))


__all__ = ["ancestor_paths", "may_acknowledge", "may_set_any_goal", "may_set_goal"]
