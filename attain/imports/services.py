"""Every write of the imports app: uploading a file, checking it, importing it, saving mappings.

Checking and importing are long: they commit the job's state (checking / importing) first,
then run the whole import in one transaction of its own (see `engine.py`), then record the
outcome — so they are not wrapped in one transaction like the other services. They are
idempotent and safe to run again (a killed worker leaves nothing half-imported: the import's
transaction dies with it, and running the job again starts from the file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.imports.context import ImportContext
from attain.imports.engine import Outcome, Progress, RowError, run
from attain.imports.entities import ENTITIES, install_creators
from attain.imports.mappings import (
    ColumnMapping,
    MappingProblem,
    mapping_from_dict,
    mapping_from_text,
    preset_mapping,
)
from attain.imports.models import ImportJob, ImportMapping, ImportStatus
from attain.imports.readers import ENCODINGS, FileProblem, Table, open_table
from attain.organization.models import Person

ProgressReport = Callable[[int, int], None]


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_MB) * 1024 * 1024


def _effective_mapping(
    *, entity: str, preset: str, mapping: ImportMapping | None, mapping_text: str | None
) -> ColumnMapping:
    given = [x for x in (preset, mapping, mapping_text) if x]
    if len(given) > 1:
        raise ValidationError({"mapping": _("Choose a preset or a mapping, not both.")})
    try:
        if preset:
            found = preset_mapping(preset, entity)
        elif mapping is not None:
            found = mapping_from_dict(mapping.spec)
        elif mapping_text:
            found = mapping_from_text(mapping_text)
        else:
            return ColumnMapping(entity=entity)
    except MappingProblem as exc:
        raise ValidationError({"mapping": str(exc)}) from None
    if found.entity and found.entity != entity:
        raise ValidationError(
            {
                "mapping": _("This mapping is for %(other)s, not %(entity)s.")
                % {"other": found.entity, "entity": entity}
            }
        )
    return found


@transaction.atomic
def import_job_create(
    *,
    user: Any,
    entity: str,
    file: IO[bytes] | File,
    name: str,
    encoding: str = "auto",
    sheet: str = "",
    preset: str = "",
    mapping: ImportMapping | None = None,
    mapping_text: str | None = None,
) -> ImportJob:
    """Store an uploaded file as a new import of `entity` and read its header row.

    Nothing is saved when the file cannot be read as a table (empty, not a spreadsheet, wrong
    encoding, no header …) or is too large: the error names the reason."""
    errors: dict[str, str] = {}
    if entity not in ENTITIES:
        errors["entity"] = _("“%(entity)s” cannot be imported; choose one of: %(names)s.") % {
            "entity": entity,
            "names": ", ".join(ENTITIES),
        }
    if encoding not in ENCODINGS:
        errors["encoding"] = _("Choose the encoding: %(names)s.") % {"names": ", ".join(ENCODINGS)}
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size == 0:
        errors["file"] = _("The file is empty (0 bytes).")
    elif size > max_bytes():
        errors["file"] = _(
            "The file is %(size)s MB; files up to %(max)s MB are imported. Split it into parts."
        ) % {"size": round(size / 1024 / 1024, 1), "max": settings.IMPORT_MAX_MB}
    if errors:
        raise ValidationError(errors)
    effective = _effective_mapping(
        entity=entity, preset=preset, mapping=mapping, mapping_text=mapping_text
    )
    job = ImportJob(
        entity=entity,
        original_name=Path(name).name[:255],
        size_bytes=size,
        encoding=encoding,
        sheet=sheet,
        preset=preset,
        mapping=mapping,
        mapping_spec=effective.as_dict(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    job.file.save(Path(name).name or "upload", File(file), save=False)
    stored = Path(job.file.path)
    try:
        table = open_table(stored, name=name, encoding=encoding, sheet=sheet)
    except FileProblem as exc:
        stored.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from None
    job.columns = table.columns
    job.save()
    return job


def _table(job: ImportJob) -> Table:
    return open_table(
        Path(job.file.path), name=job.original_name, encoding=job.encoding, sheet=job.sheet
    )


def _actor(job: ImportJob) -> Person | None:
    if job.created_by_id is None:
        return None
    return Person.objects.filter(user_id=job.created_by_id).first()


def count_rows(table: Table) -> int:
    """The number of data rows (one quick pass; for progress bars)."""
    return sum(1 for _row in table.rows())


def _record(job: ImportJob, outcome: Outcome, *, status: str, message: str = "") -> None:
    job.rows = outcome.rows
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.unchanged_count = outcome.unchanged
    job.skipped_count = outcome.skipped
    job.error_count = outcome.error_count
    job.errors = [e.as_dict() for e in outcome.errors]
    job.preview = outcome.preview
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save()


def _start(job: ImportJob, status: str) -> None:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ImportStatus.DONE:
            raise ValidationError({"status": _("This file has been imported already.")})
        locked.status = status
        locked.started_at = timezone.now()
        locked.finished_at = None
        locked.save(update_fields=["status", "started_at", "finished_at"])
    job.status, job.started_at = status, locked.started_at


def _execute(job: ImportJob, *, dry_run: bool, progress: ProgressReport | None) -> Outcome:
    entity = ENTITIES[job.entity]
    mapping = mapping_from_dict(job.mapping_spec or {"entity": job.entity})
    context = ImportContext(actor=_actor(job))
    install_creators(context)
    try:
        table = _table(job)
        total = count_rows(table) if progress is not None else None
        return run(
            entity=entity,
            table=table,
            mapping=mapping,
            context=context,
            dry_run=dry_run,
            progress=Progress(progress, every=max(1, (total or 0) // 200 or 1)),
            total_rows=total,
        )
    except (FileProblem, MappingProblem) as exc:
        outcome = Outcome()
        outcome.add_error(RowError(0, "", str(exc)))
        return outcome


def import_job_check(*, job: ImportJob, progress: ProgressReport | None = None) -> ImportJob:
    """A dry run: everything the import would do, inside a transaction that is rolled back."""
    _start(job, ImportStatus.CHECKING)
    outcome = _execute(job, dry_run=True, progress=progress)
    _record(
        job, outcome, status=ImportStatus.INVALID if outcome.error_count else ImportStatus.CHECKED
    )
    return job


def import_job_run(*, job: ImportJob, progress: ProgressReport | None = None) -> ImportJob:
    """Import the file, all or nothing: when any row has a problem nothing is kept and the
    problems are listed (as for a check)."""
    _start(job, ImportStatus.RUNNING)
    try:
        outcome = _execute(job, dry_run=False, progress=progress)
    except Exception as exc:
        failed = Outcome()
        failed.add_error(RowError(0, "", _("The import stopped: %(reason)s") % {"reason": exc}))
        _record(job, failed, status=ImportStatus.FAILED)
        raise
    _record(
        job,
        outcome,
        status=ImportStatus.DONE if outcome.committed else ImportStatus.INVALID,
        message=""
        if outcome.committed
        else _("Nothing was imported: fix the problems and upload again."),
    )
    return job


@transaction.atomic
def import_mapping_save(
    *, user: Any, name: str, entity: str, spec: dict[str, Any], mapping: ImportMapping | None = None
) -> ImportMapping:
    """Save (or replace) a named mapping after checking it names only the entity's columns."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the mapping a name.")
    elif (
        ImportMapping.objects.filter(name=name)
        .exclude(pk=mapping.pk if mapping is not None else -1)
        .exists()
    ):
        errors["name"] = _("A mapping called %(name)s exists already.") % {"name": name}
    if entity not in ENTITIES:
        errors["entity"] = _("“%(entity)s” cannot be imported.") % {"entity": entity}
    if errors:
        raise ValidationError(errors)
    try:
        parsed = mapping_from_dict({**spec, "entity": entity})
    except MappingProblem as exc:
        raise ValidationError({"spec": str(exc)}) from None
    known = {c.name for c in ENTITIES[entity].columns}
    unknown = sorted(
        (set(parsed.columns) | set(parsed.constants) | set(parsed.defaults) | set(parsed.values))
        - known
    )
    if unknown:
        raise ValidationError(
            {
                "spec": _("Not columns of %(entity)s: %(names)s.")
                % {"entity": entity, "names": ", ".join(unknown)}
            }
        )
    target = mapping or ImportMapping()
    target.name, target.entity, target.spec = name, entity, parsed.as_dict()
    if target.pk is None:
        target.created_by = user if getattr(user, "is_authenticated", False) else None
    target.save()
    return target


def import_file(
    *,
    path: Path,
    entity: str,
    user: Any = None,
    preset: str = "",
    mapping_text: str | None = None,
    encoding: str = "auto",
    sheet: str = "",
    dry_run: bool = False,
    progress: ProgressReport | None = None,
) -> ImportJob:
    """The command-line path: store the file as a job, then check it (dry run) or import it."""
    with path.open("rb") as fh:
        job = import_job_create(
            user=user,
            entity=entity,
            file=fh,
            name=path.name,
            encoding=encoding,
            sheet=sheet,
            preset=preset,
            mapping_text=mapping_text,
        )
    if dry_run:
        return import_job_check(job=job, progress=progress)
    return import_job_run(job=job, progress=progress)
