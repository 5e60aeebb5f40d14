"""Writing many new rows fast: PostgreSQL's COPY, elsewhere `bulk_create` or batched INSERTs.

For services that book thousands of records at once (imports, demo data). The rows are model
instances built by the service (so every field has the value the single-record path would give
it); `bulk_insert` gives them primary keys and writes them in the caller's transaction. It
writes exactly the columns the instances hold — no `save()`, no signals — so `auto_now` fields
must be set by the caller (`stamp_times`). `insert_rows` writes plain value rows of some
columns, for the millions of derived rows (payout credits) that need no primary key back and
no model instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
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
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, new_id)
        _copy(
            cursor,
            table,
            fields,
            (
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                for obj in objs
            ),
            connection,
        )


def _copy(
    cursor: Any,
    table: str,
    fields: Sequence[Field[Any, Any]],
    rows: Iterable[Sequence[Any]],
    connection: Any,
) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    raw: Any = cursor.cursor  # psycopg's own cursor: COPY
    with raw.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows of values for the fields `names` (attribute names: `line_id`) of `model`, in
    the caller's transaction: COPY on PostgreSQL (the values as Python gives them: ints, dates,
    Decimals), batched INSERTs elsewhere."""
    db = router.db_for_write(model)
    connection = connections[db]
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[n] for n in names]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, model._meta.db_table, fields, rows, connection)
            return
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 (our table and columns)
            f"({', '.join(qn(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
            )
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
