"""Progress of an import, stored where every page can read it while the import runs."""

from __future__ import annotations

from collections.abc import Callable

from attain.core.progress import progress_set
from attain.imports.models import ImportJob

PROGRESS_KIND = "import"


def job_progress(job: ImportJob) -> Callable[[int, int], None]:
    """A callback for the services: rows done of rows in the file."""

    def report(done: int, total: int) -> None:
        progress_set(kind=PROGRESS_KIND, key=job.pk, done=done, total=total)

    return report
