"""A pay statement as a PDF document (fpdf2, with the DejaVu Sans font shipped in
attain/static/fonts so every alphabet the company writes in — ș ț ø å … — renders, and nothing is
fetched at run time).

The header names the person, the period and the run's status; one block per line gives its
label, amount, credit, goal and attainment, the trace steps that add up to it and the order
lines behind it; the total closes the document. Money is formatted as on the web pages.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from attain.core.money import reporting_currency
from attain.incentives.selectors import Statement

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVu"
LINE_HEIGHT = 5.5


def _money(value: Any) -> str:
    if value in (None, ""):
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _pct(value: Any) -> str:
    return "" if value is None else f"{_money(value)} %"


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(
            0, 5, _("Page %(n)s of {nb}") % {"n": self.page_no()}, align="R", new_x=XPos.LMARGIN
        )
        self.set_text_color(0)


def _new_document(title: str, footer: str) -> _Document:
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, style="", fname=str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, style="B", fname=str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("Attain")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.footer_text = footer
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, *, size: float = 10, bold: bool = False) -> None:
    pdf.set_font(FONT, style="B" if bold else "", size=size)
    pdf.multi_cell(0, LINE_HEIGHT, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _label_and_amount(pdf: FPDF, label: str, amount: str, *, size: float = 11) -> None:
    pdf.set_font(FONT, style="B", size=size)
    width = pdf.epw - 45
    top = pdf.get_y()
    pdf.multi_cell(width, LINE_HEIGHT + 1, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.cell(45, LINE_HEIGHT + 1, amount, align="R")
    pdf.set_xy(pdf.l_margin, max(bottom, top + LINE_HEIGHT + 1))


def _table(pdf: FPDF, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font(FONT, size=8)
    aligns = tuple("LEFT" if i < 2 else "RIGHT" for i in range(len(headings)))
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        line_height=4.5,
        padding=1,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD"),
        first_row_as_headings=True,
    ) as table:
        table.row(headings)
        for cells in rows:
            table.row(cells)
    pdf.ln(2)


def statement_pdf(st: Statement) -> bytes:
    """The statement `st` (see `selectors.statement`) as PDF bytes, pages as many as needed."""
    currency = reporting_currency()
    run = st.run
    period = f"{run.period_start.isoformat()} – {run.period_end.isoformat()}"
    title = _("Pay statement: %(person)s, %(period)s") % {
        "person": st.person.full_name,
        "period": period,
    }
    pdf = _new_document(title, f"{st.person.full_name} · {period}")

    _text(pdf, _("Pay statement"), size=16, bold=True)
    _text(pdf, st.person.full_name, size=13, bold=True)
    _text(pdf, _("Period: %(period)s") % {"period": period})
    _text(pdf, _("Run status: %(status)s") % {"status": run.get_status_display()})
    _text(pdf, _("Amounts in %(currency)s") % {"currency": currency}, size=9)
    pdf.ln(3)

    for ln in st.lines:
        _label_and_amount(pdf, f"{ln.position + 1}. {ln.label}", _money(ln.amount))
        facts = [ln.get_kind_display(), _("credit %(v)s") % {"v": _money(ln.credit)}]
        if ln.goal is not None:
            facts.append(_("goal %(v)s") % {"v": _money(ln.goal)})
        if ln.attainment_pct is not None:
            facts.append(_("attainment %(v)s") % {"v": _pct(ln.attainment_pct)})
        if ln.balance_after is not None:
            facts.append(_("draw owed after %(v)s") % {"v": _money(ln.balance_after)})
        _text(pdf, " · ".join(facts), size=9)
        if ln.trace:
            _table(
                pdf,
                [_("Step"), _("Note"), _("On"), pgettext("commission", "Rate"), _("Amount")],
                [
                    [
                        str(step.get("rule", "")),
                        str(step.get("note", "")),
                        _money(step.get("basis")),
                        str(step.get("rate", "")),
                        _money(step.get("amount")),
                    ]
                    for step in ln.trace
                ],
                [18, 62, 35, 25, 40],
            )
        credits = list(ln.credits.all())
        if credits:
            _table(
                pdf,
                [_("Order"), _("Product"), _("Credited on"), _("Share"), _("Value"), _("Amount")],
                [
                    [
                        c.order_line.order.number,
                        c.order_line.product.name,
                        c.credited_on.isoformat(),
                        _pct(c.share_pct),
                        _money(c.value),
                        _money(c.amount),
                    ]
                    for c in credits
                ],
                [28, 52, 25, 20, 28, 27],
            )
        pdf.ln(2)

    pdf.set_draw_color(0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(1)
    _label_and_amount(pdf, _("Total"), f"{_money(st.total)} {currency}", size=12)
    return bytes(pdf.output())
