"""Reading files: encodings, delimiters, XLSX cells, row numbers, and files that are not tables."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from attain.imports.readers import FileProblem, open_table


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows(table):
    return list(table.rows())


def test_utf8_with_a_byte_order_mark_and_crlf(tmp_path):
    path = write(tmp_path, "a.csv", "\ufeffId,Name\r\n001,Café Ø\r\n".encode())
    table = open_table(path)
    assert table.columns == ["Id", "Name"]
    assert table.encoding == "utf-8-sig"
    assert rows(table) == [(2, {"Id": "001", "Name": "Café Ø"})]


def test_semicolons_and_tabs_are_found(tmp_path):
    semi = open_table(write(tmp_path, "s.csv", b"a;b\n1;2\n"))
    tab = open_table(write(tmp_path, "t.csv", b"a\tb\n1\t2\n"))
    assert semi.delimiter == ";" and rows(semi) == [(2, {"a": "1", "b": "2"})]
    assert tab.delimiter == "\t" and rows(tab) == [(2, {"a": "1", "b": "2"})]


def test_windows_1252_without_saying_so_is_a_clear_error_naming_the_row(tmp_path):
    path = write(tmp_path, "w.csv", "name\nAcme\nCafé\n".encode("cp1252"))
    with pytest.raises(FileProblem) as exc:
        open_table(path)
    assert str(exc.value) == (
        "Row 3 is not valid UTF-8 (byte 0xE9). Save the file as UTF-8, or choose its encoding "
        "(for example Windows-1252 for files saved by Excel)."
    )
    table = open_table(path, encoding="windows-1252")
    assert rows(table) == [(2, {"name": "Acme"}), (3, {"name": "Café"})]


def test_a_bad_byte_after_the_first_64_kib_is_reported_while_reading(tmp_path):
    body = b"name\n" + b"x\n" * 40000 + "Café\n".encode("cp1252")
    table = open_table(write(tmp_path, "big.csv", body))
    with pytest.raises(FileProblem, match="Row 40002 is not valid UTF-8 \\(byte 0xE9\\)"):
        rows(table)


def test_utf16_with_its_byte_order_mark(tmp_path):
    path = write(tmp_path, "u.csv", "a\tb\n1\tø\n".encode("utf-16"))
    table = open_table(path)
    assert rows(table) == [(2, {"a": "1", "b": "ø"})]


def test_row_numbers_follow_the_spreadsheet_even_with_blank_lines_and_quoted_newlines(tmp_path):
    data = b'id,note\n1,"two\nlines"\n\n3,x\n'
    assert rows(open_table(write(tmp_path, "n.csv", data))) == [
        (2, {"id": "1", "note": "two\nlines"}),
        (4, {"id": "3", "note": "x"}),
    ]


def test_short_rows_are_padded_and_extra_cells_are_an_error(tmp_path):
    table = open_table(write(tmp_path, "x.csv", b"a,b,c\n1,2\n1,2,3,4\n"))
    found = table.rows()
    assert next(found) == (2, {"a": "1", "b": "2", "c": ""})
    with pytest.raises(FileProblem, match="Row 3 has 4 cells but the header names 3 columns"):
        next(found)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty (0 bytes)."),
        (b",,\n1,2,3\n", "The first row must name the columns; it is empty."),
        (b"a,,b\n", "Column 2 has no name in the header row."),
        (b"a,b,a\n", "The column “a” appears twice in the header row."),
    ],
)
def test_files_that_are_not_tables(tmp_path, data, message):
    with pytest.raises(FileProblem) as exc:
        open_table(write(tmp_path, "bad.csv", data))
    assert str(exc.value) == message


def test_an_old_xls_and_a_fake_xlsx_are_refused(tmp_path):
    with pytest.raises(FileProblem, match="Old Excel files"):
        open_table(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0 binary"))
    with pytest.raises(FileProblem, match=r"named \.xlsx but is not an Excel workbook"):
        open_table(write(tmp_path, "fake.xlsx", b"a,b\n1,2\n"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(FileProblem, match="The workbook cannot be opened"):
        open_table(write(tmp_path, "zip.xlsx", buffer.getvalue()))


def test_xlsx_cells_read_as_a_csv_export_would_hold_them(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["id", "amount", "closed", "at", "count", None])
    ws.append(["A1", 1054.5, dt.date(2017, 3, 1), dt.datetime(2017, 3, 1, 14, 5), 12, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["A2", 0.1, dt.datetime(2017, 3, 2), None, 3.0, None])
    path = tmp_path / "deals.xlsx"
    wb.save(path)
    table = open_table(path)
    assert table.fmt == "xlsx" and table.sheet == "Deals"
    assert table.columns == ["id", "amount", "closed", "at", "count"]
    assert rows(table) == [
        (
            2,
            {
                "id": "A1",
                "amount": "1054.5",
                "closed": "2017-03-01",
                "at": "2017-03-01 14:05:00",
                "count": "12",
            },
        ),
        (4, {"id": "A2", "amount": "0.1", "closed": "2017-03-02", "at": "", "count": "3"}),
    ]
    with pytest.raises(FileProblem, match="has no sheet “Orders”; it has: Deals"):
        open_table(path, sheet="Orders")
