"""Who may do what with orders (on top of organization.visibility).

- list / detail / edit / advance / cancel / record a return: any order the user can see;
- create: only with an owner the user covers — themselves, anyone placed today in a unit they
  lead, or anyone at all for admins (sales operations);
- delete: nobody. Orders and returns are money rows; cancel an order instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from attain.core.periods import today, valid_on_q
from attain.organization.models import Membership, Person
from attain.organization.visibility import scope_for


def owner_choices(user: Any) -> QuerySet[Person]:
    """The people `user` may make the owner of a new order."""
    scope = scope_for(user)
    people = Person.objects.all()
    if scope.everything:
        return people.order_by("last_name", "first_name", "pk")
    condition = Q(pk__in=[])
    if scope.person_id is not None:
        condition |= Q(pk=scope.person_id)
    if scope.paths:
        in_units = Q(pk__in=[])
        for path in scope.paths:
            in_units |= Q(unit__path__startswith=path)
        placed = Membership.objects.filter(valid_on_q(today())).filter(in_units)
        condition |= Q(pk__in=placed.values("person_id"))
    return people.filter(condition).order_by("last_name", "first_name", "pk")


def may_own(user: Any, person: Person | None) -> bool:
    """Whether `user` may create an order owned by `person`."""
    if person is None:
        return False
    scope = scope_for(user)
    if scope.everything or (scope.person_id is not None and person.pk == scope.person_id):
        return True
    if not scope.paths:
        return False
    return owner_choices(user).filter(pk=person.pk).exists()
