"""Reading an uploaded table: CSV (any common encoding and delimiter) or XLSX, row by row.

A reader yields `(row number, {column: text})` where the row number is the line a spreadsheet
shows (the header is row 1) and every value is text, as the user wrote it (XLSX numbers and
dates are turned into the text a CSV export would hold: `1054`, `2017-03-01`). Nothing here
knows what the columns mean; problems with the file itself raise `FileProblem`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

#: encodings offered to the user; "auto" = a byte-order mark, else UTF-8
ENCODINGS = ("auto", "utf-8", "windows-1252", "iso-8859-1", "utf-16")
DELIMITERS = ",;\t|"
MAX_COLUMNS = 500
#: csv's own limit on one field (a description pasted into a cell can be long)
csv.field_size_limit(10 * 1024 * 1024)


class FileProblem(ValueError):
    """The file cannot be read as a table (empty, wrong encoding, not a spreadsheet, …)."""


@dataclass(frozen=True)
class Table:
    """An opened table: its columns and a way to iterate its rows."""

    columns: list[str]
    path: Path
    fmt: str  # csv | xlsx
    encoding: str
    delimiter: str
    sheet: str = ""

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self.fmt == "xlsx":
            yield from _xlsx_rows(self.path, self.columns, self.sheet)
        else:
            yield from _csv_rows(self.path, self.columns, self.encoding, self.delimiter)


def detect_format(name: str, head: bytes) -> str:
    """xlsx (a zip: the first bytes are PK\\x03\\x04) or csv."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("The file is named .xlsx but is not an Excel workbook."))
    if name.lower().endswith(".xls"):
        raise FileProblem(
            _("Old Excel files (.xls) are not supported: save the sheet as .xlsx or as CSV.")
        )
    return "csv"


def open_table(path: Path, *, name: str = "", encoding: str = "auto", sheet: str = "") -> Table:
    """Open a CSV or XLSX file and read its header row."""
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(_("The file is empty (0 bytes)."))
    with path.open("rb") as fh:
        head = fh.read(65536)
    fmt = detect_format(name or path.name, head)
    if fmt == "xlsx":
        columns, sheet = _xlsx_header(path, sheet)
        return Table(_clean_header(columns), path, "xlsx", "", "", sheet)
    chosen = _encoding(head, encoding)
    text = _decode_head(head, chosen, truncated=size > len(head))
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem(_("The file has no header row.")) from None
    return Table(_clean_header(header), path, "csv", chosen, delimiter)


def _encoding(head: bytes, asked: str) -> str:
    if asked not in ENCODINGS:
        raise FileProblem(_("Unknown encoding “%(encoding)s”.") % {"encoding": asked})
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if asked == "auto":
        return "utf-8"
    return asked


def _decode_head(head: bytes, encoding: str, *, truncated: bool) -> str:
    try:
        return head.decode(encoding)
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(head) - 4 and encoding.startswith("utf-8"):
            return head[: exc.start].decode(encoding)  # a character cut at the 64 KiB mark
        raise FileProblem(_encoding_message(head, exc, encoding)) from None


def _encoding_message(
    data: bytes, exc: UnicodeDecodeError, encoding: str, *, row: int | None = None
) -> str:
    line = row if row is not None else data[: exc.start].count(b"\n") + 1
    return _(
        "Row %(row)s is not valid %(encoding)s (byte 0x%(byte)02X). Save the file as UTF-8, "
        "or choose its encoding (for example Windows-1252 for files saved by Excel)."
    ) % {"row": line, "encoding": encoding.upper().removesuffix("-SIG"), "byte": data[exc.start]}


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_header(header: list[Any]) -> list[str]:
    columns = [str(c if c is not None else "").strip().lstrip("\ufeff") for c in header]
    while columns and not columns[-1]:
        columns.pop()  # trailing empty header cells (spreadsheets add them)
    if not columns or not any(columns):
        raise FileProblem(_("The first row must name the columns; it is empty."))
    if len(columns) > MAX_COLUMNS:
        raise FileProblem(
            _("The file has %(n)s columns; at most %(max)s are read.")
            % {"n": len(columns), "max": MAX_COLUMNS}
        )
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        if not name:
            raise FileProblem(_("Column %(n)s has no name in the header row.") % {"n": i})
        if name in seen:
            raise FileProblem(
                _("The column “%(name)s” appears twice in the header row.") % {"name": name}
            )
        seen.add(name)
    return columns


def _lines(raw: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded physical lines; a byte that is not valid in the encoding names its line."""
    if encoding.startswith("utf-16"):
        yield from io.TextIOWrapper(raw, encoding=encoding, newline="")
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, line in enumerate(raw, start=1):
        try:
            yield decoder.decode(line)
        except UnicodeDecodeError as exc:
            raise FileProblem(_encoding_message(line, exc, encoding, row=number)) from None


def _csv_rows(
    path: Path, columns: list[str], encoding: str, delimiter: str
) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open("rb") as raw:
        reader = csv.reader(_lines(raw, encoding), delimiter=delimiter)
        row_number = 1  # as a spreadsheet numbers them: the header is row 1
        try:
            next(reader)
            for cells in reader:
                row_number += 1
                if not cells or not any(c.strip() for c in cells):
                    continue  # blank lines
                if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                    raise FileProblem(
                        _("Row %(row)s has %(n)s cells but the header names %(m)s columns.")
                        % {"row": row_number, "n": len(cells), "m": len(columns)}
                    )
                values = {
                    name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)
                }
                yield row_number, values
        except csv.Error as exc:
            raise FileProblem(
                _("Row %(row)s cannot be read: %(reason)s.")
                % {"row": row_number + 1, "reason": exc}
            ) from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    return str(value)


def _workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem(
            _("The workbook cannot be opened: %(reason)s.") % {"reason": exc}
        ) from exc


def _sheet(workbook: Any, sheet: str) -> Any:
    if not sheet:
        return workbook.worksheets[0]
    if sheet not in workbook.sheetnames:
        raise FileProblem(
            _("The workbook has no sheet “%(sheet)s”; it has: %(names)s.")
            % {"sheet": sheet, "names": ", ".join(workbook.sheetnames)}
        )
    return workbook[sheet]


def _xlsx_header(path: Path, sheet: str) -> tuple[list[Any], str]:
    workbook = _workbook(path)
    try:
        ws = _sheet(workbook, sheet)
        for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
            return list(row), ws.title
        raise FileProblem(_("The sheet is empty."))
    finally:
        workbook.close()


def _xlsx_rows(path: Path, columns: list[str], sheet: str) -> Iterator[tuple[int, dict[str, str]]]:
    workbook = _workbook(path)
    try:
        ws = _sheet(workbook, sheet)
        for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            cells = [_cell_text(v) for v in row]
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                raise FileProblem(
                    _("Row %(row)s has values beyond the %(m)s named columns.")
                    % {"row": number, "m": len(columns)}
                )
            yield (
                number,
                {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)},
            )
    finally:
        workbook.close()
