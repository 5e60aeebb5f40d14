"""Database routing: job progress lives on the `progress` connection (see JobProgress).

On PostgreSQL `progress` is the same database reached over a second connection; on SQLite it
is a small file of its own next to the main one (SQLite lets one connection write at a time,
and a long import holds the main file's write lock until it commits).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

PROGRESS_DB = "progress"
PROGRESS_MODEL = "jobprogress"


def _separate() -> bool:
    databases = settings.DATABASES
    return (
        PROGRESS_DB in databases and databases[PROGRESS_DB]["NAME"] != databases["default"]["NAME"]
    )


class ProgressRouter:
    def _is_progress(self, model: Any) -> bool:
        return model._meta.app_label == "core" and model._meta.model_name == PROGRESS_MODEL

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return PROGRESS_DB if self._is_progress(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return PROGRESS_DB if self._is_progress(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if db != PROGRESS_DB:
            return None  # the main database has every table (JobProgress too, unused there)
        # a separate progress database holds only the progress table
        return _separate() and app_label == "core" and model_name == PROGRESS_MODEL
