"""Benchmark: material review (wenming.core.copycheck) — checking a report against a large index.

Run:  .venv/bin/python bench/copycheck.py [--reports 100000] [--queries 200] [--pg-reports 20000]
          [--no-memory] [--reuse]   (--reuse: check against the PostgreSQL store a former run left)

Generates a corpus of reports (deterministic: report i is rebuilt from its number), indexes it
and prints, beside a floor measured in the same run (fingerprinting the query alone):

- indexing rate (normalise + hash + winnow + add, one core) and index size;
- check p50/p95 of a 5,000-character report against the in-memory index (fingerprinting
  included), and against the PostgreSQL-stored index when ``DATABASE_URL`` is a PostgreSQL
  scratch database (``--pg-reports`` of them stored as ``wenming.review.store`` stores them,
  the inverted index with COPY; the review tables are emptied), with the store's size;
- recall on planted copies (half of a report copied verbatim, the same lightly edited, the same
  in Traditional script) and false positives (fresh reports, reports sharing only stock phrases):
  a copy is found when its source is named with at least 60 % of the planted characters; a
  false positive is a fresh report scoring 5 % or more.

Not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wenming.core.copycheck import Fingerprinted, fingerprint  # noqa: E402
from wenming.core.copycheck.compare import compare  # noqa: E402
from wenming.core.copycheck.index import MemoryIndex  # noqa: E402
from wenming.core.copycheck.phrases import PHRASES_FILE  # noqa: E402

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机"
    "当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心"
    "反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程"
    "展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期"
    "根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志"
    "世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每"
    "目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律"
)
PUNCT = "，，，。；、"
REPORT_CHARS = 5000


def vocabulary(size: int = 6000) -> list[str]:
    rng = random.Random(7)
    return [
        "".join(rng.choice(CHARS) for _ in range(rng.choice((2, 2, 2, 3, 4)))) for _ in range(size)
    ]


VOCAB = vocabulary()
WEIGHTS = [1 / (rank + 10) for rank in range(len(VOCAB))]  # Zipf-like: common words recur


def report(number: int, chars: int = REPORT_CHARS) -> str:
    """Report ``number`` of the corpus (the same text every time)."""
    rng = random.Random(number * 7919 + 1)
    words = rng.choices(VOCAB, WEIGHTS, k=chars)
    out: list[str] = []
    length = 0
    sentence = 0
    for word in words:
        out.append(word)
        length += len(word)
        sentence += len(word)
        if sentence > rng.randint(12, 30):
            out.append(rng.choice(PUNCT))
            if rng.random() < 0.12:
                out.append("\n")
            sentence = 0
        if length >= chars:
            break
    return "".join(out)


def stock_phrases() -> list[str]:
    lines = PHRASES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def planted(kind: str, source: str, fresh: str, rng: random.Random) -> tuple[str, int]:
    """A report with half its paragraphs taken from ``source``; returns it and the characters
    planted."""
    import opencc

    theirs = source.splitlines()
    mine = fresh.splitlines()
    taken = theirs[: max(1, len(theirs) // 2)]
    if kind == "edited":
        taken = [
            "".join(
                rng.choice(CHARS) if i % 20 == 19 and ch not in PUNCT else ch
                for i, ch in enumerate(line)
            )
            for line in taken
        ]
    elif kind == "traditional":
        converter = opencc.OpenCC("s2t")
        taken = [converter.convert(line) for line in taken]
    text = "\n".join(taken + mine[len(taken) :])
    return text, sum(len(line) for line in taken)


def with_stock(fresh: str, rng: random.Random, phrases: list[str]) -> str:
    lines = fresh.splitlines()
    return "\n".join(f"{rng.choice(phrases)}，{line}{rng.choice(phrases)}。" for line in lines)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def build_index(reports: int) -> tuple[MemoryIndex, float]:
    """The in-memory index of the corpus and the seconds spent indexing (normalising, hashing,
    winnowing and adding); writing the synthetic reports themselves is not counted (in the
    product the text arrives), but shown beside it."""
    index = MemoryIndex()
    start = time.perf_counter()
    indexing = 0.0
    for number in range(reports):
        text = report(number)
        began = time.perf_counter()
        index.add_fingerprinted(str(number), fingerprint(text))
        indexing += time.perf_counter() - began
        if number and number % 10000 == 0:
            rate = number / indexing
            whole = number / (time.perf_counter() - start)
            print(
                f"  … {number} reports indexed ({rate:.0f}/s; {whole:.0f}/s with writing them)",
                file=sys.stderr,
            )
    index.freeze()
    return index, indexing


def queries(reports: int, count: int) -> list[tuple[str, str, str, int]]:
    """(kind, text, source key or "", planted characters)."""
    rng = random.Random(11)
    phrases = stock_phrases()
    out: list[tuple[str, str, str, int]] = []
    kinds = ["verbatim", "edited", "traditional", "fresh", "stock"]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        fresh = report(10_000_000 + n)
        if kind in ("verbatim", "edited", "traditional"):
            source = rng.randrange(reports)
            text, chars = planted(kind, report(source), fresh, rng)
            out.append((kind, text, str(source), chars))
        elif kind == "stock":
            out.append((kind, with_stock(fresh, rng, phrases), "", 0))
        else:
            out.append((kind, fresh, "", 0))
    return out


def score(
    name: str, check: Callable[[Fingerprinted], object], qs: list[tuple[str, str, str, int]]
) -> None:
    times: list[float] = []
    floor: list[float] = []
    found: dict[str, list[bool]] = {}
    for kind, text, source, chars in qs:
        floor.append(timed(lambda text=text: fingerprint(text)))  # type: ignore[misc]
        start = time.perf_counter()
        fp = fingerprint(text)
        result = check(fp)
        times.append((time.perf_counter() - start) * 1000)
        shares = dict(result.sources)  # type: ignore[attr-defined]
        if source:
            found.setdefault(kind, []).append(shares.get(source, 0) >= 0.6 * chars)
        else:
            found.setdefault(kind, []).append(result.rate >= 0.05)  # type: ignore[attr-defined]
    print(
        f"{name}: check p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms "
        f"(floor, fingerprinting the report alone: p95 {percentile(floor, 0.95):.1f} ms)"
    )
    for kind, hits in found.items():
        what = "recall" if kind in ("verbatim", "edited", "traditional") else "false positives"
        print(f"  {kind:<12} {what}: {sum(hits)}/{len(hits)} ({sum(hits) / len(hits):.0%})")


def _store(reports: int, keys: dict[int, str]) -> None:
    """Store ``reports`` reports as the product stores them (the inverted index with COPY)."""
    from django.db import connection

    from wenming.review.models import ReviewedText
    from wenming.review.store import folded, packed

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE review_fingerprint, review_check, review_verdict, review_reviewedtext CASCADE"
        )
    start = time.perf_counter()
    raw = connection.connection
    assert raw is not None
    batch = 1000
    for first in range(0, reports, batch):
        numbers = range(first, min(first + batch, reports))
        prints = [folded(fingerprint(report(number))) for number in numbers]
        texts = ReviewedText.objects.bulk_create(
            [
                ReviewedText(
                    kind="library", name=str(n), text="", chars=REPORT_CHARS, prints=packed(fp)
                )
                for n, fp in zip(numbers, prints, strict=True)
            ]
        )
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY review_fingerprint (hash, text_id) FROM STDIN") as copy,
        ):
            for n, fp, row in zip(numbers, prints, texts, strict=True):
                keys[row.pk] = str(n)
                for h in sorted(set(fp.hashes)):
                    copy.write_row((h, row.pk))
        if first and first % 10_000 == 0:
            print(f"  stored {first} reports in {time.perf_counter() - start:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE review_fingerprint")
        cursor.execute("VACUUM ANALYZE review_reviewedtext")
    print(f"PostgreSQL: {reports} reports stored in {time.perf_counter() - start:.0f} s")


def postgres(reports: int, qs: list[tuple[str, str, str, int]], *, reuse: bool = False) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("PostgreSQL: skipped (set DATABASE_URL to a PostgreSQL scratch database)")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from wenming.review.models import ReviewedText
    from wenming.review.store import candidates, folded

    call_command("migrate", verbosity=0)
    keys: dict[int, str] = {}
    if reuse:  # the store of an earlier run with as many reports: only the checks again
        keys = dict(ReviewedText.objects.values_list("pk", "name"))
        if len(keys) != reports:
            sys.exit(f"--reuse: the database holds {len(keys)} reports, not {reports}")
    else:
        _store(reports, keys)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('review_fingerprint')")
        index_size = cursor.fetchone()[0]
        cursor.execute("SELECT pg_total_relation_size('review_reviewedtext')")
        rows_size = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM review_fingerprint")
        postings = cursor.fetchone()[0]
    size = index_size + rows_size
    print(
        f"PostgreSQL, {reports} reports: inverted index (hash, text) {postings} rows, "
        f"{index_size / 2**20:.0f} MiB with its primary key; text rows with the packed prints "
        f"{rows_size / 2**20:.0f} MiB; together {size / 2**20:.0f} MiB "
        f"({size / reports / 1024:.1f} KiB a report)"
    )

    def check(fp: Fingerprinted) -> object:
        small = folded(fp)
        result = compare(small, candidates(small))
        return dataclasses.replace(
            result, sources=tuple((keys[int(k)], c) for k, c in result.sources)
        )

    score(
        f"PostgreSQL index of {reports}", check, [q for q in qs if not q[2] or int(q[2]) < reports]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pg-reports", type=int, default=20_000)
    parser.add_argument(
        "--reuse", action="store_true", help="check against the PostgreSQL store of a former run"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the in-memory index")
    args = parser.parse_args()
    if not args.no_memory:
        memory(args.reports, args.queries)
    if args.pg_reports:
        pg_qs = queries(args.pg_reports, args.queries)
        postgres(args.pg_reports, pg_qs, reuse=args.reuse)


def memory(reports: int, count: int) -> None:
    index, seconds = build_index(reports)
    size = index.size()
    print(
        f"indexed {reports} reports of {REPORT_CHARS} characters in {seconds:.0f} s of indexing: "
        f"{reports / seconds:.0f} reports/s on one core; {size.hashes} kept hashes, "
        f"{size.bytes / 2**20:.0f} MiB ({size.bytes / reports / 1024:.1f} KiB a report)"
    )
    score(f"in-memory index of {reports}", index.check, queries(reports, count))


if __name__ == "__main__":
    main()
