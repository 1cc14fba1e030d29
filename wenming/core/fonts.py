"""Finding a CJK font to embed in generated PDFs (no web fonts, nothing downloaded)."""

from __future__ import annotations

import os
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
