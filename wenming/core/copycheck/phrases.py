"""Stock phrases: official formulas every report repeats, which are not copying.

The list is data (``stock_phrases.txt`` beside this module, one phrase a line, ``#`` starts a
comment): an office's editor may add lines without touching code. Phrases are matched on the
normalised characters with an Aho-Corasick automaton (pyahocorasick), so Traditional script,
widths and punctuation inside a phrase do not hide it. A phrase may hold ``…`` to stand for a
gap (以…为指导): each side is then a phrase of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import ahocorasick

from wenming.core.copycheck.normalise import normalise

PHRASES_FILE = Path(__file__).with_name("stock_phrases.txt")
MIN_PHRASE = 4  # normalised characters; shorter pieces would mask ordinary words


def phrases_from_lines(lines: Iterable[str]) -> list[str]:
    """The normalised phrases of a phrase list's lines (comments and short pieces dropped)."""
    out: list[str] = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        for piece in line.replace("...", "…").split("…"):
            chars = normalise(piece).chars
            if len(chars) >= MIN_PHRASE:
                out.append(chars)
    return out


class PhraseMatcher:
    """Marks the normalised characters covered by any of the phrases."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        count = 0
        for phrase in phrases:
            self._automaton.add_word(phrase, len(phrase))
            count += 1
        self.size = count
        if count:
            self._automaton.make_automaton()

    def covered(self, chars: str) -> bytearray:
        """1 at every position of ``chars`` inside a phrase, 0 elsewhere."""
        mask = bytearray(len(chars))
        if not self.size:
            return mask
        for end, length in self._automaton.iter(chars):
            mask[end - length + 1 : end + 1] = b"\x01" * length
        return mask


@cache
def stock_phrases() -> PhraseMatcher:
    """The shipped list (read once)."""
    return PhraseMatcher(phrases_from_lines(PHRASES_FILE.read_text(encoding="utf-8").splitlines()))
