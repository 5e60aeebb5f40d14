"""The mechanism of visibility: a user's Scope and the filters built from it.

The *rules* that turn a user into a Scope live in `attain/organization/visibility.py` (it knows
memberships and roles) and are registered here when the organisation app loads, so that every
app — core included — can filter by visibility without importing the organisation app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

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
_resolver: Callable[[Any], Scope] | None = None


def register_scope_resolver(resolver: Callable[[Any], Scope]) -> None:
    """Install the function that computes a user's Scope (done by the organisation app)."""
    global _resolver
    _resolver = resolver


EVERYTHING = Scope(everything=True)
_CACHE_ATTR = "_attain_scope"


def scope_for(user: AbstractBaseUser | AnonymousUser | Any) -> Scope:
    """The scope of a user today, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if _resolver is None:
        raise RuntimeError("No scope resolver registered: is attain.organization installed?")
    scope = _resolver(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


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
