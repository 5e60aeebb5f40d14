"""Writing many new rows fast: PostgreSQL's COPY, elsewhere `bulk_create`.

For services that book thousands of records at once (imports, demo data). The rows are model
instances built by the service (so every field has the value the single-record path would give
it); `bulk_insert` gives them primary keys and writes them in the caller's transaction. It
writes exactly the columns the instances hold — no `save()`, no signals — so `auto_now` fields
must be set by the caller (`stamp_times`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

BATCH = 2000


def stamp_times(objs: Sequence[Model]) -> None:
    """Fill `created_at` / `updated_at` (auto_now fields) as a save would."""
    now = timezone.now()
    for obj in objs:
        for name in ("created_at", "updated_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)


def bulk_insert(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert new instances of `model` and set their primary keys."""
    if not objs:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        model._default_manager.using(db).bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    table = meta.db_table
    qn = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, new_id)
        columns = ", ".join(qn(str(f.column)) for f in fields)
        raw: Any = cursor.cursor  # psycopg's own cursor: COPY
        with raw.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )
