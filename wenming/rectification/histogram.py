"""Close-time histograms as stored in ``Tally.days``: how many problems took 0, 1, 2 … whole
days to close, one little-endian uint32 per day (dense: a year of days is 1.5 KB).

The exact 90th percentile of any set of tally rows is read from the sum of their histograms."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import zip_longest

BIG_ENDIAN = sys.byteorder == "big"


def decode(blob: bytes | memoryview | None) -> array[int]:
    counts = array("I")
    if blob:
        counts.frombytes(bytes(blob))
        if BIG_ENDIAN:
            counts.byteswap()
    return counts


def encode(counts: Sequence[int]) -> bytes:
    stored = array("I", counts)
    while stored and stored[-1] == 0:
        stored.pop()
    if BIG_ENDIAN:
        stored.byteswap()
    return stored.tobytes()


def add_one(blob: bytes | memoryview | None, days: int, step: int = 1) -> bytes:
    """The histogram with ``step`` more problems that took ``days`` days."""
    counts = decode(blob)
    if days >= len(counts):
        counts.extend([0] * (days + 1 - len(counts)))
    counts[days] += step
    return encode(counts)


def from_counts(by_days: dict[int, int]) -> bytes:
    counts = [0] * (max(by_days, default=-1) + 1)
    for d, n in by_days.items():
        counts[d] += n
    return encode(counts)


def total(histograms: Iterable[Sequence[int]]) -> list[int]:
    """The element-wise sum."""
    parts = [h for h in histograms if h]
    if not parts:
        return []
    if len(parts) == 1:
        return list(parts[0])
    return list(map(sum, zip_longest(*parts, fillvalue=0)))


def difference(whole: Sequence[int], part: Sequence[int]) -> list[int]:
    """``whole`` minus ``part`` (``part`` counted within ``whole``)."""
    rest = [max(a - b, 0) for a, b in zip_longest(whole, part[: len(whole)], fillvalue=0)]
    while rest and rest[-1] == 0:
        rest.pop()
    return rest


def nearest_rank(counts: Sequence[int], percent: int) -> int | None:
    """The smallest d with at least ``percent``% of the counted problems taking ≤ d days."""
    n = sum(counts)
    if not n:
        return None
    rank = -(-n * percent // 100)  # ceil, in integers
    seen = 0
    for days, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return days
    raise AssertionError("unreachable")
