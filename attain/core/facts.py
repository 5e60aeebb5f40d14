"""A tiny hook so the services that write sales facts can tell readers (rollups) about it.

The writing services (orders, pipeline) sit below the apps that keep derived tables (analytics),
so they cannot import them. Instead they call `facts_changed(kind, ids=…)` at the end of every
write, inside their transaction; the reader apps register handlers for each kind when they load.

A write that may move a fact to another key (a new date or owner) or delete it also calls
`facts_changing(kind, ids=…)` before it writes, so handlers can note the keys the facts had.
`facts_suspended()` switches the handlers off for bulk loads that rebuild afterwards.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class FactHandler(Protocol):
    def __call__(self, ids: list[int], *, before: bool) -> None: ...


_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)
_state = threading.local()


def register_fact_handler(kind: str, handler: FactHandler | Callable[..., None]) -> None:
    """Call `handler(ids, before=bool)` whenever facts of `kind` change (idempotent)."""
    if handler not in _handlers[kind]:
        _handlers[kind].append(handler)


def _dispatch(kind: str, ids: Iterable[int], *, before: bool) -> None:
    if getattr(_state, "suspended", 0):
        return
    handlers = _handlers.get(kind)
    if not handlers:
        return
    id_list = sorted({int(i) for i in ids if i is not None})
    if not id_list:
        return
    for handler in handlers:
        handler(id_list, before=before)


def facts_changing(kind: str, *, ids: Iterable[int]) -> None:
    """Facts of `kind` are about to change or be deleted (call before the write)."""
    _dispatch(kind, ids, before=True)


def facts_changed(kind: str, *, ids: Iterable[int]) -> None:
    """Facts of `kind` were created, changed, cancelled or deleted (call after the write)."""
    _dispatch(kind, ids, before=False)


@contextmanager
def facts_suspended() -> Iterator[None]:
    """Skip all handlers inside the block (bulk loads; rebuild the derived tables afterwards)."""
    _state.suspended = getattr(_state, "suspended", 0) + 1
    try:
        yield
    finally:
        _state.suspended -= 1


_range_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)

#: What a bulk writer tells of each fact it wrote: (owner id, day, stamped unit path).
Stamp = tuple[int, Any, str]


def register_range_handler(kind: str, handler: Callable[..., None]) -> None:
    """Call `handler(start, end, stamps=[…])` when facts of `kind` were written in bulk
    (idempotent)."""
    if handler not in _range_handlers[kind]:
        _range_handlers[kind].append(handler)


def facts_changed_between(kind: str, *, start: Any, end: Any, stamps: Iterable[Stamp] = ()) -> None:
    """Many facts of `kind` dated in [start, end] were written at once (a bulk load with the
    per-fact handlers suspended): readers recompute that range once, in the caller's
    transaction. `stamps` are the written facts' (owner, day, unit path), distinct, for
    readers that act on the people concerned (the goals a load brought to their target)."""
    if getattr(_state, "suspended", 0):
        return
    distinct = sorted(set(stamps), key=lambda s: (s[0], s[1], s[2]))
    for handler in _range_handlers.get(kind, ()):
        handler(start, end, stamps=distinct)
