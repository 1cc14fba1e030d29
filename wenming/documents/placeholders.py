"""Unfilled template placeholders (××名, 20*年, “”, ____ …) that must never reach a document."""

from __future__ import annotations

import re

PATTERN = re.compile(
    r"[×✕]{1,}"  # ××名, 20××年
    r"|(?<![A-Za-z])[xX]{2,}(?![A-Za-z])"  # xx年, XX单位
    r"|20[\*xX×]{1,2}"  # 20*年, 20XX
    r"|\*[省市区县镇村]"  # *市
    r"|“\s*”|‘\s*’|\"\s*\"|《\s*》"  # empty quotes and titles
    r"|_{3,}|＿{2,}"  # ____
    r"|某某"
)


def placeholders_in(text: str) -> list[str]:
    """The placeholders found in ``text`` (empty when it is clean)."""
    return [m.group(0) for m in PATTERN.finditer(text)]


MISSING_MARK = "〔待补充〕"


def scrubbed(text: str) -> str:
    """``text`` with every placeholder replaced by 〔待补充〕 (unchanged when it is clean)."""
    return PATTERN.sub(MISSING_MARK, text)
