"""Backups: every row of every table in one file, and back into an empty database.

The file is gzip-compressed JSON Lines (plain JSON Lines when the name does not end in `.gz`):

    {"format": "attain-backup", "version": 1, "created_at": …, "vendor": …,
     "migrations": {app: latest applied migration}, "tables": [[table, rows], …]}
    {"table": "orders_order", "model": "orders.order", "columns": ["id", …], "rows": 2}
    [1, "SO-1", "2026-03-10", "750.00", …]          one line per row, every concrete column
    …
    {"end": true, "rows": 12345}

Tables come in dependency order (a table after the tables it points to). Values are the ones
the ORM reads, written losslessly: decimals as strings, dates and times ISO 8601 (datetimes
with their offset), durations in microseconds, UUIDs as strings, binary as base64, JSON fields
as JSON. The backup reads one snapshot of the database (REPEATABLE READ on PostgreSQL, one read
transaction on SQLite) and streams every table in chunks, so its size is not bounded by memory.

What is in a backup: every concrete model of every installed app — users, groups,
permissions, content types, admin log, the history tables, many-to-many tables, the rollup
tables. What is not: sessions (everyone signs in again), the task queue (django-tasks-db
results: transient; queued work is lost), job progress (the `progress` connection, transient),
and uploaded files under MEDIA_ROOT (copy that folder yourself).

A restore needs a database that was only migrated, to the same migrations as the backup.
The rows `migrate` creates there (content types, permissions, the default stages and lost
reasons, the rollup state and history stamps) and failed sign-ins are deleted and replaced by
the backup's rows with their ids, so every reference to a content type (admin log, permissions)
stays right. It all happens in one transaction with the fact hooks suspended (the rollup
tables are restored as they were, not rebuilt): a damaged or truncated file, or a process
killed half-way, leaves the database as it was. Rows go in with COPY on PostgreSQL and batched
INSERTs elsewhere; foreign keys are checked at commit; the sequences are reset afterwards.
A backup taken on SQLite restores on PostgreSQL and the other way round.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import importlib
import io
import json
import os
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attain.core.facts import facts_suspended

FORMAT = "attain-backup"
VERSION = 1
#: rows read per round trip when writing, rows inserted per statement batch when restoring
CHUNK = 2000

ProgressReport = Callable[[int, int], None]

#: transient tables that are neither backed up nor touched by a restore
SKIPPED = frozenset(
    {
        "sessions.session",  # signed-in sessions: everyone signs in again
        "django_tasks_database.dbtaskresult",  # the task queue and its results
        "core.jobprogress",  # progress of running work (the `progress` connection)
    }
)
#: tables a freshly migrated database already has rows in (or may, without holding data):
#: a restore deletes those rows and inserts the backup's, ids included
REPLACED = frozenset(
    {
        "contenttypes.contenttype",  # post_migrate
        "auth.permission",  # post_migrate
        "analytics.rollupstate",  # post_migrate (attain.analytics.apps)
        "analytics.historystamp",  # post_migrate (attain.analytics.apps)
        "core.loginfailure",  # failed sign-ins: throttling state, not data
    }
)
#: tables a data migration fills with defaults: replaced when they hold only those rows
_DEFAULTS_MIGRATION = "attain.pipeline.migrations.0002_default_stages_and_lost_reasons"

#: value types stored as the JSON value itself (the drivers take it as it is)
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "FileField",
        "ImageField",
        "FilePathField",
    }
)


def _iso(value: Any) -> str:
    return value.isoformat()


_ENCODE: dict[str, Callable[[Any], Any]] = {
    "DecimalField": str,
    "DateField": _iso,
    "DateTimeField": _iso,
    "TimeField": _iso,
    "DurationField": lambda v: v // dt.timedelta(microseconds=1),
    "UUIDField": str,
    "BinaryField": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
}
_DECODE: dict[str, Callable[[Any], Any]] = {
    "DecimalField": Decimal,
    "DateField": dt.date.fromisoformat,
    "DateTimeField": dt.datetime.fromisoformat,
    "TimeField": dt.time.fromisoformat,
    "DurationField": lambda n: dt.timedelta(microseconds=n),
    "UUIDField": uuid.UUID,
    "BinaryField": lambda s: base64.b64decode(s.encode("ascii"), validate=True),
}


@dataclass(frozen=True)
class BackupSummary:
    """What a backup file holds (or what was written / restored)."""

    path: Path
    version: int
    created_at: dt.datetime
    vendor: str
    migrations: dict[str, str]
    tables: dict[str, int]  # table -> rows, in the file's order

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- which tables, in which order ---------------------------------------------------------------


def backup_models() -> list[type[Model]]:
    """Every model whose rows go into a backup, each after the models it points to."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in SKIPPED
    ]
    wanted = set(models)
    needs = {
        model: {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model in wanted and field.related_model != model
        }
        for model in models
    }
    ordered: list[type[Model]] = []
    done: set[type[Model]] = set()
    while len(ordered) < len(models):
        ready = [m for m in models if m not in done and needs[m] <= done]
        # a cycle between tables (none today) is safe too: foreign keys are checked at commit
        for model in ready or [next(m for m in models if m not in done)]:
            ordered.append(model)
            done.add(model)
    return ordered


def _value_type(field: Field) -> str:
    while field.is_relation:
        field = field.target_field  # type: ignore[attr-defined]
    return field.get_internal_type()


def _columns(model: type[Model]) -> list[Field]:
    return list(model._meta.concrete_fields)


def _encoder(field: Field) -> Callable[[Any], Any] | None:
    kind = _value_type(field)
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        if encoder is None:
            return None
        return lambda v: json.loads(json.dumps(v, cls=encoder))
    if kind in _PLAIN:
        return None
    return _ENCODE.get(kind, str)


def _preparer(field: Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """Turn a value read from the file into what the driver inserts (None: as it is)."""
    kind = _value_type(field)
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        if not field.null:
            # a NOT NULL JSON column read as None held JSON null
            return lambda v: connection.ops.adapt_json_value(v, encoder)
        return lambda v: None if v is None else connection.ops.adapt_json_value(v, encoder)
    if kind in _PLAIN:
        return None
    decode = _DECODE.get(kind)
    if decode is not None and connection.vendor == "postgresql":
        # psycopg sends decimals, dates, times, UUIDs and bytes as they are
        return lambda v: None if v is None else decode(v)

    def prepare(value: Any) -> Any:
        if value is None:
            return None
        if decode is not None:
            value = decode(value)
        return field.get_db_prep_save(value, connection)

    return prepare


# --- migration state ------------------------------------------------------------------------


def migration_state(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """{app label: the latest migration applied in this database}, for the installed apps."""
    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    installed = {config.label for config in apps.get_app_configs()}
    latest: dict[str, str] = {}
    for app, name in recorder.applied_migrations():
        if app in installed and name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _migration_problems(backup: dict[str, str], here: dict[str, str]) -> list[str]:
    problems = []
    for app in sorted(set(backup) | set(here)):
        if backup.get(app) != here.get(app):
            problems.append(
                _(
                    "The backup was made at migration %(backup)s of app %(app)s; this database "
                    "is at %(here)s — migrate to the same version first."
                )
                % {
                    "backup": backup.get(app) or _("(none)"),
                    "app": app,
                    "here": here.get(app) or _("(none)"),
                }
            )
    return problems


def _check_tables(connection: BaseDatabaseWrapper, models: list[type[Model]]) -> None:
    present = set(connection.introspection.table_names())
    missing = [m._meta.db_table for m in models if m._meta.db_table not in present]
    if missing:
        raise ValidationError(
            _("This database has no table %(tables)s: run manage.py migrate first.")
            % {"tables": ", ".join(missing)},
            code="not_migrated",
        )


# --- writing ------------------------------------------------------------------------------------


@contextmanager
def _snapshot(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Read one consistent state of the database without blocking its writers."""
    if connection.in_atomic_block:
        yield  # already inside a transaction (e.g. a test): its reads are consistent
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # a deferred read transaction (Attain opens write transactions IMMEDIATE, which would
        # hold the write lock for the whole backup); in WAL mode writers carry on meanwhile
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic(using=connection.alias):
            yield


def _open_for_writing(path: Path, *, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return path.open("w", encoding="utf-8")


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def backup_write(
    *, path: Path, progress: ProgressReport | None = None, using: str = DEFAULT_DB_ALIAS
) -> BackupSummary:
    """Write every row of every backed-up table to `path` (see the module docstring).

    The file appears under its name only when complete (it is written next to it first)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    connection = connections[using]
    models = backup_models()
    _check_tables(connection, models)
    try:
        with (
            _snapshot(connection),
            _open_for_writing(partial, compressed=path.name.endswith(".gz")) as out,
        ):
            created_at = timezone.now()
            migrations = migration_state(using=using)
            counts = {m._meta.db_table: m._base_manager.using(using).count() for m in models}
            total = sum(counts.values())
            out.write(
                _line(
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "created_at": created_at.isoformat(),
                        "vendor": connection.vendor,
                        "migrations": migrations,
                        "tables": [[table, n] for table, n in counts.items()],
                    }
                )
            )
            done = 0
            for model in models:
                done = _write_table(out, model, counts, using, done, total, progress)
            out.write(_line({"end": True, "rows": total}))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    if progress is not None:
        progress(total, total)
    return BackupSummary(
        path=path,
        version=VERSION,
        created_at=created_at,
        vendor=connection.vendor,
        migrations=migrations,
        tables=counts,
    )


def _write_table(
    out: IO[str],
    model: type[Model],
    counts: dict[str, int],
    using: str,
    done: int,
    total: int,
    progress: ProgressReport | None,
) -> int:
    meta = model._meta
    fields = _columns(model)
    out.write(
        _line(
            {
                "table": meta.db_table,
                "model": meta.label_lower,
                "columns": [f.column for f in fields],
                "rows": counts[meta.db_table],
            }
        )
    )
    encoders = [(i, enc) for i, f in enumerate(fields) if (enc := _encoder(f)) is not None]
    rows = (
        model._base_manager.using(using)
        .order_by("pk")
        .values_list(*(f.attname for f in fields))
        .iterator(chunk_size=CHUNK)
    )
    written = 0
    for row in rows:
        if encoders:
            values = list(row)
            for i, encode in encoders:
                if values[i] is not None:
                    values[i] = encode(values[i])
            out.write(_line(values))
        else:
            out.write(_line(row))
        written += 1
        if progress is not None and written % CHUNK == 0:
            progress(done + written, total)
    if written != counts[meta.db_table]:  # cannot happen inside one snapshot
        raise DatabaseError(f"{meta.db_table} changed while it was being backed up")
    return done + written


# --- reading ------------------------------------------------------------------------------------


class _Damaged(Exception):
    """The file is not a complete backup (the message says why)."""


@contextmanager
def _open_for_reading(path: Path) -> Iterator[Iterator[tuple[int, str]]]:
    """Numbered lines of a backup file, gzip-compressed or not."""
    if not path.is_file():
        raise ValidationError(_("%(file)s: no such file.") % {"file": path})
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        binary: Any = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        yield _numbered(text)


def _numbered(text: IO[str]) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for line in text:
            number += 1
            if not line.endswith("\n"):  # every line is written with its newline
                raise _Damaged(_("the file ends in the middle of the data"))
            yield number, line
    except EOFError as exc:
        raise _Damaged(_("the file ends in the middle of the data")) from exc
    except (OSError, zlib.error) as exc:
        raise _Damaged(_("the compressed data is damaged (%(reason)s)") % {"reason": exc}) from exc
    except UnicodeDecodeError as exc:
        raise _Damaged(_("line %(line)s is not text") % {"line": number + 1}) from exc


def _header(lines: Iterator[tuple[int, str]], path: Path) -> dict[str, Any]:
    not_backup = ValidationError(
        _("%(file)s is not an Attain backup.") % {"file": path.name}, code="not_a_backup"
    )
    try:
        _number, line = next(lines)
        header = json.loads(line)
    except (StopIteration, ValueError, _Damaged):
        raise not_backup from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise not_backup
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ValidationError(
            _(
                "%(file)s was made by a newer version of Attain (backup format %(version)s; "
                "this version reads format %(supported)s and older). Upgrade Attain first."
            )
            % {"file": path.name, "version": version, "supported": VERSION},
            code="newer_format",
        )
    try:
        header["tables"] = {str(table): int(n) for table, n in header["tables"]}
        header["created_at"] = dt.datetime.fromisoformat(header["created_at"])
        header["migrations"] = {str(k): str(v) for k, v in header["migrations"].items()}
        header["vendor"] = str(header["vendor"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise not_backup from None
    return header


def _summary(path: Path, header: dict[str, Any]) -> BackupSummary:
    return BackupSummary(
        path=path,
        version=header["version"],
        created_at=header["created_at"],
        vendor=header["vendor"],
        migrations=header["migrations"],
        tables=header["tables"],
    )


def backup_inspect(*, path: Path) -> BackupSummary:
    """What the backup at `path` holds, from its first line (nothing is checked beyond it)."""
    path = Path(path)
    with _open_for_reading(path) as lines:
        return _summary(path, _header(lines, path))


# --- restoring ----------------------------------------------------------------------------------


def _default_codes() -> dict[str, frozenset[str]]:
    """{model: the codes of the rows the data migration creates} (stages, lost reasons)."""
    defaults = importlib.import_module(_DEFAULTS_MIGRATION)
    return {
        "pipeline.stage": frozenset(row[0] for row in defaults.STAGES),
        "pipeline.lostreason": frozenset(row[0] for row in defaults.LOST_REASONS),
    }


def _tables_with_data(models: list[type[Model]], using: str) -> list[str]:
    """The tables holding rows that `migrate` did not create."""
    defaults = _default_codes()
    found = []
    for model in models:
        label = model._meta.label_lower
        if label in REPLACED:
            continue
        rows = model._base_manager.using(using).all()
        if label in defaults:
            rows = rows.exclude(code__in=defaults[label])
        if rows.exists():
            found.append(model._meta.db_table)
    return found


def _not_empty(tables: list[str], *, named: int = 5) -> str:
    listed = ", ".join(tables[:named])
    if len(tables) > named:
        more = len(tables) - named
        listed = ngettext(
            "%(tables)s and %(count)s more table", "%(tables)s and %(count)s more tables", more
        ) % {"tables": listed, "count": more}
    return _(
        "This database already holds data (in %(tables)s). Restore only into a new database "
        "that has just been migrated."
    ) % {"tables": listed}


def backup_restore(
    *, path: Path, progress: ProgressReport | None = None, using: str = DEFAULT_DB_ALIAS
) -> BackupSummary:
    """Load the backup at `path` into this database, which must be empty and migrated to the
    backup's migrations; all or nothing (see the module docstring)."""
    path = Path(path)
    connection = connections[using]
    models = backup_models()
    by_table = {m._meta.db_table: m for m in models}
    with _open_for_reading(path) as lines:
        header = _header(lines, path)
        here = migration_state(using=using)
        if not here:
            raise ValidationError(
                _("This database has not been migrated: run manage.py migrate first."),
                code="not_migrated",
            )
        problems = _migration_problems(header["migrations"], here)
        if problems:
            raise ValidationError(problems, code="migrations")
        _check_tables(connection, models)
        unknown = [table for table in header["tables"] if table not in by_table]
        if unknown:
            raise ValidationError(
                _("The backup holds tables this version of Attain does not have: %(tables)s.")
                % {"tables": ", ".join(unknown)},
                code="unknown_tables",
            )
        try:
            with transaction.atomic(using=using), facts_suspended():
                busy = _tables_with_data(models, using)
                if busy:
                    raise ValidationError(_not_empty(busy), code="not_empty")
                with connection.cursor() as cursor:
                    for model in reversed(models):
                        table = connection.ops.quote_name(model._meta.db_table)
                        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our table names)
                _load(lines, header, by_table, connection, progress)
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), models):
                        cursor.execute(sql)
        except _Damaged as exc:
            raise ValidationError(
                _("%(file)s is incomplete or damaged: %(reason)s. Nothing was restored.")
                % {"file": path.name, "reason": exc},
                code="damaged",
            ) from exc
        except DatabaseError as exc:
            raise ValidationError(
                _("The backup could not be restored (%(reason)s). Nothing was restored.")
                % {"reason": exc},
                code="database",
            ) from exc
    ContentType.objects.clear_cache()  # the ids are the backup's now
    return _summary(path, header)


class _Table:
    """The table being restored: its insert statement, value preparers and pending rows."""

    def __init__(
        self, model: type[Model], columns: list[str], connection: BaseDatabaseWrapper
    ) -> None:
        by_column = {str(f.column): f for f in _columns(model)}
        if sorted(columns) != sorted(by_column):
            raise _Damaged(
                _("the columns of %(table)s differ from this database's")
                % {"table": model._meta.db_table}
            )
        fields = [by_column[c] for c in columns]
        quote = connection.ops.quote_name
        self.name = model._meta.db_table
        self.width = len(fields)
        names = ", ".join(quote(c) for c in columns)
        # PostgreSQL: COPY, several times faster than INSERTs; elsewhere batches of INSERTs
        self.copy = connection.vendor == "postgresql"
        self.sql = (
            f"COPY {quote(self.name)} ({names}) FROM STDIN"
            if self.copy
            else f"INSERT INTO {quote(self.name)} ({names}) "  # noqa: S608 (our table names)
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self.preparers = [
            (i, prep)
            for i, f in enumerate(fields)
            if (prep := _preparer(f, connection)) is not None
        ]
        self.pending: list[list[Any]] = []
        self.rows = 0

    def add(self, row: list[Any]) -> None:
        for i, prepare in self.preparers:
            row[i] = prepare(row[i])
        self.pending.append(row)
        self.rows += 1

    def flush(self, connection: BaseDatabaseWrapper) -> None:
        if not self.pending:
            return
        with connection.cursor() as cursor:
            if self.copy:
                with connection.wrap_database_errors, cursor.cursor.copy(self.sql) as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.pending)
        self.pending = []


def _load(
    lines: Iterator[tuple[int, str]],
    header: dict[str, Any],
    by_table: dict[str, type[Model]],
    connection: BaseDatabaseWrapper,
    progress: ProgressReport | None,
) -> None:
    expected: dict[str, int] = header["tables"]
    total = sum(expected.values())
    seen: set[str] = set()
    current: _Table | None = None
    done = 0
    ended = False

    def finish() -> None:
        if current is None:
            return
        current.flush(connection)
        if current.rows != expected[current.name]:
            raise _Damaged(
                _("%(table)s has %(found)s rows where the backup promised %(expected)s")
                % {"table": current.name, "found": current.rows, "expected": expected[current.name]}
            )

    for number, line in lines:
        if ended:
            if line.strip():
                raise _Damaged(_("line %(line)s follows the end of the backup") % {"line": number})
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise _Damaged(_("line %(line)s is not JSON") % {"line": number}) from None
        if isinstance(item, list):
            if current is None or len(item) != current.width:
                raise _Damaged(_("line %(line)s is not a row of its table") % {"line": number})
            try:
                current.add(item)
            except (ValueError, TypeError, InvalidOperation, ValidationError) as exc:
                raise _Damaged(
                    _("line %(line)s holds a value %(table)s cannot take (%(reason)s)")
                    % {"line": number, "table": current.name, "reason": exc}
                ) from None
            done += 1
            if len(current.pending) >= CHUNK:
                current.flush(connection)
                if progress is not None:
                    progress(done, total)
        elif isinstance(item, dict) and "table" in item:
            finish()
            name = item["table"]
            if name not in expected or name in seen or name not in by_table:
                raise _Damaged(_("line %(line)s starts an unexpected table") % {"line": number})
            seen.add(name)
            current = _Table(by_table[name], list(item.get("columns", [])), connection)
        elif isinstance(item, dict) and item.get("end") is True:
            finish()
            current = None
            if seen != set(expected) or item.get("rows") != total:
                raise _Damaged(_("tables are missing from the file"))
            ended = True
        else:
            raise _Damaged(_("line %(line)s is not part of a backup") % {"line": number})
    if not ended:
        raise _Damaged(_("the file ends before the end of the backup"))
    if progress is not None:
        progress(done, total)
