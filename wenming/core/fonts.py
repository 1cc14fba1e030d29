"""Finding a Chinese font to embed in generated PDFs (no web fonts, nothing downloaded).

Debian's Noto CJK collection holds Japanese, Korean and Chinese faces; we pick the Simplified
Chinese one (the first face is Japanese and draws some characters differently). Embedding
means subsetting, which is slow on a 65,000-glyph font, so a subset holding the 7,000-odd
characters of GB 2312 plus ASCII and punctuation is made once and cached; a text that needs
any other character uses the full font.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
MISSING = (
    "未找到可嵌入PDF的中文字体。请安装中文字体(如 Debian 的 fonts-noto-cjk 软件包),"
    "或用环境变量 WENMING_CJK_FONT 指定字体文件路径(.ttf/.ttc/.otf)"
)


class FontMissing(RuntimeError):
    pass


def cjk_font() -> Path:
    configured = os.environ.get("WENMING_CJK_FONT")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(f"WENMING_CJK_FONT 指定的字体文件不存在:{configured}")
        return path
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(MISSING)


@lru_cache(maxsize=4)
def simplified_face(path: Path) -> int:
    """The index of the Simplified Chinese face in a collection (0 for a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    for index, face in enumerate(collection.fonts):
        name = str(face["name"].getDebugName(1) or "")
        if name.endswith(" SC") or "Simplified" in name or " GB" in name:
            return index
    return 0


@lru_cache(maxsize=1)
def common_characters() -> frozenset[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= set("、。,.:;!?“”‘’()《》【】—…·%×÷±≤≥≠°℃①②③④⑤⑥⑦⑧⑨⑩")
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(bytes((first, second)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def font_for(text: str, *, cache_dir: Path) -> tuple[Path, int]:
    """(font file, face index) able to draw ``text``: the cached common subset when it can."""
    full = cjk_font()
    face = simplified_face(full)
    if not set(text) <= common_characters():
        return full, face
    stat = full.stat()
    cached = cache_dir / f"{full.stem}-{face}-{int(stat.st_mtime)}-{stat.st_size}-gb2312.otf"
    if not cached.exists():
        from fontTools import subset
        from fontTools.ttLib import TTFont

        cache_dir.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(full), fontNumber=face)
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in common_characters()])
        subsetter.subset(font)
        partial = cached.with_suffix(".tmp")
        font.save(str(partial))
        partial.replace(cached)
    return cached, 0
