"""Photos reused across activities, units or years: perceptual hashes and a fast near-match index.

A photo's 64-bit perceptual hash (pHash, from imagehash) changes by a few bits when the photo is
resized, recompressed or slightly cropped, and by about half its bits for another photo. Two
photos "match" when their hashes differ in at most ``MAX_DISTANCE`` bits.

``PhotoIndex`` finds every stored hash within that distance with one vectorised pass: XOR with
the query and a population count over a contiguous array of 64-bit hashes (8 MB for a million
photos, about 1–3 ms on one core). We measured multi-index hashing (the 64 bits cut into 9 bands
so that a match within 8 bits agrees on one band) first: bands of 7 bits hold ~7,800 hashes each
at a million photos, and gathering ~70,000 candidates was slower than the full pass
(``bench/photomatch.py`` prints both). A BK-tree in Python would be slower still.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import imagehash
import numpy as np
import numpy.typing as npt
from PIL import Image

MAX_DISTANCE = 8
BANDS = MAX_DISTANCE + 1
_WIDTHS = [64 // BANDS + (1 if i < 64 % BANDS else 0) for i in range(BANDS)]
_SHIFTS = [sum(_WIDTHS[i + 1 :]) for i in range(BANDS)]
EXIF_DATE_TAGS = (36867, 36868, 306)  # DateTimeOriginal, DateTimeDigitized, DateTime
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class PhotoPrint:
    hash: int  # unsigned 64-bit pHash
    taken: date | None  # the EXIF date the camera wrote, if any


def signed(value: int) -> int:
    """The unsigned 64-bit hash as a signed one (a database bigint), and back with ``unsigned``."""
    return value - (1 << 64) if value >= 1 << 63 else value


def unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def distance(a: int, b: int) -> int:
    return (unsigned(a) ^ unsigned(b)).bit_count()


def _exif_date(image: Image.Image) -> date | None:
    try:
        exif = image.getexif()
        values = [exif.get(tag) for tag in EXIF_DATE_TAGS[2:]]
        values = [exif.get_ifd(0x8769).get(tag) for tag in EXIF_DATE_TAGS[:2]] + values
    except Exception:  # a broken EXIF block is no date, not a failure
        return None
    for value in values:
        if isinstance(value, str):
            try:
                return datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
            except ValueError:
                continue
    return None


def photo_print(content: bytes) -> PhotoPrint | None:
    """The perceptual hash and EXIF date of an image (None when it is not a readable image)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            taken = _exif_date(image)
            value = int(str(imagehash.phash(image)), 16)
    except Exception:  # Pillow raises many kinds for a broken or hostile image
        return None
    return PhotoPrint(value, taken)


class PhotoIndex:
    """Stored hashes (signed or unsigned 64-bit) with ids; ``near(hash)`` → ids within
    MAX_DISTANCE bits, nearest first."""

    def __init__(self, hashes: Sequence[int], ids: Sequence[int]) -> None:
        self.hashes = np.asarray([unsigned(h) for h in hashes], dtype=np.uint64)
        self.ids = np.asarray(ids, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.hashes)

    def near(self, value: int, *, max_distance: int = MAX_DISTANCE) -> list[tuple[int, int]]:
        """(id, distance) of every stored hash within ``max_distance`` bits, nearest first."""
        bits = np.bitwise_count(self.hashes ^ np.uint64(unsigned(value)))
        rows = np.flatnonzero(bits <= max_distance)
        pairs = sorted(
            zip(self.ids[rows].tolist(), bits[rows].tolist(), strict=True),
            key=lambda pair: (pair[1], pair[0]),
        )
        return [(int(i), int(d)) for i, d in pairs]


class BandIndex(PhotoIndex):
    """Multi-index hashing (kept for the benchmark's comparison): the same answers as
    ``PhotoIndex``, looking up each of ``BANDS`` bands in a sorted array first."""

    def __init__(self, hashes: Sequence[int], ids: Sequence[int]) -> None:
        super().__init__(hashes, ids)
        self._bands: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]] = []
        for width, shift in zip(_WIDTHS, _SHIFTS, strict=True):
            values = (self.hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
            order = np.argsort(values, kind="stable")
            self._bands.append((values[order], order.astype(np.int64)))

    def near(self, value: int, *, max_distance: int = MAX_DISTANCE) -> list[tuple[int, int]]:
        value = unsigned(value)
        found: list[npt.NDArray[np.int64]] = []
        for (values, order), width, shift in zip(self._bands, _WIDTHS, _SHIFTS, strict=True):
            band = np.uint64((value >> shift) & ((1 << width) - 1))
            lo = np.searchsorted(values, band, side="left")
            hi = np.searchsorted(values, band, side="right")
            if hi > lo:
                found.append(order[lo:hi])
        if not found:
            return []
        rows = np.unique(np.concatenate(found))
        bits = np.bitwise_count(self.hashes[rows] ^ np.uint64(value))
        keep = bits <= max_distance
        pairs = sorted(
            zip(self.ids[rows][keep].tolist(), bits[keep].tolist(), strict=True),
            key=lambda pair: (pair[1], pair[0]),
        )
        return [(int(i), int(d)) for i, d in pairs]
