"""The structured document every generated paper is built from (Django-free).

A feature that produces a document — a self-inspection report, a bulletin, a publicity list,
a certificate — is a small function returning a :class:`Document`; the writers turn it into
.docx (:mod:`wenming.documents.docx_writer`) and .pdf (:mod:`wenming.documents.pdf_writer`)
in one of the page styles of :mod:`wenming.documents.styles`. Copy ``bulletin.py`` to add one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 一、 (黑体)  2 (一) (楷体)  3 1. (仿宋 bold)


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: bool = True  # first line indented by two characters


@dataclass(frozen=True)
class Note:
    """A highlighted note: something the data could not say (e.g. no titles on file)."""

    text: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


Block = Heading | Paragraph | Note | Table


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    style: str = "official"  # a key of styles.STYLES
    issuer_mark: str = ""  # 发文机关标志, e.g. "江城市精神文明建设办公室文件" (red header)
    doc_number: str = ""  # 发文字号, e.g. "江文明办〔2026〕3号"
    recipients: str = ""  # 主送机关
    signatory: str = ""  # a line above the signature, e.g. "单位负责人(签字):陈明"
    issuer: str = ""  # 发文机关署名 (signature at the end)
    date: str = ""  # 成文日期, e.g. "2026年6月1日"

    def text(self) -> str:
        """Every visible string in reading order (for checks and search)."""
        parts = [self.issuer_mark, self.doc_number, self.title, self.recipients]
        for block in self.blocks:
            if isinstance(block, Table):
                parts.extend(block.headers)
                parts.extend(cell for row in block.rows for cell in row)
            else:
                parts.append(block.text)
        parts += [self.signatory, self.issuer, self.date]
        return "\n".join(p for p in parts if p)
