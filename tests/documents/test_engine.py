"""The document engine: one structured document → .docx and .pdf in the official style."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Length

from tests.conftest import need_cjk_font
from wenming.core.fonts import FontMissing
from wenming.documents.bulletin import bulletin_document, sample_bulletin
from wenming.documents.docx_writer import render_docx
from wenming.documents.model import Document, Heading, Note, Paragraph
from wenming.documents.pdf_writer import render_pdf
from wenming.documents.templating import (
    TemplateInvalid,
    check_template,
    default_template,
    render_with_template,
)


def mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


def pt(length: Length | None) -> float:
    assert length is not None
    return float(length.pt)


def east_asian_font(properties: CT_RPr | None) -> str | None:
    assert properties is not None and properties.rFonts is not None
    name = properties.rFonts.get(qn("w:eastAsia"))
    return None if name is None else str(name)


def test_bulletin_docx_follows_the_official_format():
    doc = open_docx(io.BytesIO(render_docx(bulletin_document(sample_bulletin()))))
    section = doc.sections[0]
    assert round(mm(section.top_margin)) == 37 and round(mm(section.bottom_margin)) == 35
    assert round(mm(section.left_margin)) == 28 and round(mm(section.right_margin)) == 26
    assert round(mm(section.page_width)) == 210 and round(mm(section.page_height)) == 297
    normal = doc.styles["Normal"]
    assert pt(normal.font.size) == 16
    assert east_asian_font(normal.element.rPr) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing.pt == 29
    texts = [p.text for p in doc.paragraphs]
    assert "关于2026年度市级文明单位测评结果的通报" in texts
    title = next(p for p in doc.paragraphs if p.text.startswith("关于"))
    run = title.runs[0]
    assert pt(run.font.size) == 22
    assert east_asian_font(run._element.rPr) == "方正小标宋简体"
    heading = next(p for p in doc.paragraphs if p.text == "一、测评结果")
    assert east_asian_font(heading.runs[0]._element.rPr) == "黑体"
    assert doc.tables[0].rows[1].cells[1].text == "江东区第一小学"
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml and "—" in footer_xml
    assert doc.settings.odd_and_even_pages_header_footer


def test_default_template_renders_the_bulletin_with_fields_filled():
    document = bulletin_document(sample_bulletin())
    produced = render_with_template(default_template("bulletin"), document)
    doc = open_docx(io.BytesIO(produced))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "江城市精神文明建设办公室文件" in text and "江文明办〔2026〕3号" in text
    assert "一、测评结果" in text and "{{" not in text
    assert text.index("各区文明办") < text.index("一、测评结果") < text.index("2026年6月1日")
    assert doc.tables[0].rows[3].cells[1].text == "江西区人民医院"


def template_with(*paragraphs: str) -> bytes:
    doc = open_docx()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a docx", "无法读取该模板"),
        (template_with("{{ title }}"), "缺少正文位置"),
        (template_with("{{ title ", "{{ body }}"), "模板字段有误"),
        (template_with("{% for %}", "{{ body }}"), "模板字段有误"),
        (template_with("{{ body }}"), "没有标题"),
    ],
)
def test_an_unusable_template_is_refused_with_a_clear_message(content, message):
    with pytest.raises(TemplateInvalid, match=message):
        check_template(content, bulletin_document(sample_bulletin()))


def test_pdf_embeds_the_font_keeps_the_text_and_draws_different_characters():
    need_cjk_font()
    import pypdfium2  # type: ignore[import-untyped]
    from pypdf import PdfReader

    words = ["文明单位测评结果通报", "江东区第一小学得分92.5分", "需补充的内容"]
    document = Document(
        title=words[0],
        blocks=[Heading("一、结果"), Paragraph(words[1]), Note(words[2])],
        style="official",
    )
    pdf = render_pdf(document)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = []
    for page in reader.pages:
        resources: Any = page["/Resources"]  # pypdf types its object tree loosely: walked untyped
        for font in resources["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            fonts.append(descendant["/FontDescriptor"].get_object())
    assert fonts and all(
        any(k in f for k in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts
    )
    text_page = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    extracted = "".join(text_page.get_text_range().split())
    expected = "".join((words[0] + "一、结果" + words[1] + "【需补充】" + words[2] + "—1—").split())
    assert extracted == expected

    def bitmap(char: str) -> bytes:
        one = render_pdf(Document(title=char, blocks=[], style="report"))
        page = pypdfium2.PdfDocument(one)[0]
        image = page.render(scale=1).to_pil().convert("L")
        return bytes(image.crop((0, 0, image.width, image.height // 3)).tobytes())

    wen, ming = bitmap("文"), bitmap("明")
    blank = bitmap(" ")
    assert wen != ming and wen != blank and ming != blank


def test_missing_font_gives_a_clear_chinese_error(monkeypatch, tmp_path):
    monkeypatch.setenv("WENMING_CJK_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(FontMissing, match="字体文件不存在"):
        render_pdf(bulletin_document(sample_bulletin()))


def test_publicity_template_has_no_red_header_and_renders_the_sample():
    from wenming.documents.bulletin import sample_document

    template = default_template("publicity")
    check_template(template, sample_document("publicity"))  # the upload check of the kind
    doc = open_docx(io.BytesIO(render_with_template(template, sample_document("publicity"))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "文件" not in text and "{{" not in text
    assert text.index("关于2026年度市级文明单位拟命名名单的公示") < text.index("公示期为")
    assert doc.tables[0].rows[2].cells[1].text == "江东区实验中学"
    # the table columns follow the document's relative widths (单位名称 widest)
    widths = [c.width for c in doc.tables[0].rows[0].cells]
    assert widths[1] == max(widths) and widths[1] > 2 * widths[0]


def test_a_long_issuer_mark_is_shrunk_to_one_line_in_the_template():
    document = bulletin_document(sample_bulletin())
    document.issuer_mark = "江城市江东区精神文明建设委员会办公室文件"
    doc = open_docx(io.BytesIO(render_with_template(default_template("bulletin"), document)))
    mark = next(p for p in doc.paragraphs if p.text == document.issuer_mark)
    assert pt(mark.runs[0].font.size) < 36
    assert pt(mark.runs[0].font.size) * len(document.issuer_mark) <= (210 - 28 - 26) * 72 / 25.4
