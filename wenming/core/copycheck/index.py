"""An in-memory inverted index of fingerprints: hash → (document, position).

Built for many sources at once (a reference library, a campaign's reports): documents are
added, the index is frozen into three sorted numpy arrays (hash, document, position; 16 bytes a
kept hash), and a check looks each of the text's hashes up with a binary search, counts shared
hashes per document, and compares the text in detail (``compare``) with the best candidates
only. Hashes found in a large share of the documents are phrases everyone writes (or the
template every unit was given) and are left out, as the stock-phrase list is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wenming.core.copycheck.compare import CheckResult, Source, compare
from wenming.core.copycheck.winnow import Fingerprinted

COMMON_SHARE = 0.1  # a hash in more than this share of the documents is left out …
COMMON_MIN_DOCS = 5  # … once it is in more than this many
MIN_SHARED = 3  # a document sharing fewer kept hashes is not compared in detail
CANDIDATES = 20  # documents compared in detail, most shared hashes first


@dataclass(frozen=True)
class IndexSize:
    documents: int
    hashes: int
    bytes: int


class MemoryIndex:
    """Add documents with ``add``, then ``freeze`` once, then ``check`` as often as needed."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._hashes: list[npt.NDArray[np.uint64]] = []
        self._positions: list[npt.NDArray[np.uint32]] = []
        self._hash = np.zeros(0, dtype=np.uint64)
        self._doc = np.zeros(0, dtype=np.uint32)
        self._pos = np.zeros(0, dtype=np.uint32)
        self._frozen = False

    def add(self, key: str, hashes: Sequence[int], positions: Sequence[int]) -> int:
        """Add a document's kept hashes; returns its number in the index."""
        if self._frozen:
            raise RuntimeError("index already frozen")
        number = len(self.keys)
        self.keys.append(key)
        self._hashes.append(np.asarray(hashes, dtype=np.uint64))
        self._positions.append(np.asarray(positions, dtype=np.uint32))
        return number

    def add_fingerprinted(self, key: str, fp: Fingerprinted) -> int:
        return self.add(key, fp.hashes, fp.positions)

    def freeze(self) -> None:
        """Sort the postings by hash (after this, ``add`` is refused)."""
        if self._hashes:
            hashes = np.concatenate(self._hashes)
            docs = np.repeat(
                np.arange(len(self._hashes), dtype=np.uint32),
                [len(h) for h in self._hashes],
            )
            positions = np.concatenate(self._positions)
            order = np.argsort(hashes, kind="stable")
            self._hash, self._doc, self._pos = hashes[order], docs[order], positions[order]
        self._hashes, self._positions = [], []
        self._frozen = True

    def size(self) -> IndexSize:
        return IndexSize(
            documents=len(self.keys),
            hashes=len(self._hash),
            bytes=self._hash.nbytes + self._doc.nbytes + self._pos.nbytes,
        )

    def _common_limit(self) -> int:
        return max(COMMON_MIN_DOCS, int(COMMON_SHARE * len(self.keys)))

    def candidates(self, fp: Fingerprinted, *, limit: int = CANDIDATES) -> list[Source]:
        """The documents sharing most kept hashes with ``fp``, each as a ``Source`` holding only
        the shared hashes (all that ``compare`` needs)."""
        if not self._frozen:
            self.freeze()
        if not fp.hashes or not len(self._hash):
            return []
        query = np.unique(np.asarray(fp.hashes, dtype=np.uint64))
        lo = np.searchsorted(self._hash, query, side="left")
        hi = np.searchsorted(self._hash, query, side="right")
        counts = hi - lo
        keep = (counts > 0) & (counts <= self._common_limit())
        lo, counts = lo[keep], counts[keep]
        if not len(lo):
            return []
        # every posting index of the kept hashes: lo[i], lo[i]+1, … lo[i]+counts[i]-1
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        postings = starts + np.arange(int(counts.sum()))
        docs = self._doc[postings]
        shared = np.bincount(docs)
        order = np.argsort(-shared, kind="stable")[:limit]
        out: list[Source] = []
        for doc in order:
            if shared[doc] < MIN_SHARED:
                break
            mine = postings[docs == doc]
            out.append(
                Source(
                    self.keys[int(doc)],
                    self._hash[mine].tolist(),
                    self._pos[mine].tolist(),
                )
            )
        return out

    def check(self, fp: Fingerprinted, *, limit: int = CANDIDATES) -> CheckResult:
        """``fp`` compared with the documents of the index most like it."""
        return compare(fp, self.candidates(fp, limit=limit))


def sources_from_postings(
    postings: Sequence[tuple[str, int, int]],
    *,
    documents: int,
    limit: int = CANDIDATES,
) -> list[Source]:
    """The candidates among postings (document key, hash, position) fetched from a stored index
    for a text's hashes, by the same rules as ``MemoryIndex.candidates``: hashes in more than
    a share of the ``documents`` are left out, the documents sharing most hashes come first."""
    holders: dict[int, set[str]] = {}
    for key, h, _ in postings:
        holders.setdefault(h, set()).add(key)
    limit_docs = max(COMMON_MIN_DOCS, int(COMMON_SHARE * documents))
    kept: dict[str, tuple[list[int], list[int]]] = {}
    for key, h, position in postings:
        if len(holders[h]) > limit_docs:
            continue
        hashes, positions = kept.setdefault(key, ([], []))
        hashes.append(h)
        positions.append(position)
    ranked = sorted(kept.items(), key=lambda item: (-len(set(item[1][0])), item[0]))
    return [
        Source(key, hashes, positions)
        for key, (hashes, positions) in ranked[:limit]
        if len(set(hashes)) >= MIN_SHARED
    ]
