"""Honour certificates (荣誉证书): one landscape A4 page per title, as .pdf with the embedded CJK
font of :mod:`wenming.core.fonts` (the same font the PDF writer uses)."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import TextMode

from wenming.core.fonts import font_for
from wenming.documents.campaign_docs import day_text
from wenming.documents.pdf_writer import PT, font_cache_dir
from wenming.titles.models import Title

RED = (178, 24, 24)
GOLD = (196, 154, 60)


@dataclass(frozen=True)
class CertificateData:
    number: str  # 证书编号
    unit: str
    title: str  # the honour, e.g. 2026年度区级义务教育标准化学校
    issuer: str  # 颁发机关 (signature)
    date: str
    valid_until: str = ""

    def lines(self) -> list[str]:
        """Every visible string in reading order (what a text extraction gives back)."""
        out = ["荣誉证书", f"{self.unit}:", self.body(), "特发此证,以资鼓励。"]
        out += [self.issuer, self.date, f"证书编号:{self.number}"]
        if self.valid_until:
            out.append(f"有效期至{self.valid_until}")
        return out

    def body(self) -> str:
        return f"被评为“{self.title}”。"


def certificate_data(title: Title, *, issuer: str = "") -> CertificateData:
    """A title as certificate text; the issuer defaults to the naming authority's 文明委."""
    authority = title.naming_authority.name
    return CertificateData(
        number=f"{title.year}-{title.pk:06d}",
        unit=title.unit.name,
        title=title.name,
        issuer=issuer.strip() or f"{authority}精神文明建设委员会",
        date=day_text(title.granted_at.date()),
        valid_until=day_text(title.valid_until),
    )


def certificate_pdf(data: CertificateData) -> bytes:
    font, face = font_for("".join(data.lines()) + "0123456789-", cache_dir=font_cache_dir())
    pdf = FPDF(orientation="landscape", format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("cjk", fname=str(font), collection_font_number=face)
    pdf.set_title(f"荣誉证书 {data.unit}")
    pdf.add_page()
    width, height = pdf.w, pdf.h
    # a double frame: gold outside, red inside
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(2.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.rect(15, 15, width - 30, height - 30)
    left, text_width = 40.0, width - 80
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=48)
    pdf.set_xy(left, 34)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.4, draw_color=RED):
        pdf.cell(text_width, 48 * PT * 1.3, text="荣誉证书", align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=24)
    pdf.set_xy(left, 72)
    pdf.multi_cell(text_width, 24 * PT * 1.8, text=f"{data.unit}:", align="L")
    pdf.set_x(left)
    indent = "\u3000\u3000"
    pdf.multi_cell(text_width, 24 * PT * 1.8, text=indent + data.body(), align="L")
    pdf.set_x(left)
    pdf.multi_cell(text_width, 24 * PT * 1.8, text=indent + "特发此证,以资鼓励。", align="L")
    pdf.set_font("cjk", size=20)
    for y, text in ((height - 62, data.issuer), (height - 50, data.date)):
        pdf.set_xy(left, y)
        pdf.cell(text_width - 10, 10, text=text, align="R")
    pdf.set_font("cjk", size=11)
    pdf.set_text_color(90, 90, 90)
    pdf.set_xy(left, height - 34)
    pdf.cell(text_width / 2, 6, text=f"证书编号:{data.number}", align="L")
    if data.valid_until:
        pdf.set_xy(left + text_width / 2, height - 34)
        pdf.cell(text_width / 2, 6, text=f"有效期至{data.valid_until}", align="R")
    return bytes(pdf.output())
