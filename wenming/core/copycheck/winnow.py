"""k-gram hashing and winnowing over the normalised characters.

Every k consecutive normalised characters are hashed with xxhash (xxh3, 63 bits so a hash fits a
signed 64-bit database column). Winnowing keeps, in every window of ``WINDOW`` consecutive
hashes, the smallest (the rightmost on ties), each kept once: any match of at least
``KGRAM + WINDOW - 1`` characters shares a kept hash, and the selection depends only on the
characters near it, so the same passage in two texts keeps the same hashes.

Stock phrases are cut out of the characters before hashing: a text sharing only stock phrases
with a source shares no k-gram with it, while a copy that runs through a stock phrase is still
one passage (the k-grams join the words on either side). Positions of kept hashes are in these
*content* characters; ``Fingerprinted.norm_span`` maps them back.
"""

from __future__ import annotations

from dataclasses import dataclass

import xxhash

from wenming.core.copycheck.normalise import Normalised, normalise
from wenming.core.copycheck.phrases import PhraseMatcher, stock_phrases

KGRAM = 7
WINDOW = 8
GUARANTEE = KGRAM + WINDOW - 1  # a shared passage this long is always found
MASK = (1 << 63) - 1


@dataclass(frozen=True)
class Fingerprinted:
    """A text reduced for comparison: its normalised characters and its kept hashes."""

    text: str
    norm: Normalised
    hashes: tuple[int, ...]
    positions: tuple[int, ...]  # content position of the k-gram of each kept hash
    content: tuple[int, ...]  # normalised position of each content character

    @property
    def length(self) -> int:
        return len(self.norm.chars)

    def norm_span(self, start: int, end: int) -> tuple[int, int]:
        """Normalised positions [a, b) of content characters [start, end)."""
        if start >= end or not self.content:
            return (0, 0)
        return (self.content[start], self.content[min(end, len(self.content)) - 1] + 1)

    def text_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets [a, b) in the text of content characters [start, end)."""
        a, b = self.norm_span(start, end)
        return self.norm.original_span(a, b, text_length=len(self.text))

    def prints(self) -> list[tuple[int, int]]:
        return list(zip(self.hashes, self.positions, strict=True))


def kgram_hashes(chars: str, k: int = KGRAM) -> list[int]:
    """The hash of every k-gram of ``chars`` (empty when shorter than k)."""
    data = chars.encode("utf-32-le")
    digest = xxhash.xxh3_64_intdigest
    width = 4 * k
    return [digest(data[i : i + width]) & MASK for i in range(0, len(data) - width + 1, 4)]


def winnow(hashes: list[int], w: int = WINDOW) -> list[int]:
    """Positions kept by winnowing: the rightmost minimum of each window, each once."""
    n = len(hashes)
    if n == 0:
        return []
    if n <= w:
        window = hashes
        m = min(window)
        return [n - 1 - window[::-1].index(m)]
    kept: list[int] = []
    min_pos = -1
    for i in range(n - w + 1):
        end = i + w - 1
        if min_pos < i:
            window = hashes[i : end + 1]
            m = min(window)
            min_pos = end - window[::-1].index(m)
            kept.append(min_pos)
        elif hashes[end] <= hashes[min_pos]:
            min_pos = end
            kept.append(min_pos)
    return kept


def fingerprint(
    text: str, *, phrases: PhraseMatcher | None = None, ignore: frozenset[int] = frozenset()
) -> Fingerprinted:
    """``text`` normalised, hashed and winnowed; k-grams touching a stock phrase (the shipped
    list unless ``phrases`` is given) and hashes in ``ignore`` (texts such as the campaign's own
    indicators) are left out."""
    norm = normalise(text)
    matcher = stock_phrases() if phrases is None else phrases
    covered = matcher.covered(norm.chars)
    if any(covered):
        content = tuple(i for i, flag in enumerate(covered) if not flag)
        chars = "".join(norm.chars[i] for i in content)
    else:
        content = tuple(range(len(norm.chars)))
        chars = norm.chars
    hashes = kgram_hashes(chars)
    kept_hashes: list[int] = []
    kept_positions: list[int] = []
    for pos in winnow(hashes):
        h = hashes[pos]
        if h in ignore:
            continue
        kept_hashes.append(h)
        kept_positions.append(pos)
    return Fingerprinted(text, norm, tuple(kept_hashes), tuple(kept_positions), content)


def text_hashes(text: str) -> frozenset[int]:
    """Every k-gram hash of ``text`` (for ``ignore``: a campaign's notice and indicators)."""
    return frozenset(kgram_hashes(normalise(text).chars))
