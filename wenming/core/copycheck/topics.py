"""Report sections that say nothing of their indicator's area (离题).

An area is a first-level indicator. Its key terms are the two-character words (character
bigrams) of the names of the indicator and every indicator under it, less the stock words of
``topic_stock_words.txt`` (data: 工作, 建设, 管理 …) and less the bigrams found in the names of
more than half of the areas (they name no one area). A section is about an area when its heading
names it; it is off its area when its text (Traditional script read as Simplified, widths and
punctuation ignored) holds none of the area's key terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wenming.core.copycheck.normalise import normalise

STOCK_WORDS = Path(__file__).with_name("topic_stock_words.txt")
HAN = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    terms: frozenset[str]


@dataclass(frozen=True)
class OffTopic:
    index: int  # the section's position in the sequence given
    heading: str
    area: Area


@cache
def stock_words(path: Path = STOCK_WORDS) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(normalise(line).chars)
    return frozenset(words)


def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in HAN.findall(normalise(text).chars):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def areas_of(
    names: Sequence[tuple[str, str, Iterable[str]]], stock: frozenset[str] | None = None
) -> list[Area]:
    """Areas from (code, name, names of every indicator under it), with their key terms."""
    stock = stock_words() if stock is None else stock
    stock_grams = set().union(*(_bigrams(w) for w in stock)) if stock else set()
    grams = [
        set().union(*(_bigrams(n) for n in [name, *below])) - stock_grams
        for _, name, below in names
    ]
    held: dict[str, int] = {}
    for found in grams:
        for g in found:
            held[g] = held.get(g, 0) + 1
    limit = max(1, len(names) // 2)
    return [
        Area(code, name, frozenset(g for g in found if held[g] <= limit))
        for (code, name, _), found in zip(names, grams, strict=True)
    ]


def area_named(heading: str, areas: Sequence[Area]) -> Area | None:
    """The area whose name the heading holds (the longest name when several do)."""
    plain = normalise(heading).chars
    named = [a for a in areas if a.name and normalise(a.name).chars in plain]
    return max(named, key=lambda a: len(a.name)) if named else None


def on_topic(text: str, area: Area) -> bool:
    plain = normalise(text).chars
    return any(term in plain for term in area.terms)


def off_topic(sections: Sequence[tuple[str, str]], areas: Sequence[Area]) -> list[OffTopic]:
    """The sections (heading, text) whose heading names an area and whose text, when there is
    any, mentions none of its key terms."""
    out: list[OffTopic] = []
    for index, (heading, text) in enumerate(sections):
        area = area_named(heading, areas)
        if area is None or not area.terms or not normalise(text).chars:
            continue
        if not on_topic(text, area):
            out.append(OffTopic(index, heading, area))
    return out
