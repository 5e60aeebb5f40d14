"""Who may give awards, run contests and see motivation profiles.

- Holders of `recognition.manage_recognition` (sales ops) may give any award and manage every
  contest; superusers too.
- Managers, assistant managers and team leaders may give awards to the people in their line
  (members today of the units they lead, and those reporting to them) and to the teams inside
  the units they lead; they run contests for units inside their subtrees.
- Nobody gives an award to themselves. A motivation profile is seen by its person, their
  management line and recognition admins; only the person edits it.
"""

from __future__ import annotations

from typing import Any

from attain.organization.models import OrgUnit, Person
from attain.organization.visibility import scope_for
from attain.recognition.querysets import is_recognition_admin, line_people_q, reports_of


def in_line(user: Any, person_id: int) -> bool:
    return Person.objects.filter(line_people_q(user, "pk"), pk=person_id).exists()


def may_give_award(user: Any, *, person: Person | None = None, unit: OrgUnit | None = None) -> bool:
    scope = scope_for(user)
    if person is not None and scope.person_id == person.pk:
        return False
    if is_recognition_admin(user):
        return True
    if unit is not None:
        return any(unit.path.startswith(path) for path in scope.paths)
    if person is not None:
        return in_line(user, person.pk)
    return False


def may_give_any_award(user: Any) -> bool:
    scope = scope_for(user)
    if is_recognition_admin(user) or scope.paths:
        return True
    return scope.person_id is not None and bool(reports_of(scope.person_id))


def may_manage_contest(user: Any, *, unit: OrgUnit) -> bool:
    if is_recognition_admin(user):
        return True
    return any(unit.path.startswith(path) for path in scope_for(user).paths)


def may_manage_any_contest(user: Any) -> bool:
    return is_recognition_admin(user) or bool(scope_for(user).paths)


def may_see_motivation(user: Any, *, person_id: int) -> bool:
    if scope_for(user).person_id == person_id or is_recognition_admin(user):
        return True
    return in_line(user, person_id)
