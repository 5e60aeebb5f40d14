"""One way to serve list pages: search, filters, sorting and pagination over a visible queryset.

Views describe columns and filters; `list_page` applies the request's query string with a
whitelist (unknown sort keys or filter values are ignored, never a server error) and returns the
template context for `core/list.html` (or an app template that extends it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict

from attain.core.export import EXPORT_FORMATS, export_response


@dataclass(frozen=True)
class Column:
    """A table column: `accessor` is a dotted attribute path on the row (e.g. "owner.full_name")."""

    label: str
    accessor: str
    sort: str = ""  # ORM ordering key; empty = not sortable
    link: bool = False  # link the cell to the row's get_absolute_url
    kind: str = "text"  # text | money | number | date | percent | badge


@dataclass(frozen=True)
class Filter:
    """A select filter: `param` in the query string applies `lookup=value` when value is allowed."""

    param: str
    label: str
    lookup: str
    choices: Sequence[tuple[Any, Any]]


@dataclass
class ListPage:
    title: str
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    search: Callable[[Any, str], QuerySet[Any]] | None = None
    default_sort: str = ""
    page_size: int = 25
    create_url: str = ""
    create_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


EXPORT_MAX_ROWS = 100_000


def _filtered(
    request: HttpRequest, queryset: QuerySet[Any], spec: ListPage
) -> tuple[QuerySet[Any], str, dict[str, str], str]:
    params: QueryDict = request.GET
    term = params.get("q", "").strip()[:100]
    if term and spec.search is not None:
        queryset = spec.search(queryset, term)
    active_filters: dict[str, str] = {}
    for flt in spec.filters:
        value = params.get(flt.param, "")
        if value and value in {str(code) for code, _ in flt.choices}:
            queryset = queryset.filter(**{flt.lookup: value})
            active_filters[flt.param] = value
    sortable = {col.sort for col in spec.columns if col.sort}
    sort = params.get("sort", "") or spec.default_sort
    if sort.lstrip("-") not in sortable:
        sort = spec.default_sort
    if sort:
        queryset = queryset.order_by(sort, "-pk" if sort.startswith("-") else "pk")
    return queryset, term, active_filters, sort


def list_export(
    request: HttpRequest,
    queryset: QuerySet[Any],
    spec: ListPage,
    rows_hook: Callable[[list[Any]], None] | None = None,
) -> HttpResponse | None:
    """When the query string asks for `export=csv|xlsx`, the whole filtered, sorted list (not just
    the page) as a file with the page's columns; otherwise None."""
    fmt = request.GET.get("export", "")
    if fmt not in EXPORT_FORMATS:
        return None
    from attain.core.templatetags.attain import resolve

    queryset, _term, _filters, _sort = _filtered(request, queryset, spec)
    rows = list(queryset[:EXPORT_MAX_ROWS])
    if rows_hook is not None:
        rows_hook(rows)
    return export_response(
        title=str(spec.title),
        headers=[str(col.label) for col in spec.columns],
        rows=([resolve(row, col.accessor) for col in spec.columns] for row in rows),
        fmt=fmt,
    )


def list_page(request: HttpRequest, queryset: QuerySet[Any], spec: ListPage) -> dict[str, Any]:
    """Apply search, filters, sort and page from the query string; return the template context."""
    params: QueryDict = request.GET
    queryset, term, active_filters, sort = _filtered(request, queryset, spec)
    paginator = Paginator(queryset, spec.page_size)
    page = paginator.get_page(params.get("page"))
    keep = params.copy()
    keep.pop("page", None)
    keep.pop("export", None)
    keep_sort = params.copy()
    keep_sort.pop("sort", None)
    keep_sort.pop("page", None)
    return {
        "spec": spec,
        "page_obj": page,
        "rows": page.object_list,
        "term": term,
        "sort": sort,
        "active_filters": active_filters,
        "query_without_page": keep.urlencode(),
        "query_without_sort": keep_sort.urlencode(),
        "query_for_export": keep.urlencode(),
        **spec.extra,
    }
