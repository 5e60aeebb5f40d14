"""Background tasks of the analytics app (run by the database-backed task worker)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task  # type: ignore[attr-defined]


@task()
def rollups_rebuild_task(start: str | None = None, end: str | None = None) -> dict[str, int]:
    """Rebuild the rollups for [start, end] (ISO dates, open ends = all); idempotent."""
    from attain.analytics.services import rollups_rebuild

    return rollups_rebuild(
        start=dt.date.fromisoformat(start) if start else None,
        end=dt.date.fromisoformat(end) if end else None,
    )
