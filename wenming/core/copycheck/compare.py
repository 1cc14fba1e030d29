"""One text against fingerprinted sources: how much of it is copied, from where, paragraph by
paragraph.

Hashes shared with a source are paired (position in the text, position in the source) and
chained into runs that advance together on both sides; a gap of up to ``GAP`` characters inside a
run (a changed word, a stock phrase, a new figure) still counts as copied, which is how lightly
edited copies keep their score. Runs shorter than ``MIN_RUN`` characters are coincidences and
dropped. Characters are the normalised ones (letters and Chinese characters; a run of digits is
one character; punctuation and spaces do not count).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wenming.core.copycheck.placeholders import Placeholder, placeholders_in
from wenming.core.copycheck.winnow import GUARANTEE, KGRAM, Fingerprinted

GAP = 4 * KGRAM  # characters between two matches of one run that still count as copied
DRIFT = 2 * KGRAM  # how far the two sides may drift apart inside one run (inserted words)
MIN_RUN = GUARANTEE  # shorter runs are coincidences
COPIED_PARAGRAPH = 0.5  # a paragraph is copied when more than this share comes from one source
MAX_PAIRS_PER_HASH = 8  # a hash repeated inside a text pairs at most this often


@dataclass(frozen=True)
class Source:
    """A fingerprinted source: its key (document id, file name …) and its kept hashes."""

    key: str
    hashes: Sequence[int]
    positions: Sequence[int]


@dataclass(frozen=True)
class Span:
    """A copied run: content positions [start, end) in the text and in the source (map them
    with ``Fingerprinted.text_span``)."""

    source: str
    start: int
    end: int
    source_start: int
    source_end: int


@dataclass(frozen=True)
class Paragraph:
    index: int  # 1-based, empty lines skipped
    start: int  # offsets in the text
    end: int
    chars: int
    copied_chars: int
    copied: bool
    sources: tuple[tuple[str, int], ...]  # (source key, characters), most first


@dataclass(frozen=True)
class CheckResult:
    chars: int
    copied_chars: int
    sources: tuple[tuple[str, int], ...]  # (source key, characters copied from it), most first
    paragraphs: tuple[Paragraph, ...]
    spans: tuple[Span, ...]
    placeholders: tuple[Placeholder, ...]

    @property
    def rate(self) -> float:
        return self.copied_chars / self.chars if self.chars else 0.0

    def as_json(self, names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The check as the CLI prints it (``wenming report check --json``)."""
        names = names or {}
        return {
            "chars": self.chars,
            "copied_chars": self.copied_chars,
            "rate": round(self.rate, 4),
            "paragraphs": [
                {
                    "index": p.index,
                    "chars": p.chars,
                    "copied_chars": p.copied_chars,
                    "copied": p.copied,
                    "sources": [{"name": names.get(k, k), "chars": c} for k, c in p.sources],
                }
                for p in self.paragraphs
            ],
            "placeholders": [
                {"kind": h.kind, "text": h.text, "offset": h.offset, "paragraph": h.paragraph}
                for h in self.placeholders
            ],
        }


_LINE = re.compile(r"[^\r\n]+")


def paragraphs_of(text: str) -> list[tuple[int, int, int]]:
    """(index, start, end) of each paragraph: lines split on line breaks, empty ones skipped."""
    out: list[tuple[int, int, int]] = []
    for m in _LINE.finditer(text):
        if m.group(0).strip():
            out.append((len(out) + 1, m.start(), m.end()))
    return out


def _runs(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Chains of (text position, source position) pairs advancing together."""
    pairs.sort()
    runs: list[list[tuple[int, int]]] = []
    active: list[list[tuple[int, int]]] = []
    for p, q in pairs:
        active = [r for r in active if p - r[-1][0] <= GAP]
        best: list[tuple[int, int]] | None = None
        best_drift = DRIFT + 1
        for run in active:
            lp, lq = run[-1]
            if p <= lp or q <= lq:
                continue
            drift = abs((q - lq) - (p - lp))
            if q - lq <= GAP + DRIFT and drift < best_drift:
                best, best_drift = run, drift
        if best is None:
            best = []
            runs.append(best)
            active.append(best)
        best.append((p, q))
    return runs


def source_spans(
    query: Fingerprinted, source: Source, *, common: frozenset[int] = frozenset()
) -> list[Span]:
    """The copied runs of ``query`` found in ``source``."""
    where: dict[int, list[int]] = {}
    for h, p in zip(query.hashes, query.positions, strict=True):
        if h not in common:
            where.setdefault(h, []).append(p)
    pairs: list[tuple[int, int]] = []
    for h, q in zip(source.hashes, source.positions, strict=True):
        found = where.get(h)
        if found:
            pairs.extend((p, q) for p in found[:MAX_PAIRS_PER_HASH])
    spans: list[Span] = []
    for run in _runs(pairs):
        start, end = run[0][0], run[-1][0] + KGRAM
        if end - start >= MIN_RUN:
            spans.append(Span(source.key, start, end, run[0][1], run[-1][1] + KGRAM))
    return spans


def compare(
    query: Fingerprinted, sources: Iterable[Source], *, common: frozenset[int] = frozenset()
) -> CheckResult:
    """How much of ``query`` is copied from each of ``sources``; ``common`` are hashes too
    frequent in the library to mean anything (left out)."""
    n = query.length
    union = bytearray(n)
    per_source: dict[str, bytearray] = {}
    spans: list[Span] = []
    for source in sources:
        found = source_spans(query, source, common=common)
        if not found:
            continue
        cover = per_source.setdefault(source.key, bytearray(n))
        for span in found:
            a, b = query.norm_span(span.start, span.end)
            cover[a:b] = b"\x01" * (b - a)
            union[a:b] = b"\x01" * (b - a)
        spans.extend(found)
    totals = {key: sum(cover) for key, cover in per_source.items()}
    offsets = query.norm.offsets
    paragraphs: list[Paragraph] = []
    for index, start, end in paragraphs_of(query.text):
        a, b = bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)
        shares = sorted(
            ((key, c) for key, cover in per_source.items() if (c := sum(cover[a:b]))),
            key=lambda item: (-item[1], item[0]),
        )
        chars = b - a
        top = shares[0][1] if shares else 0
        paragraphs.append(
            Paragraph(
                index=index,
                start=start,
                end=end,
                chars=chars,
                copied_chars=sum(union[a:b]),
                copied=chars > 0 and top > COPIED_PARAGRAPH * chars,
                sources=tuple(shares),
            )
        )
    spans.sort(key=lambda s: (s.start, s.source))
    return CheckResult(
        chars=n,
        copied_chars=sum(union),
        sources=tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0]))),
        paragraphs=tuple(paragraphs),
        spans=tuple(spans),
        placeholders=tuple(placeholders_in(query.text)),
    )
