"""Running an import: map each row, parse its cells, resolve references, call the services.

All-or-nothing: every row is applied inside one transaction, each in a savepoint of its own so
that one bad row does not hide the problems of the next ones; when any row fails, or for a dry
run, the whole transaction is rolled back and nothing is kept. Re-importing the same file
changes nothing: each entity finds its records by their external id (or natural key) and only
writes what differs.

Errors name the row as a spreadsheet numbers it (the header is row 1), the column as the file
names it, and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.imports.fields import CellError, Column
from attain.imports.mappings import ColumnMapping
from attain.imports.readers import FileProblem, Table

#: errors kept per import (the count goes on)
MAX_ERRORS = 1000
PREVIEW_ROWS = 20
CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass(frozen=True)
class RowError:
    row: int  # 0: the file as a whole
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Outcome:
    """What an import did (or, for a dry run or a failed one, would have done)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, str]] = field(default_factory=list)
    committed: bool = False

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def count(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)


class RowProblem(Exception):
    """Errors of one row (column → message), raised by an entity while applying it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class RowsProblem(Exception):
    """Errors of many rows at once (row, column, message), raised by a bulk `apply_many`."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotYet(RowProblem):
    """A row names a record that a later row of the same file creates: try it again after."""

    def __init__(self) -> None:
        super().__init__({})


class Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a failed import."""


@dataclass
class Record:
    """One row (or group of rows) ready to apply: parsed values by entity column."""

    row: int
    values: dict[str, Any]
    lines: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # grouped entities

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Entity:
    """An importable kind of record: its columns, its key and how a record is applied."""

    name: str
    label: Any
    columns: tuple[Column, ...]
    apply: Callable[[Any, Record], str]  # (context, record) → created | updated | unchanged
    key: tuple[str, ...] = ("external_id",)  # columns identifying a record within a file
    #: columns of a line (for entities whose rows are lines of one record, e.g. orders)
    line_columns: tuple[str, ...] = ()
    help: Any = ""
    #: applies every record at once (bulk entities: orders); returns one result per record
    apply_many: Callable[[Any, list[Record]], list[str]] | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def resolve_columns(
    entity: Entity, file_columns: list[str], mapping: ColumnMapping
) -> dict[str, str]:
    """Entity column → file column: the mapping's, else a file column of the same name (or
    label), ignoring case, spaces and punctuation."""
    unknown = sorted(
        name
        for name in (*mapping.columns, *mapping.constants, *mapping.defaults, *mapping.values)
        if entity.column(name) is None
    )
    if unknown:
        raise FileProblem(
            _("The mapping names columns that %(entity)s do not have: %(names)s.")
            % {"entity": entity.label, "names": ", ".join(unknown)}
        )
    missing_sources = sorted(
        f"{target} = {source}"
        for target, source in mapping.columns.items()
        if source not in file_columns
    )
    if missing_sources and not mapping.lenient:
        raise FileProblem(
            _(
                "The mapping reads columns the file does not have: %(names)s. The file has: %(cols)s."
            )
            % {"names": ", ".join(missing_sources), "cols": ", ".join(file_columns)}
        )
    result = {t: c for t, c in mapping.columns.items() if c in file_columns}
    taken = set(result.values())  # a column the mapping uses is not matched again by name
    by_norm = {_norm(c): c for c in file_columns}
    for column in entity.columns:
        if column.name in result or column.name in mapping.constants:
            continue
        for candidate in (column.name, str(column.label)):
            found = by_norm.get(_norm(candidate))
            if found is not None and found not in taken:
                result[column.name] = found
                break
    return result


def check_required(entity: Entity, sources: dict[str, str], mapping: ColumnMapping) -> None:
    missing = [
        c.name
        for c in entity.columns
        if c.required
        and c.name not in sources
        and c.name not in mapping.constants
        and c.name not in mapping.defaults
    ]
    if missing:
        raise FileProblem(
            _("The file has no column for: %(names)s (name the columns so, or map them).")
            % {"names": ", ".join(missing)}
        )


def is_skipped(mapping: ColumnMapping, sources: dict[str, str], cells: dict[str, str]) -> bool:
    """Whether the mapping leaves this row out: a cell named in `skip_values` holds one of
    its values, or a cell named in `keep_values` holds none of its. A name is an entity column
    (its file column is read) or a file column."""
    for name, skip in mapping.skip_values.items():
        if cells.get(sources.get(name, name), "").strip() in skip:
            return True
    for name, keep in mapping.keep_values.items():
        if cells.get(sources.get(name, name), "").strip() not in keep:
            return True
    return False


@dataclass
class Parsed:
    row: int
    values: dict[str, Any]
    errors: dict[str, str]
    skipped: bool = False


def parse_row(
    entity: Entity,
    sources: dict[str, str],
    mapping: ColumnMapping,
    row_number: int,
    cells: dict[str, str],
) -> Parsed:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if is_skipped(mapping, sources, cells):
        return Parsed(row_number, {}, {}, skipped=True)
    for column in entity.columns:
        name = column.name
        if name in mapping.constants:
            text = mapping.constants[name]
        else:
            source = sources.get(name)
            text = cells.get(source, "").strip() if source else ""
            if text and name in mapping.values:
                translate = mapping.values[name]
                text = translate.get(
                    text, next((v for k, v in translate.items() if k.lower() == text.lower()), text)
                )
            if not text:
                text = mapping.defaults.get(name, "")
            elif name in mapping.divide:
                text = _divided(text, mapping.divide[name])
        if not text:
            values[name] = None
            if column.required:
                errors[name] = _("is required.")
            continue
        try:
            values[name] = column.parse(
                text, fmt=mapping.formats.get(name, ""), decimal_comma=mapping.decimal_comma
            )
        except CellError as exc:
            errors[name] = str(exc)
    return Parsed(row_number, values, errors)


def _divided(text: str, divisor: int) -> str:
    """A number from the file divided (half up to whole units); unreadable text is kept, so
    the column's own parser reports it."""
    try:
        value = Decimal(text.replace(",", "")) / divisor
    except InvalidOperation:
        return text
    return str(value.quantize(Decimal(1), ROUND_HALF_UP))


def _messages(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {
            field_name: " ".join(str(m) for e in errs for m in e.messages)
            for field_name, errs in exc.error_dict.items()
        }
    return {"": " ".join(str(m) for m in exc.messages)}


@dataclass
class Progress:
    """Where a long import stands (shown by the command's bar and the web page)."""

    report: Callable[[int, int], None] | None = None
    every: int = 500

    def __call__(self, done: int, total: int) -> None:
        if self.report is not None and (done % self.every == 0 or done == total):
            self.report(done, total)


def _records(
    entity: Entity, parsed_rows: Iterable[Parsed], outcome: Outcome, origin: Callable[[str], str]
) -> Iterator[Record]:
    """Parsed rows as records: grouped by key for line entities; duplicate keys are errors."""
    seen: dict[tuple[Any, ...], int] = {}
    groups: dict[tuple[Any, ...], Record] = {}
    order: list[tuple[Any, ...]] = []
    for parsed in parsed_rows:
        if parsed.skipped:
            outcome.skipped += 1
            continue
        if parsed.errors:
            for name, message in parsed.errors.items():
                outcome.add_error(RowError(parsed.row, origin(name), message))
            continue
        key = tuple(parsed.values.get(k) for k in entity.key)
        has_key = any(v not in (None, "") for v in key)
        if entity.line_columns:
            head = {k: v for k, v in parsed.values.items() if k not in entity.line_columns}
            line = {k: parsed.values.get(k) for k in entity.line_columns}
            if not has_key:
                yield Record(parsed.row, head, [(parsed.row, line)])
                continue
            if key not in groups:
                groups[key] = Record(parsed.row, head, [])
                order.append(key)
            groups[key].lines.append((parsed.row, line))
            continue
        if has_key:
            if key in seen:
                outcome.add_error(
                    RowError(
                        parsed.row,
                        origin(entity.key[0]),
                        _("%(key)s appears twice in the file (also on row %(row)s).")
                        % {"key": " / ".join(str(k) for k in key if k), "row": seen[key]},
                    )
                )
                continue
            seen[key] = parsed.row
        yield Record(parsed.row, parsed.values)
    for key in order:
        yield groups[key]


def _apply_many(
    entity: Entity,
    context: Any,
    records: Iterator[Record],
    outcome: Outcome,
    origin: Callable[[str], str],
    progress: Progress | None,
    total_rows: int | None,
) -> None:
    """Bulk entities: parse every row first, then apply them all in one call."""
    todo = list(records)
    if progress is not None:
        progress(outcome.rows, total_rows or outcome.rows)
    if outcome.error_count or not todo:
        return  # rows that cannot be parsed: nothing is applied (all or nothing)
    assert entity.apply_many is not None
    try:
        results = entity.apply_many(context, todo)
    except RowsProblem as exc:
        for row, name, message in exc.errors:
            outcome.add_error(RowError(row, origin(name), message))
        return
    for result in results:
        outcome.count(result)


def _self_refs(entity: Entity) -> bool:
    return any(c.ref == entity.name for c in entity.columns)


def _file_keys(
    entity: Entity, sources: dict[str, str], table: Table, mapping: ColumnMapping
) -> set[str]:
    """The texts of the key column on every row (what a row of this file may name)."""
    keys: set[str] = set()
    names = [sources.get(k) for k in (*entity.key, "name") if sources.get(k)]
    for _row, cells in table.rows():
        if is_skipped(mapping, sources, cells):
            continue
        for source in names:
            value = cells.get(source or "", "").strip()
            if value:
                keys.add(value)
    return keys


def _versions(
    entity: Entity, sources: dict[str, str], table: Table, mapping: ColumnMapping
) -> dict[str, str]:
    """Key of every version of a record → key of the version imported (see `same_record`)."""
    if mapping.same_record not in table.columns:
        raise FileProblem(
            _("The mapping's same_record names “%(column)s”, which the file does not have.")
            % {"column": mapping.same_record}
        )
    key_source = sources.get(entity.key[0], "")
    groups: dict[str, list[str]] = {}
    kept: dict[str, str] = {}
    for _row, cells in table.rows():
        record = cells.get(mapping.same_record, "").strip()
        key = cells.get(key_source, "").strip()
        if not record or not key:
            continue
        groups.setdefault(record, []).append(key)
        if not is_skipped(mapping, sources, cells):
            kept[record] = key
    return {key: kept[record] for record, keys in groups.items() if record in kept for key in keys}


def run(
    *,
    entity: Entity,
    table: Table,
    mapping: ColumnMapping,
    context: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    total_rows: int | None = None,
) -> Outcome:
    """Import every row of `table` (see the module docstring); returns what happened."""
    outcome = Outcome()
    sources = resolve_columns(entity, table.columns, mapping)
    check_required(entity, sources, mapping)
    context.begin(entity=entity, mapping=mapping, sources=sources)

    def origin(name: str) -> str:
        return sources.get(name) or name

    def parsed_rows() -> Iterator[Parsed]:
        for row_number, cells in table.rows():
            outcome.rows += 1
            if len(outcome.preview) < PREVIEW_ROWS:
                outcome.preview.append({"row": str(row_number), **cells})
            yield parse_row(entity, sources, mapping, row_number, cells)

    context.file_keys = _file_keys(entity, sources, table, mapping) if _self_refs(entity) else set()
    context.aliases = _versions(entity, sources, table, mapping) if mapping.same_record else {}

    def attempt(record: Record, *, last_try: bool) -> bool:
        """Apply one record in a savepoint; False when it must wait for a later row."""
        context.row_begin()
        try:
            with transaction.atomic():
                result = entity.apply(context, record)
            outcome.count(result)
            return True
        except NotYet:
            context.row_rollback()
            if not last_try:
                return False
            column = next(c for c in entity.columns if c.ref == entity.name)
            outcome.add_error(
                RowError(
                    record.row,
                    origin(column.name),
                    _("“%(text)s” is on no earlier or later row that could be imported.")
                    % {"text": record.values.get(column.name)},
                )
            )
        except RowProblem as exc:
            context.row_rollback()
            for name, message in exc.errors.items():
                outcome.add_error(RowError(record.row, origin(name), message))
        except ValidationError as exc:
            context.row_rollback()
            for name, message in _messages(exc).items():
                outcome.add_error(RowError(record.row, origin(context.column_of(name)), message))
        return True

    done = 0
    waiting: list[Record] = []
    try:
        with transaction.atomic():
            if entity.apply_many is not None:
                _apply_many(
                    entity,
                    context,
                    _records(entity, parsed_rows(), outcome, origin),
                    outcome,
                    origin,
                    progress,
                    total_rows,
                )
                context.finish()
                if outcome.rows == 0:
                    outcome.add_error(RowError(0, "", _("The file has a header but no rows.")))
                if dry_run or outcome.error_count:
                    raise Rollback
                outcome.committed = True
                return outcome
            for record in _records(entity, parsed_rows(), outcome, origin):
                if not attempt(record, last_try=False):
                    waiting.append(record)  # names a record of a later row: try again after
                done += max(1, len(record.lines))
                if progress is not None:
                    progress(done, total_rows or done)
            while waiting:  # rows naming rows of this file that came later (parents, managers)
                still = [r for r in waiting if not attempt(r, last_try=False)]
                if len(still) == len(waiting):
                    for record in still:
                        attempt(record, last_try=True)
                    break
                waiting = still
            context.finish()
            if outcome.rows == 0:
                outcome.add_error(RowError(0, "", _("The file has a header but no rows.")))
            if dry_run or outcome.error_count:
                raise Rollback
    except Rollback:
        return outcome
    outcome.committed = True
    return outcome
