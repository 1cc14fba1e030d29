"""Unfilled template placeholders (××名, 20*年, “”, ____, 每年编发报表份 …) that must never reach a
document. The finder is the material review's (``wenming.core.copycheck.placeholders``): one
placeholder finder in the product, with kinds and positions; this module keeps the two forms
the documents need (the texts found, and the text with each replaced by 〔待补充〕)."""

from __future__ import annotations

from wenming.core.copycheck.placeholders import Placeholder
from wenming.core.copycheck.placeholders import placeholders_in as placeholders_found

__all__ = ["MISSING_MARK", "Placeholder", "placeholders_found", "placeholders_in", "scrubbed"]


def placeholders_in(text: str) -> list[str]:
    """The placeholders found in ``text`` (empty when it is clean)."""
    return [found.text for found in placeholders_found(text)]


MISSING_MARK = "〔待补充〕"


def scrubbed(text: str) -> str:
    """``text`` with every placeholder replaced by 〔待补充〕 (unchanged when it is clean)."""
    found = placeholders_found(text)
    if not found:
        return text
    parts: list[str] = []
    at = 0
    for item in found:
        parts.append(text[at : item.offset])
        parts.append(MISSING_MARK)
        at = item.offset + len(item.text)
    parts.append(text[at:])
    return "".join(parts)
