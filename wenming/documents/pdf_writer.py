"""Structured document → .pdf (fpdf2) with an embedded CJK font, in the same page style.

The PDF draws every face with the one CJK font found on the server (:mod:`wenming.core.fonts`;
``WENMING_CJK_FONT`` to configure) — a PDF must embed its font, and the official faces
(仿宋_GB2312 …) are not free to ship. Headings in 黑体 are drawn stroked to read as bold.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode
from fpdf.fonts import FontFace

from wenming.core.fonts import font_for
from wenming.documents.docx_writer import NOTE_PREFIX, mark_size
from wenming.documents.model import Document, Heading, Note, Paragraph, Table
from wenming.documents.styles import STYLES, TABLE_FONT_PT, PageStyle

PT = 25.4 / 72  # mm per point
INDENT = "\u3000\u3000"  # two ideographic spaces: the first-line indent of Chinese text


def font_cache_dir() -> Path:
    configured = getattr(settings, "WENMING_FONT_CACHE", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "fonts"


class _Pdf(FPDF):
    def __init__(self, style: PageStyle) -> None:
        super().__init__(format="A4", unit="mm")
        self.page_style = style
        self.set_margins(style.left, style.top, style.right)
        self.set_auto_page_break(auto=True, margin=style.bottom)

    def footer(self) -> None:
        style = self.page_style
        self.set_y(-(style.bottom - 7))
        self.set_font("cjk", size=style.page_number.size)
        odd = self.page_no() % 2 == 1
        self.cell(0, 6, text=f"— {self.page_no()} —", align="R" if odd else "L")


def render_pdf(document: Document) -> bytes:
    style = STYLES[document.style]
    font, face = font_for(
        document.text() + "— 0123456789" + NOTE_PREFIX, cache_dir=font_cache_dir()
    )
    pdf = _Pdf(style)
    pdf.add_font("cjk", fname=str(font), collection_font_number=face)
    pdf.set_title(document.title)
    pdf.add_page()
    line = style.line_pitch * PT
    width = pdf.epw
    if document.issuer_mark:
        pdf.set_text_color(230, 0, 18)
        size = mark_size(style, document.issuer_mark)
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(
            width,
            size * 1.5 * PT,
            text=document.issuer_mark,
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
    if document.doc_number or document.issuer_mark:
        pdf.set_font("cjk", size=style.body.size)
        pdf.multi_cell(
            width, line, text=document.doc_number or " ", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_draw_color(230, 0, 18)
        pdf.set_line_width(0.6)
        pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + width, pdf.get_y() + 2)
        pdf.set_draw_color(0, 0, 0)
        pdf.ln(line)
    pdf.set_font("cjk", size=style.title.size)
    pdf.multi_cell(
        width,
        style.title.size * 1.5 * PT,
        text=document.title,
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(line * 0.5)
    pdf.set_font("cjk", size=style.body.size)
    if document.recipients:
        pdf.multi_cell(
            width, line, text=f"{document.recipients}:", align="L", new_x="LMARGIN", new_y="NEXT"
        )
    for block in document.blocks:
        if isinstance(block, Heading):
            font_style = style.headings[min(block.level, 3) - 1]
            pdf.set_font("cjk", size=font_style.size)
            mode = TextMode.FILL_STROKE if block.level == 1 or font_style.bold else TextMode.FILL
            with pdf.local_context(text_mode=mode, line_width=0.15):
                pdf.multi_cell(
                    width, line, text=INDENT + block.text, align="L", new_x="LMARGIN", new_y="NEXT"
                )
            pdf.set_font("cjk", size=style.body.size)
        elif isinstance(block, Paragraph):
            # multi_cell drops leading spaces of a wrapped paragraph: indent the first line
            with pdf.text_columns(
                text_align="JUSTIFY", line_height=style.line_pitch / style.body.size
            ) as columns:
                indent = style.body.size * 2 * PT if block.indent else 0
                with columns.paragraph(first_line_indent=indent) as paragraph:
                    paragraph.write(block.text)
        elif isinstance(block, Note):
            pdf.set_fill_color(255, 242, 204)
            pdf.multi_cell(
                width,
                line,
                text=INDENT + NOTE_PREFIX + block.text,
                align="L",
                fill=True,
                wrapmode=WrapMode.CHAR,  # not at the indent: that left an empty first line
                new_x="LMARGIN",
                new_y="NEXT",
            )
        elif isinstance(block, Table):
            _table(pdf, block)
            pdf.set_font("cjk", size=style.body.size)
    if document.signatory or document.issuer or document.date:
        if pdf.will_page_break(line * 4):  # the signature is not left alone on a page
            pdf.add_page()
        pdf.ln(line)
        for text in (document.signatory, document.issuer, document.date):
            if text:
                pdf.multi_cell(
                    width - style.body.size * 4 * PT,
                    line,
                    text=text,
                    align="R",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
    return bytes(pdf.output())


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font("cjk", size=TABLE_FONT_PT)
    widths = block.widths or tuple(1.0 for _ in block.headers)
    with pdf.table(
        col_widths=widths,
        line_height=TABLE_FONT_PT * 1.5 * PT,
        text_align="LEFT",
        first_row_as_headings=True,
        headings_style=FontFace(emphasis=None, fill_color=(238, 241, 245)),
    ) as table:
        for row in (block.headers, *block.rows):
            cells = table.row()
            for text in row:
                cells.cell(text)
    pdf.ln(2)
