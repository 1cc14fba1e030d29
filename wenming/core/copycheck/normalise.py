"""The characters compared, each with its offset in the original text.

Copies must be found across scripts (Traditional/Simplified), widths (全角/半角), punctuation
and spacing, and across changed figures. So a text is reduced to its letters and Chinese
characters, folded to lower case, converted to Simplified script with OpenCC (``t2s``), and
every run of digits becomes one ``0``. ``offsets[i]`` is where the i-th kept character starts
in the original text, so a match found on the normalised characters can be shown on the text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

DIGIT = "0"


@dataclass(frozen=True)
class Normalised:
    chars: str
    offsets: tuple[int, ...]  # offset in the original text of each kept character

    def original_span(self, start: int, end: int, *, text_length: int) -> tuple[int, int]:
        """The original offsets [a, b) covering normalised characters [start, end)."""
        if start >= end or not self.offsets:
            return (0, 0)
        a = self.offsets[start]
        b = self.offsets[end] if end < len(self.offsets) else text_length
        return (a, b)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_FOLDED: dict[str, str] = {}


def _fold(ch: str) -> str:
    """What one original character becomes: "" (dropped), DIGIT, or kept characters."""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c.isdigit():
            out.append(DIGIT)
        elif c.isalpha():
            out.append(c.lower())
    folded = "".join(out)
    if len(_FOLDED) < 100_000:
        _FOLDED[ch] = folded
    return folded


@cache
def _simplified_char(ch: str) -> str:
    converted = _converter().convert(ch)
    return converted if len(converted) == 1 else ch


def normalise(text: str) -> Normalised:
    """``text`` reduced to the characters compared (see the module's docstring)."""
    get = _FOLDED.get
    folded = [get(ch) for ch in text]
    kept: list[str] = []
    offsets: list[int] = []
    last_digit = -2
    for offset, f in enumerate(folded):
        if f is None:
            f = _fold(text[offset])
        if not f:
            continue
        if len(f) == 1:
            if f == DIGIT:
                run = last_digit == offset - 1
                last_digit = offset
                if run:
                    continue  # a run of digits is one character
            kept.append(f)
            offsets.append(offset)
        else:
            kept.extend(f)
            offsets.extend([offset] * len(f))
    joined = "".join(kept)
    simplified = _converter().convert(joined)
    if len(simplified) != len(joined):  # a phrase conversion changed the length: char by char
        simplified = "".join(_simplified_char(c) for c in joined)
    return Normalised(simplified, tuple(offsets))
