"""Background work of the incentives app: calculating a requested payout run, and bringing a
calculated draft up to date after a change to some orders or people (task worker)."""

from __future__ import annotations

from django.tasks import task  # type: ignore[attr-defined]


@task()
def payout_run_calculate_task(run_id: int) -> str:
    """Calculate a requested run; safe to retry. A run approved (or paid) since is left alone;
    a refusal (no plan, a missing goal) is recorded in the run's `error` by the service, so it
    does not fail the task. Returns the run's status."""
    from django.core.exceptions import ValidationError

    from attain.incentives.models import PayoutRun, RunStatus
    from attain.incentives.services import run_calculate

    run = PayoutRun.objects.filter(pk=run_id).first()
    if run is None:  # discarded before the worker came to it
        return "discarded"
    if run.status != RunStatus.DRAFT:
        return str(run.status)
    try:
        run = run_calculate(run=run)
    except ValidationError:
        run.refresh_from_db()
    return str(run.status)


@task()
def payout_run_refresh_task(run_id: int, order_ids: list[int], person_ids: list[int]) -> str:
    """Figure again the lines of a calculated draft that these orders or people touch (safe to
    retry: it gives the same lines). Returns the run's status."""
    from attain.incentives.models import PayoutRun
    from attain.incentives.services import run_refresh

    run = PayoutRun.objects.filter(pk=run_id).first()
    if run is None:
        return "discarded"
    return str(run_refresh(run=run, order_ids=order_ids, person_ids=person_ids).status)
