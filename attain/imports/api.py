"""HTTP API for imports (sales operations): what can be imported, upload, check, import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.progress import progress_get
from attain.core.visibility import is_admin
from attain.imports import services
from attain.imports.entities import ENTITIES
from attain.imports.models import ImportJob, ImportMapping, ImportStatus
from attain.imports.presets import PRESETS
from attain.imports.progress import PROGRESS_KIND
from attain.imports.tasks import import_job_check_task, import_job_run_task
from attain.imports.views import INLINE_BYTES

router = Router(tags=["imports"])


def _admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


class ColumnOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    help: str
    choices: list[str]
    refers_to: str


class EntityOut(Schema):
    name: str
    label: str
    columns: list[ColumnOut]


class ProblemOut(Schema):
    row: int
    column: str
    message: str


class JobOut(Schema):
    id: int
    entity: str
    file_name: str
    size_bytes: int
    status: str
    preset: str
    mapping_id: int | None
    mapping: dict[str, Any]
    columns: list[str]
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    problem_count: int
    problems: list[ProblemOut]
    progress_done: int
    progress_total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class MappingIn(Schema):
    name: str
    entity: str
    mapping: dict[str, Any]


class MappingOut(Schema):
    id: int
    name: str
    entity: str
    mapping: dict[str, Any]


def _job_out(job: ImportJob) -> dict[str, Any]:
    progress = progress_get(kind=PROGRESS_KIND, key=job.pk) if job.is_busy else None
    return {
        "id": job.pk,
        "entity": job.entity,
        "file_name": job.original_name,
        "size_bytes": job.size_bytes,
        "status": job.status,
        "preset": job.preset,
        "mapping_id": job.mapping_id,
        "mapping": job.mapping_spec,
        "columns": job.columns,
        "rows": job.rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "skipped": job.skipped_count,
        "problem_count": job.error_count,
        "problems": job.errors,
        "progress_done": progress.done if progress else 0,
        "progress_total": progress.total if progress else 0,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.get("/entities", response=list[EntityOut], operation_id="import_entity_list")
def import_entity_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every importable entity and its columns (names to use as CSV headers)."""
    _admin(request)
    return [
        {
            "name": entity.name,
            "label": str(entity.label),
            "columns": [
                {
                    "name": c.name,
                    "label": str(c.label),
                    "kind": c.kind,
                    "required": c.required,
                    "help": str(c.help),
                    "choices": [str(code) for code, _label in c.choices],
                    "refers_to": c.ref,
                }
                for c in entity.columns
            ],
        }
        for entity in ENTITIES.values()
    ]


@router.get("/presets", response=dict[str, list[str]], operation_id="import_preset_list")
def import_preset_list(request: HttpRequest) -> dict[str, list[str]]:
    """Export formats with a built-in mapping, and the entities each covers."""
    _admin(request)
    return {name: sorted(specs) for name, specs in PRESETS.items()}


@router.get("/jobs", response=list[JobOut], operation_id="import_job_list")
@paginate(LimitOffsetPagination)
def import_job_list(request: HttpRequest, status: str = "", entity: str = "") -> Any:
    _admin(request)
    jobs = ImportJob.objects.order_by("-created_at", "-pk")
    if status:
        jobs = jobs.filter(status=status)
    if entity:
        jobs = jobs.filter(entity=entity)
    return [_job_out(job) for job in jobs[:500]]


@router.post("/jobs", response={201: JobOut}, operation_id="import_job_create")
def import_job_create(
    request: HttpRequest,
    file: File[UploadedFile],
    entity: Form[str],
    preset: Form[str] = "",
    mapping_id: Form[int | None] = None,
    encoding: Form[str] = "auto",
    sheet: Form[str] = "",
) -> Status:
    """Upload a CSV or XLSX file and check it (a dry run: nothing is kept). Small files are
    checked before the answer; larger ones by the task worker (poll the job)."""
    _admin(request)
    mapping = None
    if mapping_id is not None:
        mapping = ImportMapping.objects.filter(pk=mapping_id).first()
        if mapping is None:
            raise ValidationError({"mapping_id": "No saved mapping has this id."})
    job = services.import_job_create(
        user=request.user,
        entity=entity,
        file=file,
        name=file.name or "upload",
        encoding=encoding,
        sheet=sheet,
        preset=preset,
        mapping=mapping,
    )
    if job.size_bytes <= INLINE_BYTES:
        services.import_job_check(job=job)
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
        import_job_check_task.enqueue(job.pk)
        job.refresh_from_db()
    return Status(201, _job_out(job))


@router.get("/jobs/{job_id}", response=JobOut, operation_id="import_job_get")
def import_job_get(request: HttpRequest, job_id: int) -> dict[str, Any]:
    _admin(request)
    return _job_out(get_object_or_404(ImportJob, pk=job_id))


@router.post("/jobs/{job_id}/run", response=JobOut, operation_id="import_job_run")
def import_job_run(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Import a checked file without problems, all or nothing."""
    _admin(request)
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.status != ImportStatus.CHECKED:
        raise ValidationError({"status": "Only a checked file without problems can be imported."})
    if job.size_bytes <= INLINE_BYTES:
        services.import_job_run(job=job)
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
        import_job_run_task.enqueue(job.pk)
        job.refresh_from_db()
    return _job_out(job)


@router.get("/mappings", response=list[MappingOut], operation_id="import_mapping_list")
@paginate(LimitOffsetPagination)
def import_mapping_list(request: HttpRequest) -> Any:
    _admin(request)
    return [
        {"id": m.pk, "name": m.name, "entity": m.entity, "mapping": m.spec}
        for m in ImportMapping.objects.order_by("name")
    ]


@router.post("/mappings", response={201: MappingOut}, operation_id="import_mapping_save")
def import_mapping_save(request: HttpRequest, payload: MappingIn) -> Status:
    _admin(request)
    saved = services.import_mapping_save(
        user=request.user, name=payload.name, entity=payload.entity, spec=payload.mapping
    )
    return Status(
        201, {"id": saved.pk, "name": saved.name, "entity": saved.entity, "mapping": saved.spec}
    )
