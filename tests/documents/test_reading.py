"""Reading uploaded reports (.docx/.pdf): text out, hostile files refused in Chinese, cheaply."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from fpdf import FPDF

from tests.hostile import bounded, zip_bomb
from wenming.documents import reading
from wenming.documents.reading import DocumentRefused, document_text


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "cell-a", "cell-b"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Report page {n + 1}")
    return bytes(pdf.output())


def refusal(name: str, content: bytes) -> str:
    with bounded(), pytest.raises(DocumentRefused) as caught:
        document_text(name=name, content=content)
    return str(caught.value)


def test_docx_text_with_tables():
    read = document_text(name="报告.docx", content=docx_bytes("first paragraph", "second"))
    assert "first paragraph" in read.text and "cell-a" in read.text and not read.truncated


def test_pdf_text_and_pages():
    read = document_text(name="报告.PDF", content=pdf_bytes(3))
    assert read.pages == 3 and "Report page 3" in read.text


def test_zip_bomb_docx_is_refused_unread():
    good = docx_bytes("x")
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        others = tuple((n, archive.read(n)) for n in archive.namelist() if n != "word/document.xml")
    bomb = zip_bomb("word/document.xml", size=300 * 1024 * 1024, extra=others)
    assert len(bomb) < 1_000_000
    assert "解压后过大" in refusal("报告.docx", bomb)


def test_compressed_hundredfold_docx_is_refused():
    bomb = zip_bomb("word/document.xml", size=20 * 1024 * 1024)
    assert "压缩比异常" in refusal("报告.docx", bomb)


def test_docx_entities_are_not_expanded():
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">{lol}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>"
    )
    content = _replace_part(docx_bytes("x"), "word/document.xml", xml.encode())
    with bounded():
        try:
            read = document_text(name="报告.docx", content=content)
        except DocumentRefused as exc:
            assert str(exc) == reading.UNREADABLE_DOCX
        else:
            assert "lollol" not in read.text


def test_deeply_nested_docx_is_refused():
    body = "<w:sdt><w:sdtContent>" * 20_000 + "</w:sdtContent></w:sdt>" * 20_000
    xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content = _replace_part(docx_bytes("x"), "word/document.xml", xml.encode())
    assert refusal("报告.docx", content) == reading.UNREADABLE_DOCX


def test_huge_page_count_is_refused_before_pypdf_lists_pages():
    assert f"PDF页数过多(上限{reading.MAX_PAGES}页)" in refusal("报告.pdf", _many_pages(100_000))


def test_a_page_tree_that_lies_about_its_count_is_refused():
    content = _many_pages(reading.MAX_REFERENCES + 1).replace(
        f"/Count {reading.MAX_REFERENCES + 1}".encode(), b"/Count 1"
    )
    assert "对象引用超过" in refusal("报告.pdf", content)


def test_a_page_tree_just_past_the_limit_is_refused_by_walking_it(monkeypatch):
    content = _many_pages(reading.MAX_PAGES + 1).replace(
        f"/Count {reading.MAX_PAGES + 1}".encode(), b"/Count 1"
    )
    assert f"PDF页数过多(上限{reading.MAX_PAGES}页)" in refusal("报告.pdf", content)


def test_page_tree_cycle_is_refused():
    kids = "[3 0 R]"
    body = (
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        + f"2 0 obj<</Type/Pages/Kids {kids}/Count 1>>endobj\n".encode()
        + b"3 0 obj<</Type/Pages/Kids [2 0 R]/Count 1>>endobj\n"
    )
    assert refusal("报告.pdf", _pdf_file(body)) == reading.UNREADABLE_PDF


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 garbage", b"\x00" * 1000])
def test_garbage_pdf_is_refused(content):
    assert refusal("报告.pdf", content) == reading.UNREADABLE_PDF


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04broken", b"not a zip"])
def test_garbage_docx_is_refused(content):
    assert refusal("报告.docx", content) == reading.UNREADABLE_DOCX


def test_oversized_and_other_types_are_refused():
    assert "文件过大" in refusal("报告.pdf", b" " * (reading.MAX_BYTES + 1))
    assert "只能读取" in refusal("报告.txt", b"text")


def test_text_is_capped(monkeypatch):
    monkeypatch.setattr(reading, "MAX_TEXT", 10)
    read = document_text(name="报告.docx", content=docx_bytes("a" * 50))
    assert read.truncated and len(read.text) <= 11


def _replace_part(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, data if item.filename == name else src.read(item.filename))
    return out.getvalue()


def _many_pages(count: int) -> bytes:
    """A small PDF whose page tree lists `count` page objects (all the same object but one)."""
    kids = " ".join(["3 0 R"] * (count - 1) + ["4 0 R"])
    body = (
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        + f"2 0 obj<</Type/Pages/Kids [{kids}]/Count {count}>>endobj\n".encode()
        + b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox [0 0 612 792]>>endobj\n"
        + b"4 0 obj<</Type/Page/Parent 2 0 R/MediaBox [0 0 612 792]>>endobj\n"
    )
    return _pdf_file(body)


def _pdf_file(body: bytes) -> bytes:
    head = b"%PDF-1.4\n"
    offsets, position = [], len(head)
    for line in body.split(b"endobj\n")[:-1]:
        offsets.append(position)
        position += len(line) + len(b"endobj\n")
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    xref += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        position,
    )
    return head + body + xref + trailer
