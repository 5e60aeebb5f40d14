"""Progress of long work, readable by every process while the work runs (see JobProgress)."""

from __future__ import annotations

from dataclasses import dataclass

from attain.core.models import JobProgress


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


def progress_set(*, kind: str, key: int, done: int, total: int) -> None:
    """Record that `done` of `total` steps of the work (`kind`, `key`) are done; commits at
    once on its own connection, whatever transaction the caller is in."""
    JobProgress.objects.update_or_create(
        kind=kind, key=key, defaults={"done": done, "total": total}
    )


def progress_get(*, kind: str, key: int) -> Progress | None:
    found = JobProgress.objects.filter(kind=kind, key=key).values_list("done", "total").first()
    return Progress(*found) if found else None
