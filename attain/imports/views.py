"""Import pages (sales operations): upload, preview with every problem, import, mappings."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.export import export_response
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.progress import progress_get
from attain.core.visibility import is_admin
from attain.core.web import apply_validation_error, require
from attain.imports import services
from attain.imports.engine import resolve_columns
from attain.imports.entities import ENTITIES
from attain.imports.fields import KIND_LABELS
from attain.imports.forms import MappingForm, UploadForm
from attain.imports.mappings import mapping_from_dict
from attain.imports.models import ImportJob, ImportMapping, ImportStatus
from attain.imports.progress import PROGRESS_KIND
from attain.imports.tasks import import_job_check_task, import_job_run_task

#: files up to this size are checked while the page waits; larger ones by the task worker
INLINE_BYTES = 2 * 1024 * 1024


def _jobs_page() -> ListPage:
    return ListPage(
        title=_("Imports"),
        columns=[
            Column(_("File"), "original_name", sort="original_name", link=True),
            Column(_("Imports"), "entity", sort="entity"),
            Column(_("Status"), "status", sort="status", kind="badge"),
            Column(_("Rows"), "rows", sort="rows", kind="number"),
            Column(_("Created"), "created_count", kind="number"),
            Column(_("Updated"), "updated_count", kind="number"),
            Column(_("Unchanged"), "unchanged_count", kind="number"),
            Column(_("Problems"), "error_count", sort="error_count", kind="number"),
            Column(_("Uploaded"), "created_at", sort="created_at", kind="date"),
        ],
        filters=[
            Filter("status", _("Status"), "status", ImportStatus.choices),
            Filter("entity", _("Imports"), "entity", [(k, e.label) for k, e in ENTITIES.items()]),
        ],
        search=lambda qs, term: qs.filter(original_name__icontains=term),
        default_sort="-created_at",
        create_url="/imports/new/",
        create_label=_("Import a file"),
    )


@login_required
@require(is_admin)
def job_list(request: HttpRequest) -> HttpResponse:
    spec = _jobs_page()
    queryset = ImportJob.objects.all()
    exported = list_export(request, queryset, spec)
    if exported is not None:
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


def _start_check(job: ImportJob) -> None:
    if job.size_bytes <= INLINE_BYTES:
        services.import_job_check(job=job)
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
        import_job_check_task.enqueue(job.pk)


@login_required
@require(is_admin)
def job_create(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mapping_text = None
        if data.get("mapping_file"):
            try:
                mapping_text = data["mapping_file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("mapping_file", _("The mapping file must be UTF-8 text."))
        if not form.errors:
            try:
                job = services.import_job_create(
                    user=request.user,
                    entity=data["entity"],
                    file=data["file"],
                    name=data["file"].name,
                    encoding=data["encoding"],
                    sheet=data.get("sheet", ""),
                    preset=data.get("preset", ""),
                    mapping=data.get("mapping"),
                    mapping_text=mapping_text,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                _start_check(job)
                return redirect(job.get_absolute_url())
    return render(
        request,
        "imports/upload.html",
        {"form": form, "entities": ENTITIES.values(), "kind_labels": KIND_LABELS},
    )


def _column_table(job: ImportJob) -> list[dict[str, Any]]:
    entity = ENTITIES[job.entity]
    mapping = mapping_from_dict(job.mapping_spec or {"entity": job.entity})
    try:
        sources = resolve_columns(entity, job.columns, mapping)
    except ValueError:
        sources = dict(mapping.columns)
    return [
        {
            "column": column,
            "kind": KIND_LABELS[column.kind],
            "source": sources.get(column.name, ""),
            "constant": mapping.constants.get(column.name, ""),
            "default": mapping.defaults.get(column.name, ""),
        }
        for column in entity.columns
    ]


def _progress(job: ImportJob) -> dict[str, Any]:
    found = progress_get(kind=PROGRESS_KIND, key=job.pk) if job.is_busy else None
    if found is None:
        return {"done": 0, "total": 0, "pct": 0}
    pct = int(found.done * 100 / found.total) if found.total else 0
    return {"done": found.done, "total": found.total, "pct": pct}


@login_required
@require(is_admin)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    context = {
        "job": job,
        "entity": ENTITIES[job.entity],
        "columns": _column_table(job),
        "problems": job.errors[:200],
        "progress": _progress(job),
        "preview_columns": job.columns,
    }
    if request.htmx and request.GET.get("part") == "status":  # type: ignore[attr-defined]
        return render(request, "imports/_status.html", context)
    return render(request, "imports/job_detail.html", context)


@login_required
@require(is_admin)
@require_POST
def job_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status != ImportStatus.CHECKED:
        messages.error(request, _("Only a checked file without problems can be imported."))
        return redirect(job.get_absolute_url())
    if job.size_bytes <= INLINE_BYTES:
        try:
            services.import_job_run(job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if job.status == ImportStatus.DONE:
                messages.success(request, _("The file was imported."))
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
        import_job_run_task.enqueue(job.pk)
    return redirect(job.get_absolute_url())


@login_required
@require(is_admin)
@require_POST
def job_check(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status in (ImportStatus.DONE, ImportStatus.RUNNING, ImportStatus.CHECKING):
        messages.error(request, _("This import cannot be checked again now."))
    else:
        _start_check(job)
    return redirect(job.get_absolute_url())


@login_required
@require(is_admin)
def job_problems(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    fmt = request.GET.get("export", "csv")
    return export_response(
        title=f"{job.original_name} problems",
        headers=[_("Row"), _("Column"), _("Problem")],
        rows=([e["row"] or "", e["column"], e["message"]] for e in job.errors),
        fmt=fmt if fmt in ("csv", "xlsx") else "csv",
    )


@login_required
@require(is_admin)
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Build the mapping for a job's file from its header row; optionally save it by name."""
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status in (ImportStatus.DONE, ImportStatus.RUNNING, ImportStatus.CHECKING):
        messages.error(request, _("The mapping of this import cannot change now."))
        return redirect(job.get_absolute_url())
    spec = job.mapping_spec or {"entity": job.entity}
    current = {"columns": dict(resolve_columns_safe(job)), "constants": spec.get("constants", {})}
    form = MappingForm(
        request.POST or None, entity=job.entity, file_columns=job.columns, initial_spec=current
    )
    if request.method == "POST" and form.is_valid():
        new_spec = form.spec(spec)
        try:
            parsed = mapping_from_dict(new_spec)
            if form.cleaned_data.get("name"):
                saved = services.import_mapping_save(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    entity=job.entity,
                    spec=new_spec,
                )
                job.mapping = saved
            job.mapping_spec = parsed.as_dict()
            job.preset = ""
            job.status = ImportStatus.UPLOADED
            job.save(update_fields=["mapping", "mapping_spec", "preset", "status"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            _start_check(job)
            return redirect(job.get_absolute_url())
    return render(request, "imports/mapping.html", {"job": job, "form": form})


def resolve_columns_safe(job: ImportJob) -> dict[str, str]:
    try:
        return resolve_columns(
            ENTITIES[job.entity], job.columns, mapping_from_dict(job.mapping_spec or {})
        )
    except ValueError:
        return dict((job.mapping_spec or {}).get("columns", {}))


@login_required
@require(is_admin)
def mapping_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Import mappings"),
        columns=[
            Column(_("Name"), "name", sort="name"),
            Column(_("Imports"), "entity", sort="entity"),
            Column(_("Changed"), "updated_at", sort="updated_at", kind="date"),
        ],
        search=lambda qs, term: qs.filter(name__icontains=term),
        default_sort="name",
        extra={"download_base": "/imports/mappings/"},
    )
    return render(
        request, "imports/mapping_list.html", list_page(request, ImportMapping.objects.all(), spec)
    )


@login_required
@require(is_admin)
def mapping_download(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(ImportMapping, pk=pk)
    response = HttpResponse(
        json.dumps({"name": mapping.name, **mapping.spec}, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="mapping-{mapping.pk}.json"'
    return response


@login_required
@require(is_admin)
def entity_template(request: HttpRequest, entity: str) -> HttpResponse:
    """An empty CSV (or XLSX) with the entity's columns: a file to fill in."""
    found = ENTITIES.get(entity)
    if found is None:
        return redirect(reverse("imports:job_create"))
    fmt = request.GET.get("export", "csv")
    return export_response(
        title=f"{entity} template",
        headers=[c.name for c in found.columns],
        rows=iter(()),
        fmt=fmt if fmt in ("csv", "xlsx") else "csv",
    )
