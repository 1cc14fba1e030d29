"""Structured document → .docx (python-docx), in a page style of :mod:`wenming.documents.styles`.

Fonts are set on the Normal style and on each heading run with all four slots (ascii, hAnsi,
eastAsia, cs), because Word and WPS choose the Chinese face from w:eastAsia alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from wenming.documents.model import Block, Document, Heading, Note, Paragraph, Table
from wenming.documents.styles import STYLES, TABLE_FONT_PT, Font, PageStyle

RED = RGBColor(0xE6, 0x00, 0x12)
NOTE_PREFIX = "【需补充】"


def mark_size(style: PageStyle, text: str) -> float:
    """The red header's size: as large as the style allows, shrunk to stay on one line."""
    width_pt = (210 - style.left - style.right) * 72 / 25.4
    return min(style.mark.size, round(width_pt / max(len(text), 1) - 0.5))


def set_font(target: Run, font: Font) -> None:
    target.font.size = Pt(font.size)
    if font.bold:
        target.font.bold = True
    _font_names(target._element.get_or_add_rPr(), font.name)


def _font_names(rpr: object, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def setup(doc: DocxDocument, style: PageStyle) -> None:
    """A4, margins, the body font and exact line pitch on Normal, page numbers in the footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(style.top), Mm(style.bottom)
    section.left_margin, section.right_margin = Mm(style.left), Mm(style.right)
    section.footer_distance = Mm(max(style.bottom - 28, 7))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(style.body.size)
    _font_names(normal.element.get_or_add_rPr(), style.body.name)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(style.line_pitch)
    fmt.space_before = fmt.space_after = Pt(0)
    # outer page numbers: odd pages on the right, even pages on the left (GB/T 9704 §7.5)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        para = footer.paragraphs[0]
        para.alignment = align
        para.paragraph_format.left_indent = para.paragraph_format.right_indent = Pt(14)
        set_font(para.add_run("— "), style.page_number)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        para._p.append(field)
        set_font(para.add_run(" —"), style.page_number)


def _bottom_rule(para: DocxParagraph) -> None:
    ppr = para._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "16"),
        ("w:space", "6"),
        ("w:color", "E60012"),
    ):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def write_front(doc: DocxDocument, document: Document, style: PageStyle) -> None:
    """The red header (when given), the title and the addressee."""
    if document.issuer_mark:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = mark_size(style, document.issuer_mark)
        para.paragraph_format.line_spacing = Pt(size * 1.5)
        run = para.add_run(document.issuer_mark)
        set_font(run, Font(style.mark.name, size))
        run.font.color.rgb = RED
    if document.doc_number or document.issuer_mark:
        para = doc.add_paragraph(document.doc_number)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _bottom_rule(para)
        doc.add_paragraph()
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.line_spacing = Pt(style.title.size * 1.5)
    set_font(para.add_run(document.title), style.title)
    doc.add_paragraph()
    if document.recipients:
        doc.add_paragraph(f"{document.recipients}:")


def write_blocks(doc: DocxDocument, blocks: Iterable[Block], style: PageStyle) -> None:
    indent = Pt(style.body.size * 2)
    for block in blocks:
        if isinstance(block, Heading):
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = indent
            para.paragraph_format.keep_with_next = True
            set_font(para.add_run(block.text), style.headings[min(block.level, 3) - 1])
        elif isinstance(block, Paragraph):
            para = doc.add_paragraph(block.text)
            if block.indent:
                para.paragraph_format.first_line_indent = indent
        elif isinstance(block, Note):
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = indent
            run = para.add_run(NOTE_PREFIX + block.text)
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif isinstance(block, Table):
            _table(doc, block)


def _table(doc: DocxDocument, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = Pt(TABLE_FONT_PT)
    if block.widths:  # relative widths over the text width (Word reads them per cell)
        table.autofit = False
        section = doc.sections[0]
        text_width = (section.page_width or 0) - (section.left_margin or 0)
        text_width -= section.right_margin or 0
        total = sum(block.widths)
        for column, share in zip(table.columns, block.widths, strict=True):
            column.width = int(text_width * share / total)
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.line_spacing = Pt(TABLE_FONT_PT * 1.5)
        run = para.add_run(text)
        run.font.size, run.font.bold = size, True
    for row in block.rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            para = cell.paragraphs[0]
            para.paragraph_format.line_spacing = Pt(TABLE_FONT_PT * 1.5)
            para.add_run(text).font.size = size
    if block.widths:
        for row_cells in table.rows:
            for cell, column in zip(row_cells.cells, table.columns, strict=True):
                cell.width = column.width
    doc.add_paragraph()


def write_end(doc: DocxDocument, document: Document, style: PageStyle) -> None:
    """Signature and date, right-aligned, four characters in from the margin."""
    if not (document.signatory or document.issuer or document.date):
        return
    doc.add_paragraph().paragraph_format.keep_with_next = True
    lines = [t for t in (document.signatory, document.issuer, document.date) if t]
    for n, text in enumerate(lines, start=1):
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(style.body.size * 4)
        para.paragraph_format.keep_with_next = n < len(lines)  # the signature stays together


def render_docx(document: Document) -> bytes:
    style = STYLES[document.style]
    doc = new_document()
    setup(doc, style)
    write_front(doc, document, style)
    write_blocks(doc, document.blocks, style)
    write_end(doc, document, style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
