"""Settled history is read once: a cache for rollup reads whose days all lie before this week.

Almost every figure a dashboard shows spans months, and all but the last few days of them are
settled: orders of last quarter rarely change. A read whose rows all lie before this week's
Monday (`settled_before()`) is cached under its rollup's **history stamp**, a random token kept
in `HistoryStamp`; the incremental upkeep gives a rollup a new token whenever a write changes
one of its rows before that Monday (and a rebuild renews every token), so a cached figure is
never older than its facts. Writes of this week (nearly all of them) leave the stamps alone,
and the part of a figure that falls in this week is always read live.

Tokens are random, not counters: a transaction that is rolled back leaves no token behind that
could later name other data. Within a request the stamps are read once (`stamps_memo`, opened
by `HistoryStampMiddleware`); a write that renews a token forgets the memo. The cache is the
Django cache `analytics` (local memory by default, any shared backend in production).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone

from attain.analytics.models import HistoryStamp
from attain.core.periods import today

CACHE_ALIAS = "analytics"
#: cached figures expire anyway after a day (the stamps make them exact; this bounds memory)
CACHE_SECONDS = 24 * 3600
_MISSING = object()


def settled_before() -> dt.date:
    """The first day that is not settled history: the Monday of this week."""
    day = today()
    return day - dt.timedelta(days=day.weekday())


@dataclass
class _Memo:
    stamps: dict[str, str] | None = None


_memo: ContextVar[_Memo | None] = ContextVar("attain_history_stamps", default=None)


@contextmanager
def stamps_memo() -> Iterator[None]:
    """Read the stamps at most once inside the block (one request)."""
    reset = _memo.set(_Memo())
    try:
        yield
    finally:
        _memo.reset(reset)


def stamps() -> dict[str, str]:
    """Rollup name → its current token (one query, or none inside a memo that has them)."""
    memo = _memo.get()
    if memo is not None and memo.stamps is not None:
        return memo.stamps
    found = dict(HistoryStamp.objects.values_list("name", "token"))
    if memo is not None:
        memo.stamps = found
    return found


def stamp_renew(*names: str) -> None:
    """Give each named rollup a new token (in the caller's transaction)."""
    if not names:
        return
    token = uuid.uuid4().hex
    now = timezone.now()
    wanted = sorted(set(names))
    updated = HistoryStamp.objects.filter(name__in=wanted).update(token=token, changed_at=now)
    present = (
        set(wanted)
        if updated == len(wanted)
        else set(HistoryStamp.objects.filter(name__in=wanted).values_list("name", flat=True))
    )
    for name in wanted:
        if name in present:
            continue
        try:
            with transaction.atomic():
                HistoryStamp.objects.create(name=name, token=token, changed_at=now)
        except IntegrityError:  # created meanwhile by a concurrent writer
            HistoryStamp.objects.filter(name=name).update(token=token, changed_at=now)
    memo = _memo.get()
    if memo is not None:
        memo.stamps = None


def settled_cached[T](name: str, key: Any, compute: Callable[[], T]) -> T:
    """`compute()` for settled history of rollup `name`, cached under its token and `key` (any
    value with a stable repr that names the question exactly, e.g. the SQL and its params)."""
    token = stamps().get(name, "-")
    digest = hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()
    cache_key = f"attain:settled:{name}:{token}:{digest}"
    cache = caches[CACHE_ALIAS]
    found = cache.get(cache_key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[return-value]
    value = compute()
    cache.set(cache_key, value, CACHE_SECONDS)
    return value


def query_key(qs: Any) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of a queryset: the exact question, as a cache key."""
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def fetch(qs: Any) -> Callable[[], list[Any]]:
    """A compute that lists the rows of `qs` (for `settled_cached`)."""
    return lambda: list(qs)
