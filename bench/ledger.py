"""Benchmark: the ledger at 5,000 records / 20,000 files, and the binder's throughput.

Run:  .venv/bin/python bench/ledger.py [--database sqlite|postgres] [--binder-mb 200]

1. Loads one unit with 5,000 activity records (each linked to two indicators) and 20,000
   attachments, then requests the ledger list and the per-indicator completeness view as the
   unit's filler, printing p50/p95.
2. Builds a binder of about --binder-mb MB of (incompressible) photos through the real job
   code, timed against two plain ``zipfile`` copies of the same files in the same run (each
   file once; each file once per linked indicator, as the binder holds them), interleaved,
   and prints the machine's load average, MB/s for each, the ratios (of the medians, and of
   each interleaved pair), and the build's peak Python memory (tracemalloc) and the process's
   peak RSS. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from common import OUT, ROOT, fresh_django


def setup(database: str) -> None:
    os.environ["WENMING_MEDIA_ROOT"] = str(OUT / "ledger-media")
    fresh_django(database, "wenming_bench_ledger")


def load(records: int, files: int) -> tuple[Any, Any, Any, Any]:
    from django.contrib.auth.models import User
    from django.db import connection

    from wenming.accounts.models import Role, RoleGrant
    from wenming.attachments.models import Attachment, StoredFile
    from wenming.core.credit_code import make_credit_code
    from wenming.core.formats import framework_load
    from wenming.frameworks.selectors import framework_of
    from wenming.frameworks.services import framework_import
    from wenming.ledger.models import Activity, ActivityIndicator
    from wenming.ledger.services import activity_types
    from wenming.organizations.models import RegionLevel, Unit, UnitType
    from wenming.organizations.services import region_upsert

    t0 = time.perf_counter()
    edition = framework_import(
        framework=framework_load(ROOT / "wenming" / "library" / "civilized-unit.yaml")
    )[0]
    region = region_upsert(code="440100", name="基准市", level=RegionLevel.CITY, parent=None)[0]
    unit = Unit.objects.create(
        name="基准单位",
        credit_code=make_credit_code(serial=1),
        region=region,
        unit_type=UnitType.objects.create(name="机关"),
    )
    user = User.objects.create_user("bench_filler")
    RoleGrant.objects.create(user=user, role=Role.UNIT_FILLER, unit=unit)
    kinds = activity_types()
    leaves = [n.code for n in framework_of(edition).leaves(bonus=False)]
    rng = random.Random(5)
    start = date(2026, 1, 1)
    Activity.objects.bulk_create(
        [
            Activity(
                unit=unit,
                activity_type=rng.choice(kinds),
                title=f"活动记录{i}",
                day=start + timedelta(days=i % 300),
                participants=rng.randint(5, 80),
                created_by=user,
                photo_count=4,
                file_count=4,
            )
            for i in range(records)
        ],
        batch_size=2000,
    )
    ids = list(Activity.objects.filter(unit=unit).values_list("pk", flat=True))
    ActivityIndicator.objects.bulk_create(
        [
            ActivityIndicator(activity_id=a, edition=edition, code=c, unit=unit)
            for a in ids
            for c in rng.sample(leaves, 2)
        ],
        batch_size=5000,
    )
    stored = StoredFile.objects.bulk_create(
        [
            StoredFile(
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                size=1000,
                kind="image",
                mime="image/jpeg",
            )
            for i in range(files)
        ],
        batch_size=5000,
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                file=f,
                name=f"照片{i}.jpg",
                unit=unit,
                owner_type="ledger.activity",
                owner_id=str(ids[i % len(ids)]),
                uploaded_by=user,
            )
            for i, f in enumerate(stored)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded {records:,} records, {files:,} files in {time.perf_counter() - t0:.1f} s")
    return unit, user, edition, ids


def pages(unit: Any, user: Any, edition: Any, rounds: int) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    urls = {
        "ledger list, first page": f"/ledger/?unit={unit.pk}",
        "ledger list, page 50": f"/ledger/?unit={unit.pk}&page=50",
        "completeness per indicator": f"/ledger/evidence/?unit={unit.pk}&edition={edition.pk}",
    }
    for label, url in urls.items():
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        print(
            f"  {label:<30} p50 {statistics.median(times):6.1f} ms   p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms"
        )


def binder(unit: Any, user: Any, edition: Any, ids: list[int], megabytes: int, rounds: int) -> None:
    from wenming.attachments.models import Attachment, StoredFile
    from wenming.attachments.services import content_path
    from wenming.jobs.models import Job
    from wenming.jobs.services import HANDLERS

    Attachment.objects.all().delete()
    StoredFile.objects.all().delete()
    size = 512 * 1024
    count = megabytes * 1024 * 1024 // size
    paths = []
    for i in range(count):  # incompressible "photos", as real JPEGs are
        data = os.urandom(size)
        sha = hashlib.sha256(data).hexdigest()
        path = content_path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stored = StoredFile.objects.create(sha256=sha, size=size, kind="image", mime="image/jpeg")
        Attachment.objects.create(
            file=stored,
            name=f"现场照片{i}.jpg",
            unit=unit,
            owner_type="ledger.activity",
            owner_id=str(ids[i % 100]),
            uploaded_by=user,
        )
        paths.append(path)
    total_mb = sum(p.stat().st_size for p in paths) / 1e6
    job = Job.objects.create(
        kind="binder", label="基准", owner=user, unit=unit, params={"edition": edition.pk}
    )

    def quiet(done: int, total: int, message: str) -> None:
        pass

    t = time.perf_counter()
    HANDLERS["binder"](job, quiet).unlink()  # the first binder ever also caches the font subset
    first = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Two floors, both ``ZipFile.write`` of each file, stored, the straightforward way:
    # "once": every stored file once (210 MB for 200 MB of photos);
    # "as binder": every file once per indicator its record is linked to, under the binder's
    # folders: the same files and bytes the binder writes (it copies each file into every
    # indicator folder, as the inspectors expect, so its ZIP is twice the photos' size).
    # MB/s would only be comparable across the two volumes if the cost of writing were
    # linear in bytes; under memory or disk pressure it is not, so both are timed.
    from wenming.attachments.services import safe_name
    from wenming.ledger.models import ActivityIndicator

    codes: dict[int, list[str]] = {}
    for code, activity_id in ActivityIndicator.objects.filter(unit=unit).values_list(
        "code", "activity_id"
    ):
        codes.setdefault(activity_id, []).append(code)
    as_binder = [
        (content_path(sha), f"{code}/{owner}/{safe_name(name)}")
        for owner, name, sha in Attachment.objects.filter(unit=unit)
        .order_by("id")
        .values_list("owner_id", "name", "file__sha256")
        for code in codes[int(owner)]
    ]
    once = [(path, f"f{i}.jpg") for i, path in enumerate(paths)]
    as_binder_mb = sum(path.stat().st_size for path, _ in as_binder) / 1e6

    def plain_copy(entries: list[tuple[Path, str]]) -> float:
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            t = time.perf_counter()
            with zipfile.ZipFile(
                Path(tmp) / "plain.zip", "w", compression=zipfile.ZIP_STORED
            ) as archive:
                for path, arcname in entries:
                    archive.write(path, arcname)
            return time.perf_counter() - t

    binder_mb = 0.0

    def build() -> float:
        nonlocal binder_mb
        t = time.perf_counter()
        result = HANDLERS["binder"](job, quiet)
        elapsed = time.perf_counter() - t
        binder_mb = result.stat().st_size / 1e6
        result.unlink()
        return elapsed

    load_before = os.getloadavg()
    runs: dict[str, list[float]] = {"once": [], "as binder": [], "binder": []}
    steps = {
        "once": lambda: plain_copy(once),
        "as binder": lambda: plain_copy(as_binder),
        "binder": build,
    }
    order = list(steps)
    for n in range(rounds):  # interleaved, rotating which goes first: all see the same load
        for name in order[n % 3 :] + order[: n % 3]:
            runs[name].append(steps[name]())
    load_after = os.getloadavg()
    rates = {
        "once": [total_mb / t for t in runs["once"]],
        "as binder": [as_binder_mb / t for t in runs["as binder"]],
        "binder": [binder_mb / t for t in runs["binder"]],
    }
    median = {name: statistics.median(values) for name, values in rates.items()}
    paired = {
        floor: sorted(b / f for b, f in zip(rates["binder"], rates[floor], strict=True))
        for floor in ("once", "as binder")
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()  # a separate run: tracing slows allocation-heavy code, so time is taken above
    HANDLERS["binder"](job, quiet).unlink()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # and once more with the side work (the contents PDF) done in this process, so that its
    # memory is traced too (in a side process it only adds to that process); the copier
    # thread's allocations are traced in both runs
    import wenming.ledger.binder as binder_module

    # the name binder.py calls, replaced by one that runs the work in this process
    in_process = mock.patch.object(
        binder_module, "in_parallel", lambda func, *args: lambda: func(*args)
    )
    tracemalloc.start()
    try:
        with in_process:
            HANDLERS["binder"](job, quiet).unlink()
        _, peak_all = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"  first binder (also makes the cached font subset once): {first:.1f} s")
    print(
        f"  files: {count} × {size // 1024} KB = {total_mb:.0f} MB; binder ZIP {binder_mb:.0f} MB "
        f"(each file once per linked indicator: {len(as_binder)} file entries, {as_binder_mb:.0f} MB)"
    )
    print(
        f"  machine load average (1/5/15 min) {' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} after the timed runs ({os.cpu_count()} cores)"
    )
    print(f"  medians of {rounds} interleaved runs (MB/s of ZIP written):")
    print(f"  plain zipfile, each file once:          {median['once']:7.1f} MB/s")
    print(f"  plain zipfile, the binder's file entries: {median['as binder']:7.1f} MB/s")
    print(f"  binder build:                           {median['binder']:7.1f} MB/s")
    for floor, label in (("once", "each file once"), ("as binder", "the binder's file entries")):
        ratios = paired[floor]
        print(
            f"  ratio to plain zipfile ({label}): {median['binder'] / median[floor]:.2f}× "
            f"(of medians); each interleaved pair min {ratios[0]:.2f}×, "
            f"median {statistics.median(ratios):.2f}×, max {ratios[-1]:.2f}×"
        )
    print(
        f"  binder peak Python memory {peak / 1e6:.1f} MB ({peak_all / 1e6:.1f} MB with the "
        f"contents PDF made in the same process); process peak RSS {rss_before:.0f} MB before, "
        f"{rss:.0f} MB after building it; side process (contents PDF) peak RSS "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--binder-mb", type=int, default=200)
    parser.add_argument("--binder-rounds", type=int, default=9)
    args = parser.parse_args()
    setup(args.database)
    print(f"\n{args.database}:")
    unit, user, edition, ids = load(args.records, args.files)
    pages(unit, user, edition, args.rounds)
    binder(unit, user, edition, ids, args.binder_mb, args.binder_rounds)


if __name__ == "__main__":
    main()
