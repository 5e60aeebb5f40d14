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

from typing import Any

from attain.core.periods import today, valid_on_q
from attain.core.visibility import (  # noqa: F401  (re-exported: import visibility from here)
    EVERYTHING,
    NOTHING,
    Scope,
    can_edit,
    clear_scope_cache,
    is_admin,
    scope_for,
    visible,
)


def compute_scope(user: Any) -> Scope:
    """The rules above, applied to one user today (registered with core.visibility)."""
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
