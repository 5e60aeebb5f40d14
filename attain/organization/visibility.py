"""Who sees what — the one place every list, page, API call, export and admin screen asks.

Rules:
- sales operations / admins (and superusers) see and edit everything;
- sales managers, assistant sales managers and team leaders see and edit the records stamped
  with a unit path inside the units they lead (today), plus their own;
- everyone else (sales representatives, and people in marketing, production and customer
  service) sees and edits only the records they own.

Sales facts carry `owner` and the owner's `unit_path` as of booking (see DOMAIN.md §2),
so a seller who moves keeps their own history and the old team keeps its history too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from attain.core.periods import today, valid_on_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, a set of subtree paths, and/or their own records."""

    everything: bool = False
    paths: tuple[str, ...] = ()
    person_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.everything

    @property
    def is_leader(self) -> bool:
        return bool(self.paths)

    def covers_path(self, path: str | None) -> bool:
        return self.everything or bool(path and any(path.startswith(p) for p in self.paths))

    def covers(self, *, owner_id: int | None, unit_path: str | None) -> bool:
        """Whether a record with this owner and stamped path is visible (and editable)."""
        if self.everything:
            return True
        if self.person_id is not None and owner_id == self.person_id:
            return True
        return self.covers_path(unit_path)

    def q(self, *, owner_field: str = "owner", path_field: str = "unit_path") -> Q:
        """A filter selecting the visible rows; `Q(pk__in=[])` when nothing is visible."""
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if self.person_id is not None and owner_field:
            condition |= Q(**{f"{owner_field}_id": self.person_id})
        for path in self.paths:
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition



NOTHING = Scope()
EVERYTHING = Scope(everything=True)
_CACHE_ATTR = "_attain_scope"


def scope_for(user: AbstractBaseUser | AnonymousUser | Any) -> Scope:
    """The scope of a user today, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _compute_scope(user: Any) -> Scope:
    from attain.organization.models import LEADING_ROLES, Membership, Person, Role

    person = Person.objects.filter(user_id=user.pk).only("pk").first()
    if user.is_superuser:
        return Scope(everything=True, person_id=person.pk if person else None)
    if person is None:
        return NOTHING
    memberships = list(
        Membership.objects.filter(valid_on_q(today()), person_id=person.pk).values_list(
            "role", "unit__path"
        )
    )
    roles = frozenset(role for role, _ in memberships)
    if Role.SALES_OPS in roles:
        return Scope(everything=True, person_id=person.pk, roles=roles)
    paths = tuple(sorted({path for role, path in memberships if role in LEADING_ROLES}))
    return Scope(paths=paths, person_id=person.pk, roles=roles)


def visible[QS: QuerySet[Any]](
    queryset: QS,
    user: Any,
    *,
    owner_field: str = "owner",
    path_field: str = "unit_path",
) -> QS:
    """Filter any queryset of stamped records down to what `user` may see."""
    scope = scope_for(user)
    if scope.everything:
        return queryset
    return queryset.filter(scope.q(owner_field=owner_field, path_field=path_field))


def can_edit(user: Any, *, owner_id: int | None, unit_path: str | None) -> bool:
    return scope_for(user).covers(owner_id=owner_id, unit_path=unit_path)


def is_admin(user: Any) -> bool:
    """Sales operations / admins: may change organisation, catalog and reference data."""
    return scope_for(user).everything


def clear_scope_cache(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
