"""Background tasks owned by core (run by the database-backed task worker)."""

from __future__ import annotations

from django.tasks import task  # type: ignore[attr-defined]


@task()
def login_failures_prune() -> int:
    """Forget failed sign-ins older than the lock-out window; idempotent, safe to retry."""
    from attain.core.services import login_failures_prune as prune

    return prune()
