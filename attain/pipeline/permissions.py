"""Who may create, change and delete pipeline records (on top of organization.visibility).

- list / detail / edit / stage moves / closing: any record the user can see (`visible_to`);
- create: only with an owner the user covers — themselves, anyone placed today in a unit they
  lead, or anyone at all for admins;
- delete deals and leads: admins and leaders whose units cover the record's stamped path
  (the owner alone may not);
- delete activities: the owner, leaders covering it, admins.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from attain.core.periods import today, valid_on_q
from attain.organization.models import Membership, Person
from attain.organization.querysets import PersonQuerySet
from attain.organization.visibility import scope_for


def owner_choices(user: Any) -> PersonQuerySet:
    """The people `user` may make the owner of a new record."""
    scope = scope_for(user)
    people: PersonQuerySet = Person.objects.all()
    if scope.everything:
        return people.order_by("last_name", "first_name", "pk")
    condition = Q(pk__in=[])
    if scope.person_id is not None:
        condition |= Q(pk=scope.person_id)
    if scope.paths:
        path_q = Q(pk__in=[])
        for path in scope.paths:
            path_q |= Q(unit__path__startswith=path)
        placed = Membership.objects.filter(valid_on_q(today())).filter(path_q)
        condition |= Q(pk__in=placed.values("person_id"))
    return people.filter(condition).order_by("last_name", "first_name", "pk")


def may_own(user: Any, person: Person | None) -> bool:
    """Whether `user` may create (or hand over) a record owned by `person`."""
    if person is None:
        return False
    scope = scope_for(user)
    if scope.everything or person.pk == scope.person_id:
        return True
    if not scope.paths:
        return False
    return owner_choices(user).filter(pk=person.pk).exists()


def may_delete_stamped(user: Any, record: Any) -> bool:
    """Deals and leads: admins, and leaders whose units cover the record's stamped path."""
    scope = scope_for(user)
    return scope.everything or scope.covers_path(record.unit_path)


def may_delete_activity(user: Any, activity: Any) -> bool:
    """Activities: the owner, leaders covering it, admins."""
    return scope_for(user).covers(owner_id=activity.owner_id, unit_path=activity.unit_path)
