"""Template helpers: dotted attribute access, money formatting, query-string edits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def resolve(obj: Any, accessor: str) -> Any:
    """`{{ row|resolve:"owner.full_name" }}`: follow a dotted path; call get_FOO_display for choices."""
    value = obj
    for part in accessor.split("."):
        if value is None:
            return ""
        if isinstance(value, dict):
            value = value.get(part, "")
            continue
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, "")
        if callable(value):
            value = value()
    return value


@register.filter
def money(value: Any, currency: str = "") -> str:
    """Format a Decimal with two places and grouping, in the active locale."""
    if value in (None, ""):
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.simple_tag
def sort_link(query_without_sort: str, current: str, key: str) -> str:
    """The query string that sorts by `key`, toggling direction when already sorted by it."""
    target = f"-{key}" if current == key else key
    prefix = f"{query_without_sort}&" if query_without_sort else ""
    return f"?{prefix}sort={target}"
