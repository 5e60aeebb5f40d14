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
from django.http import HttpRequest, QueryDict


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


def list_page(request: HttpRequest, queryset: QuerySet[Any], spec: ListPage) -> dict[str, Any]:
    """Apply search, filters, sort and page from the query string; return the template context."""
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
    paginator = Paginator(queryset, spec.page_size)
    page = paginator.get_page(params.get("page"))
    keep = params.copy()
    keep.pop("page", None)
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
        **spec.extra,
    }
