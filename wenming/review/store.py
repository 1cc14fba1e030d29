"""The stored index of fingerprints (PostgreSQL or SQLite), kept small.

A text's kept hashes are folded to 32 bits and stored twice, each time compactly:

- packed with their positions in the text's row (``ReviewedText.prints``: two little-endian
  4-byte arrays, 8 bytes a kept hash);
- in the inverted index ``Fingerprint`` as (hash, text) only, once per distinct hash: the
  primary key is the one index, so a lookup reads the index alone.

A check looks up the text's distinct hashes (one query a chunk), counts shared hashes per text,
leaves out hashes held by a large share of the texts (as ``MemoryIndex`` does), and reads the
packed prints of the best candidates only, for ``compare``. Folding to 32 bits makes a few
chance matches of single hashes; a copied passage needs a run of matches advancing together on
both sides, so they do not count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from wenming.core.copycheck import Fingerprinted, Source
from wenming.core.copycheck.index import CANDIDATES, COMMON_MIN_DOCS, COMMON_SHARE, MIN_SHARED
from wenming.review.models import Fingerprint, ReviewedText

IN_CHUNK = 900  # hashes per query (below SQLite's variable limit; keeps plans small)
HALF = 1 << 31


def folded(fp: Fingerprinted) -> Fingerprinted:
    """``fp`` with its 63-bit hashes folded to signed 32-bit ones (the top bits)."""
    wide = np.asarray(fp.hashes, dtype=np.uint64) >> np.uint64(31)
    narrow = (wide.astype(np.int64) - HALF).astype(np.int32)
    return dataclasses.replace(fp, hashes=tuple(narrow.tolist()))


def packed(fp: Fingerprinted) -> bytes:
    """The folded hashes and their positions of ``fp`` (already folded) as bytes."""
    hashes = np.asarray(fp.hashes, dtype="<i4")
    positions = np.asarray(fp.positions, dtype="<u4")
    return hashes.tobytes() + positions.tobytes()


def unpacked(prints: bytes | memoryview) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32]]:
    data = bytes(prints)
    n = len(data) // 8
    return (
        np.frombuffer(data, dtype="<i4", count=n),
        np.frombuffer(data, dtype="<u4", count=n, offset=4 * n),
    )


def store(row: ReviewedText, fp: Fingerprinted) -> Fingerprinted:
    """Store the text's fingerprints (replacing any it had); returns ``fp`` folded."""
    unstore([row])
    small = folded(fp)
    row.prints = packed(small)
    ReviewedText.objects.filter(pk=row.pk).update(prints=row.prints)
    Fingerprint.objects.bulk_create(
        [Fingerprint(hash=h, text_id=row.pk) for h in sorted(set(small.hashes))],
        batch_size=2000,
    )
    return small


def unstore(rows: Iterable[ReviewedText]) -> None:
    """Delete the inverted index's rows of these texts (found by their own hashes)."""
    for row in rows:
        if not row.prints:
            continue
        hashes = sorted(set(unpacked(row.prints)[0].tolist()))
        for i in range(0, len(hashes), IN_CHUNK):
            Fingerprint.objects.filter(text_id=row.pk, hash__in=hashes[i : i + IN_CHUNK]).delete()


@receiver(pre_delete, sender=ReviewedText)
def _text_deleted(sender: type[ReviewedText], instance: ReviewedText, **kwargs: object) -> None:
    unstore([instance])


def _postings(query: list[int]) -> list[tuple[int, int]]:
    """(hash, text) of every stored text holding one of the hashes: on PostgreSQL one query
    with the hashes as one array parameter (an index-only scan of the primary key), elsewhere
    in chunks."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT hash, text_id FROM {Fingerprint._meta.db_table} WHERE hash = ANY(%s)",
                [query],
            )
            rows: list[tuple[int, int]] = cursor.fetchall()
            return rows
    found: list[tuple[int, int]] = []
    for i in range(0, len(query), IN_CHUNK):
        found.extend(
            Fingerprint.objects.filter(hash__in=query[i : i + IN_CHUNK]).values_list(
                "hash", "text_id"
            )
        )
    return found


def candidates(
    fp: Fingerprinted, *, exclude: Iterable[int] = (), limit: int = CANDIDATES
) -> list[Source]:
    """The stored texts sharing most kept hashes with ``fp`` (folded), each as a ``Source``
    holding the shared hashes only, by the rules of ``MemoryIndex.candidates``."""
    query = sorted(set(fp.hashes))
    if not query:
        return []
    found = _postings(query)
    if not found:
        return []
    pairs = np.asarray(found, dtype=np.int64)
    hashes, texts = pairs[:, 0], pairs[:, 1]
    documents = ReviewedText.objects.count()
    common_limit = max(COMMON_MIN_DOCS, int(COMMON_SHARE * documents))
    distinct, inverse, holders = np.unique(hashes, return_inverse=True, return_counts=True)
    keep = holders[inverse] <= common_limit
    excluded = np.asarray(sorted(set(exclude)), dtype=np.int64)
    if len(excluded):
        keep &= ~np.isin(texts, excluded)
    texts = texts[keep]
    if not len(texts):
        return []
    kept_hashes = distinct[holders <= common_limit]
    ids, shared = np.unique(texts, return_counts=True)
    order = np.lexsort((ids, -shared))[:limit]
    best = [int(ids[i]) for i in order if shared[i] >= MIN_SHARED]
    prints = dict(ReviewedText.objects.filter(pk__in=best).values_list("pk", "prints"))
    out: list[Source] = []
    for pk in best:
        if pk not in prints:
            continue  # deleted meanwhile
        hs, ps = unpacked(prints[pk])
        mine = np.isin(hs, kept_hashes)
        out.append(Source(str(pk), hs[mine].tolist(), ps[mine].tolist()))
    return out
