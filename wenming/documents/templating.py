"""Administrator-editable .docx templates (docxtpl): fields in Jinja syntax inside Word.

A template holds the fixed parts of a paper — the red header, the layout of the title, the
signature — and fields: ``{{ title }}``, ``{{ issuer_mark }}``, ``{{ doc_number }}``,
``{{ recipients }}``, ``{{ issuer }}``, ``{{ date }}``, and a paragraph holding only
``{{ body }}`` where the document's headings, paragraphs, notes and tables are written.
Loops over ``rows`` (the first table's rows) work too. A default template ships for each kind;
an uploaded template must render against sample data before it is accepted.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import TemplateError

from wenming.documents import docx_writer
from wenming.documents.model import Document, Table
from wenming.documents.styles import STYLES

BODY_MARK = "\u2063WENMING-BODY\u2063"  # invisible separators around a marker nobody types
KINDS = {"bulletin": "测评结果通报", "publicity": "公示名单"}
RED_HEADER = {"bulletin"}  # kinds issued as 红头文件; a 公示 carries only title and signature


class TemplateInvalid(Exception):
    """The template cannot be used; the message says why in Chinese."""


def context_of(document: Document) -> dict[str, Any]:
    first = next((b for b in document.blocks if isinstance(b, Table)), None)
    return {
        "title": document.title,
        "issuer_mark": document.issuer_mark,
        "doc_number": document.doc_number,
        "recipients": document.recipients,
        "issuer": document.issuer,
        "date": document.date,
        "headers": list(first.headers) if first else [],
        "rows": [list(r) for r in first.rows] if first else [],
        "body": BODY_MARK,
    }


def render_with_template(template: bytes, document: Document) -> bytes:
    """Fill the template's fields and write the structured body where ``{{ body }}`` stands."""
    try:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render(context_of(document), autoescape=True)
    except TemplateError as exc:
        raise TemplateInvalid(f"模板字段有误:{exc.message or exc}") from exc
    except Exception as exc:  # not a .docx, or a broken one: python-docx/lxml raise many kinds
        raise TemplateInvalid("无法读取该模板,请上传Word(.docx)格式的文件") from exc
    doc = tpl.docx
    _fit_mark(doc, document)
    marker = next((p for p in doc.paragraphs if BODY_MARK in p.text), None)
    if marker is None:
        raise TemplateInvalid("模板中缺少正文位置:请在单独一段中写 {{ body }}")
    body = doc.element.body
    before = len(body)
    docx_writer.write_blocks(doc, document.blocks, STYLES[document.style])
    added = list(body)[before - 1 : -1] if body[-1].tag.endswith("sectPr") else list(body)[before:]
    for element in added:
        marker._p.addprevious(element)
    marker._p.getparent().remove(marker._p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fit_mark(doc: Any, document: Document) -> None:
    """A long issuer mark would wrap at the template's size: shrink it to stay on one line."""
    if not document.issuer_mark:
        return
    size = docx_writer.mark_size(STYLES[document.style], document.issuer_mark)
    for para in doc.paragraphs:
        if para.text.strip() == document.issuer_mark:
            for run in para.runs:
                if run.font.size is None or run.font.size.pt > size:
                    run.font.size = Pt(size)


def check_template(template: bytes, sample: Document) -> None:
    """Raise TemplateInvalid unless the template renders the sample into a readable .docx."""
    produced = render_with_template(template, sample)
    text = "".join(p.text for p in new_document(io.BytesIO(produced)).paragraphs)
    if sample.title and sample.title not in text:
        raise TemplateInvalid("模板渲染后没有标题,请在模板中保留 {{ title }}")


def default_template(kind: str) -> bytes:
    """The shipped template: GB/T 9704 layout with every field in place."""
    if kind not in KINDS:
        raise KeyError(kind)
    style = STYLES["official"]
    doc = new_document()
    docx_writer.setup(doc, style)
    if kind in RED_HEADER:
        mark = doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run("{{ issuer_mark }}")
        docx_writer.set_font(run, style.mark)
        run.font.color.rgb = docx_writer.RED
        number = doc.add_paragraph("{{ doc_number }}")
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        docx_writer._bottom_rule(number)
        doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(style.title.size * 1.5)
    docx_writer.set_font(title.add_run("{{ title }}"), style.title)
    doc.add_paragraph()
    if kind in RED_HEADER:
        doc.add_paragraph("{{ recipients }}:")
    doc.add_paragraph("{{ body }}")
    doc.add_paragraph()
    for text in ("{{ issuer }}", "{{ date }}"):
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(style.body.size * 4)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
