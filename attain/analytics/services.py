"""Writes of the analytics app: rebuilding the rollup tables from the raw rows."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.analytics import rollups


@transaction.atomic
def rollups_rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, int]:
    """Delete the rollup rows with a day in [start, end] and recompute them from the raw rows
    (one INSERT … SELECT … GROUP BY per table). Open ends mean "all". Idempotent.

    Returns the number of rollup rows now in the range, per table.
    """
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    return rollups.rebuild(start=start, end=end)
