"""The statement PDF: a real PDF whose text (read back through the fonts' ToUnicode maps, with
no outside tool) holds the person, the period, the status, every line with its trace steps and
order lines, and the KPIS.md total 29,375.00; Romanian and Norwegian letters survive; a long
statement runs over several pages."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from django.utils import translation

from attain.incentives import selectors, services
from attain.incentives.pdf import statement_pdf
from attain.incentives.tests.test_api import kpis_run
from attain.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (dictionary text, decompressed stream or b"")."""
    found = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        content = b""
        if stream:
            raw = stream.group(1)
            content = zlib.decompress(raw) if b"/FlateDecode" in body[: stream.start()] else raw
        found[int(match.group(1))] = (body[: stream.start()] if stream else body, content)
    return found


def _cmap(text: bytes) -> dict[int, str]:
    """A ToUnicode CMap: glyph code → text (bfchar and bfrange sections)."""
    out: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            out[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, uni in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section
        ):
            start = int(uni, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + offset)
    return out


_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _literal(content: bytes, i: int) -> tuple[bytes, int]:
    """The PDF literal string starting after the "(" at `i`, and where it ends."""
    out = bytearray()
    depth = 1
    while True:
        c = content[i]
        if c == 0x5C:  # backslash
            nxt = content[i + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(), 8) & 0xFF)
                i += 1 + len(digits.group())
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1


def pdf_text(data: bytes) -> str:
    """The text of every page, one line per text object, decoded with the fonts' maps."""
    objects = _objects(data)
    maps: dict[int, dict[int, str]] = {}
    for num, (head, _s) in objects.items():
        ref = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if ref:
            maps[num] = _cmap(objects[int(ref.group(1))][1])
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _s in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, ref in re.findall(rb"/(\w+) (\d+) 0 R", block):
                fonts[name] = maps.get(int(ref), {})
    lines: list[str] = []
    pages = [objects[int(ref)][1] for ref in re.findall(rb"/Contents (\d+) 0 R", data)]
    for content in pages:
        current: dict[int, str] = {}
        i = 0
        line: list[str] = []
        while i < len(content):
            c = content[i : i + 1]
            if c == b"/":
                name = re.match(rb"/(\w+)", content[i:])
                assert name is not None
                if name.group(1) in fonts:
                    current = fonts[name.group(1)]
                i += len(name.group())
            elif c == b"(":
                raw, i = _literal(content, i + 1)
                line.append(
                    "".join(
                        current.get(int.from_bytes(raw[j : j + 2], "big"), "?")
                        for j in range(0, len(raw), 2)
                    )
                )
            elif content.startswith(b"ET", i):
                if line:
                    lines.append("".join(line))
                    line = []
                i += 2
            else:
                i += 1
    return "\n".join(lines)


def kpis_statement(world) -> selectors.Statement:
    k = kpis_run(world)
    return selectors.statement(user=world.admin.user, run=k.run, person_id=world.rep.pk)


def test_the_kpis_statement_as_pdf(world):
    st = kpis_statement(world)
    with translation.override("en"):
        data = statement_pdf(st)

    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    lines = text.splitlines()
    assert world.rep.full_name in lines
    assert "Period: 2025-03-01 – 2025-03-31" in lines
    assert "Run status: Draft" in lines
    assert "29,375.00" in lines  # the line's amount
    assert "Total" in lines and "29,375.00 EUR" in lines
    assert "Commission · credit 325,000.00 · goal 250,000.00 · attainment 130.00 %" in lines
    for basis, rate, amount in (
        ("250,000.00", "0.08", "20,000.00"),
        ("62,500.00", "0.12", "7,500.00"),
        ("12,500.00", "0.15", "1,875.00"),
    ):
        at = lines.index(basis)
        assert lines[at + 1 : at + 3] == [rate, amount]
    for credit in st.lines[0].credits.all():
        assert credit.order_line.order.number in lines
        assert credit.credited_on.isoformat() in lines


def test_romanian_and_norwegian_letters_render(world):
    rep = world.rep
    rep.first_name, rep.last_name = "Ștefan-Øyvind", "Țăranu Ås"
    rep.save()
    st = kpis_statement(world)
    text = pdf_text(statement_pdf(st))
    assert "Ștefan-Øyvind Țăranu Ås" in text.splitlines()
    assert "?" not in text  # every glyph maps back to its letter


def test_a_long_statement_runs_over_pages(world):
    k = kpis_run(world)
    for day in range(1, 29):
        for _n in range(3):
            make_order(
                owner=world.rep, quantity="1", unit_price="100.00", ordered_on=dt.date(2025, 3, day)
            )
    services.run_calculate(run=k.run)
    st = selectors.statement(user=world.admin.user, run=k.run, person_id=world.rep.pk)
    assert len(st.lines[0].credits.all()) == 86
    data = statement_pdf(st)
    pages = re.findall(rb"/Type /Page\b", data)
    assert len(pages) >= 3
    text = pdf_text(data)
    assert f"Page 1 of {len(pages)}" in text
    assert f"{st.total:,.2f} EUR" in text.splitlines()
