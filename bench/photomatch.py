"""Benchmark: finding a reused photo among 1,000,000 stored perceptual hashes.

Run:  .venv/bin/python bench/photomatch.py [--photos 1000000] [--queries 1000]

Stores random 64-bit hashes (photos' pHashes are spread like random ones for different photos)
and looks up queries: half are stored hashes with up to 8 bits flipped (a resized, recompressed
or cropped copy), half are new photos. Prints, for ``PhotoIndex`` (the product's: one vectorised
XOR + popcount pass) and ``BandIndex`` (multi-index hashing on 9 bands), the build time, p50/p95
of a lookup and recall on the planted copies; the floor is a bare numpy pass without sorting or
ids. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wenming.core.photomatch import BandIndex, PhotoIndex, unsigned


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(3)
    stored = [rng.getrandbits(64) - (1 << 63) for _ in range(args.photos)]
    queries = []
    for n in range(args.queries):
        if n % 2 == 0:
            target = rng.randrange(args.photos)
            value = unsigned(stored[target])
            for bit in rng.sample(range(64), rng.randint(0, 8)):
                value ^= 1 << bit
            queries.append((target, value))
        else:
            queries.append((-1, rng.getrandbits(64)))
    for kind in (PhotoIndex, BandIndex):
        start = time.perf_counter()
        index = kind(stored, list(range(args.photos)))
        built = time.perf_counter() - start
        times: list[float] = []
        hits = planted = 0
        for target, value in queries:
            t = time.perf_counter()
            found = index.near(value)
            times.append((time.perf_counter() - t) * 1000)
            if target >= 0:
                planted += 1
                hits += any(i == target for i, _ in found)
        times.sort()
        print(
            f"{kind.__name__} of {args.photos} hashes (built in {built:.1f} s): lookup "
            f"p50 {statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms; "
            f"recall {hits}/{planted}"
        )
    floor: list[float] = []
    for _ in range(20):
        probe = np.uint64(rng.getrandbits(64))
        t = time.perf_counter()
        np.flatnonzero(np.bitwise_count(index.hashes ^ probe) <= 8)
        floor.append((time.perf_counter() - t) * 1000)
    print(f"floor (a bare numpy pass over all hashes): p50 {statistics.median(floor):.2f} ms")


if __name__ == "__main__":
    main()
