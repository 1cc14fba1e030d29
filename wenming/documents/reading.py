"""Read the text of an uploaded .docx or .pdf, bounded (for material review of units' reports).

``document_text(name=, content=)`` returns the text, or raises :class:`DocumentRefused` with a
Chinese message; nothing about the file is kept. The bounds:

- .docx is a zip: its directory is checked before anything is inflated (parts, sizes, their sum,
  compression ratio — the same check as every .xlsx, ``wenming.core.xlsx_guard.zip_check``).
  python-docx parses with lxml without resolving entities and within libxml2's depth limit, so
  entity expansion and deep nesting fail as a refusal, not as memory.
- .pdf: size; then the raw bytes are searched (no parsing) for a page count past the limit and
  for more object references than a real report has (pypdf parses an array of a million
  references for seconds); then the page tree is walked without recursion (cycles and depth
  checked, pages counted) before pypdf lists pages; pages are read one at a time against a time
  budget; pypdf itself caps how far a stream may inflate. Not bounded: the time pypdf spends
  inside one page or inside compressed object streams (reading in a child process with a
  timeout would bound that too).
- The text kept is at most ``MAX_TEXT`` characters.
"""

from __future__ import annotations

import io
import logging
import re
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from wenming.core.errors import ActionRefused
from wenming.core.xlsx_guard import ZipRefused, zip_check

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 500
MAX_TREE_DEPTH = 32
MAX_REFERENCES = 100_000  # "12 0 R" in the file's bytes; a 500-page report has a few thousand
MAX_SECONDS = 10.0
MAX_TEXT = 2_000_000  # characters kept
DOCX_PART_BYTES = 32 * 1024 * 1024
DOCX_TOTAL_BYTES = 64 * 1024 * 1024

UNREADABLE_DOCX = "无法读取该Word文件,请上传.docx格式的文档"
UNREADABLE_PDF = "无法读取该PDF文件"


_COUNT = re.compile(rb"/Count\s+(\d{1,12})")
_REFERENCE = re.compile(rb"\d\s+\d+\s+R\b")


class DocumentRefused(ActionRefused):
    """The document is not read; the message says why in Chinese. (Not the editing refusal of
    ``documents.services``: reading is a shared service that imports nothing of the app.)"""


@dataclass(frozen=True)
class DocumentText:
    text: str
    pages: int  # pages of a PDF; 0 for .docx (Word decides pages when printing)
    truncated: bool  # the text passed MAX_TEXT and was cut


def document_text(*, name: str, content: bytes) -> DocumentText:
    """The text of a .docx or .pdf (chosen by the file's name), within the limits above."""
    if len(content) > MAX_BYTES:
        raise DocumentRefused(f"文件过大(上限{MAX_BYTES // (1024 * 1024)}MB)")
    suffix = PurePath(name).suffix.lower()
    if suffix == ".docx":
        return _docx(content)
    if suffix == ".pdf":
        return _pdf(content)
    raise DocumentRefused("只能读取 .docx 或 .pdf 格式的文件")


TEXT_SUFFIXES = (".txt", ".docx", ".pdf")


def report_text(*, name: str, content: bytes) -> DocumentText:
    """The text of a report file: a .txt (UTF-8 or GB18030, as Chinese Windows saves it), a
    .docx or a .pdf, within the same limits."""
    if PurePath(name).suffix.lower() != ".txt":
        if PurePath(name).suffix.lower() not in TEXT_SUFFIXES:
            raise DocumentRefused("只能读取 .txt、.docx 或 .pdf 格式的文件")
        return document_text(name=name, content=content)
    if len(content) > MAX_BYTES:
        raise DocumentRefused(f"文件过大(上限{MAX_BYTES // (1024 * 1024)}MB)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return DocumentText(text[:MAX_TEXT], 0, len(text) > MAX_TEXT)
    raise DocumentRefused("无法读取该文本文件,请保存为UTF-8或GBK编码的.txt文件")


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.truncated = False

    def add(self, text: str) -> bool:
        """Keep text; False once the limit is reached (stop reading)."""
        room = MAX_TEXT - self.length
        if len(text) > room:
            text, self.truncated = text[:room], True
        self.parts.append(text)
        self.length += len(text)
        return not self.truncated

    def result(self, pages: int) -> DocumentText:
        return DocumentText("\n".join(self.parts), pages, self.truncated)


# -- .docx --------------------------------------------------------------------------------


def _docx(content: bytes) -> DocumentText:
    from docx import Document

    try:
        zip_check(
            content,
            refused=UNREADABLE_DOCX,
            max_part=DOCX_PART_BYTES,
            max_total=DOCX_TOTAL_BYTES,
        ).close()
    except ZipRefused as exc:
        raise DocumentRefused(str(exc)) from None
    try:
        document = Document(io.BytesIO(content))
        body = document.element.body
        out = _Text()
        for block in body.iterchildren():
            if not out.add(_block_text(block)):
                break
    except Exception:  # python-docx and lxml raise many kinds for a broken or hostile file
        raise DocumentRefused(UNREADABLE_DOCX) from None
    return out.result(0)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _block_text(block: Any) -> str:
    """The text of a body block (paragraph or table) from its w:t runs. (lxml's ``itertext``
    on python-docx's element classes repeats each run's text, three times in python-docx 1.2.)"""
    parts: list[str] = []
    for element in block.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}p"):
        tag = element.tag
        if tag == f"{_W}t":
            parts.append(element.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag == f"{_W}br" or parts:  # a line break, or the next paragraph of a table cell
            parts.append("\n")
    return "".join(parts)


# -- .pdf ---------------------------------------------------------------------------------


def _pdf(content: bytes) -> DocumentText:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken files warn on every object
    deadline = time.monotonic() + MAX_SECONDS
    if any(int(found) > MAX_PAGES for found in _COUNT.findall(content)):
        raise DocumentRefused(f"PDF页数过多(上限{MAX_PAGES}页)")
    references = 0
    for references, _ in enumerate(_REFERENCE.finditer(content), start=1):
        if references > MAX_REFERENCES:
            raise DocumentRefused(f"PDF文件结构过于复杂(对象引用超过{MAX_REFERENCES}个)")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentRefused("PDF文件已加密,无法读取")
        catalog: Any = reader.trailer["/Root"]
        pages = _count_pages(catalog["/Pages"])
        out = _Text()
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise DocumentRefused(f"PDF文件读取超时(上限{MAX_SECONDS:.0f}秒)")
            if not out.add(page.extract_text() or ""):
                break
    except DocumentRefused:
        raise
    except Exception:  # pypdf raises many kinds (and RecursionError) for a broken file
        raise DocumentRefused(UNREADABLE_PDF) from None
    return out.result(pages)


def _count_pages(root: Any) -> int:
    """Count the pages of the page tree without recursion, refusing before pypdf flattens it."""
    seen: set[int] = set()
    pages = 0
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        node = node.get_object()
        if id(node) in seen or depth > MAX_TREE_DEPTH:
            raise DocumentRefused(UNREADABLE_PDF)
        seen.add(id(node))
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            stack.extend((kid, depth + 1) for kid in node.get("/Kids", ()))
            if len(stack) + pages > MAX_PAGES:
                raise DocumentRefused(f"PDF页数过多(上限{MAX_PAGES}页)")
        else:
            pages += 1
    if pages > MAX_PAGES:
        raise DocumentRefused(f"PDF页数过多(上限{MAX_PAGES}页)")
    return pages
