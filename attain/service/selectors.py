"""Reads about complaints: the filtered list a user may see, and one complaint in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attain.service.models import Complaint
from attain.service.querysets import ComplaintQuerySet


def complaint_list(
    *,
    user: Any,
    search: str = "",
    status: str = "",
    category: str = "",
    account_id: int | None = None,
    opened_from: dt.date | None = None,
    opened_to: dt.date | None = None,
) -> ComplaintQuerySet:
    """Visible complaints with their account, order and owner, filtered as asked, newest first."""
    qs = (
        Complaint.objects.visible_to(user)
        .search(search)
        .select_related("account", "order", "owner")
    )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if opened_from is not None:
        qs = qs.filter(opened_on__gte=opened_from)
    if opened_to is not None:
        qs = qs.filter(opened_on__lte=opened_to)
    return qs.order_by("-opened_on", "-pk")


def complaint_get(*, user: Any, complaint_id: Any) -> Complaint:
    """One visible complaint with everything it refers to.

    Raises Complaint.DoesNotExist for an id the user cannot see, exactly as for a missing one.
    """
    return (
        Complaint.objects.visible_to(user)
        .select_related("account", "order", "contact", "owner", "unit", "territory")
        .get(pk=complaint_id)
    )
