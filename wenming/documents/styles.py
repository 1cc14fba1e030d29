"""Page styles. ``official`` follows 党政机关公文格式 (GB/T 9704-2012).

Sizes in the standard's Chinese point names: 2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt. The text
area is 156 mm × 225 mm (A4 less margins 37/35/28/26 mm) holding 22 lines of 28 characters,
so the line pitch is 225 mm / 22 ≈ 10.2 mm ≈ 29 pt: an exact 29 pt line spacing.

Fonts are named as Word and WPS know them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312),
including the East-Asian slot (w:eastAsia), so an office PC with those fonts shows the real
faces; the PDF embeds the CJK font found on the server (:mod:`wenming.core.fonts`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    name: str
    size: float  # pt
    bold: bool = False


@dataclass(frozen=True)
class PageStyle:
    key: str
    top: float  # mm
    bottom: float
    left: float
    right: float
    line_pitch: float  # pt, exact
    title: Font
    body: Font
    headings: tuple[Font, Font, Font]
    mark: Font  # the red 发文机关标志
    page_number: Font
    note_fill: str = "FFF2CC"  # highlight of a Note (light yellow)
    official_page_numbers: bool = True  # "— 1 —", odd pages right, even pages left


OFFICIAL = PageStyle(
    key="official",
    top=37,
    bottom=35,
    left=28,
    right=26,
    line_pitch=29,
    title=Font("方正小标宋简体", 22),
    body=Font("仿宋_GB2312", 16),
    headings=(Font("黑体", 16), Font("楷体_GB2312", 16), Font("仿宋_GB2312", 16, bold=True)),
    mark=Font("方正小标宋简体", 36),
    page_number=Font("宋体", 14),
)

# Reports a unit prints for itself: the same fonts, a little denser.
REPORT = PageStyle(
    key="report",
    top=30,
    bottom=28,
    left=28,
    right=26,
    line_pitch=28,
    title=Font("方正小标宋简体", 22),
    body=Font("仿宋_GB2312", 16),
    headings=(Font("黑体", 16), Font("楷体_GB2312", 16), Font("仿宋_GB2312", 16, bold=True)),
    mark=Font("方正小标宋简体", 36),
    page_number=Font("宋体", 14),
)

STYLES = {s.key: s for s in (OFFICIAL, REPORT)}
TABLE_FONT_PT = 12  # tables in 小四 so that they fit the 156 mm text width
