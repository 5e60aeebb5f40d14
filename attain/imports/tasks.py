"""Background work of the imports app: checking and importing a file (task worker)."""

from __future__ import annotations

from django.tasks import task  # type: ignore[attr-defined]


@task()
def import_job_check_task(job_id: int) -> int:
    """Check an uploaded file (a dry run); safe to retry."""
    from attain.imports.models import ImportJob
    from attain.imports.progress import job_progress
    from attain.imports.services import import_job_check

    job = ImportJob.objects.get(pk=job_id)
    import_job_check(job=job, progress=job_progress(job))
    return job.error_count


@task()
def import_job_run_task(job_id: int) -> int:
    """Import a checked file, all or nothing; safe to retry (a done job is not run again)."""
    from attain.imports.models import ImportJob, ImportStatus
    from attain.imports.progress import job_progress
    from attain.imports.services import import_job_run

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportStatus.DONE:
        return 0
    import_job_run(job=job, progress=job_progress(job))
    return job.error_count
