"""Benchmark: the audit hash chain — the cost it adds to every audit_record, the verification
walk and the data migration that chains existing rows.

Run:  .venv/bin/python bench/audit_chain.py [--events 500] [--chain 200000]

Uses ``DATABASE_URL`` if set (a scratch database: its audit trail is emptied), otherwise a fresh
SQLite file under bench/out/. Not a test.

- added cost: ``audit_record`` (lock, read of the chain's tip, hash, insert) against the single
  INSERT it did before the chain, one event per transaction and many in one transaction;
- walk: ``chain_verify`` over a generated chain of ``--chain`` events (events/s, memory);
- migration: 0003's ``chain_existing`` re-chaining the same rows in id order (events/s);
- contention (PostgreSQL): ``--writers`` threads, each running transactions that record an event
  and then go on working for ``--work-ms`` (a further statement's worth of time) before they
  commit, as services do; transactions/s with the events linked at commit (today) beside the
  same run linking them where recorded (the append before the redesign: lock held from the
  record to the commit) and beside the floor, the same transactions without an audit event.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "audit_chain.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("WENMING_DATA_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_trail() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # TRUNCATE: the append-only trigger is per row
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent")
        else:
            cursor.execute("DELETE FROM audit_auditevent")


def per_event(events: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from wenming.audit.models import AuditEvent
    from wenming.audit.services import audit_record

    user, _ = User.objects.get_or_create(username="bench")
    counter = [0]

    def before() -> None:  # what audit_record did before the chain: one INSERT
        counter[0] += 1
        AuditEvent.objects.create(
            seq=counter[0], actor=user, action="unit.update", object_type="auth.user",
            object_id=str(user.pk), object_label=str(user), field="人数", old="1", new="2",
            prev_hash="0" * 64, hash="0" * 64,
        )  # fmt: skip

    def chained() -> None:
        audit_record(actor=user, action="unit.update", obj=user, field="人数", old="1", new="2")

    def each_own(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(events):
                with transaction.atomic():
                    fn()

        return run

    def all_in_one(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            with transaction.atomic():
                for _ in range(events):
                    fn()

        return run

    def best(run: Callable[[], None]) -> float:
        times = []
        for _ in range(5):
            empty_trail()
            counter[0] = 0
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) / events * 1e6)
        return min(times)

    print(f"\n{connection.vendor}: audit_record, best of 5 rounds of {events} events (µs/event)")
    for label, wrap in (
        ("one transaction per event", each_own),
        ("all in one transaction", all_in_one),
    ):
        plain, chain = best(wrap(before)), best(wrap(chained))
        print(
            f"  {label:<28} before {plain:7.0f}   chained {chain:7.0f}   added {chain - plain:6.0f}"
        )


def contention(writers: int, per_writer: int, work_ms: float) -> None:
    import threading

    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from wenming.audit import chain
    from wenming.audit.services import audit_record
    from wenming.audit.verify import chain_verify

    if connection.vendor != "postgresql":
        print("\ncontention: PostgreSQL only (SQLite serialises write transactions by itself)")
        return
    user, _ = User.objects.get_or_create(username="bench")
    pause = work_ms / 1000

    def writer(record: bool, barrier: threading.Barrier) -> None:
        from django.db import connection as own

        barrier.wait()
        for _ in range(per_writer):
            with transaction.atomic():
                if record:
                    audit_record(actor=user, action="unit.update", obj=user, field="人数", new="2")
                with own.cursor() as cursor:  # the rest of the transaction's work
                    cursor.execute("SELECT pg_sleep(%s)", [pause])
        own.close()

    def rate(record: bool) -> float:
        barrier = threading.Barrier(writers + 1)
        threads = [threading.Thread(target=writer, args=(record, barrier)) for _ in range(writers)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        return writers * per_writer / (time.perf_counter() - start)

    empty_trail()
    floor = rate(False)
    at_commit = rate(True)
    linked_early = chain._appends_at_commit
    chain._appends_at_commit = lambda: False
    try:
        where_recorded = rate(True)
    finally:
        chain._appends_at_commit = linked_early
    assert chain_verify().ok
    print(
        f"\npostgresql contention: {writers} writers × {per_writer} transactions, each recording"
        f" an event then working {work_ms:.0f} ms (transactions/s; load {os.getloadavg()[0]:.1f})"
    )
    print(f"  floor, no audit event           {floor:8.1f}")
    print(f"  linked at commit (today)        {at_commit:8.1f}")
    print(f"  linked where recorded (before)  {where_recorded:8.1f}")


def walk_and_migration(size: int) -> None:
    from django.apps import apps
    from django.db import connection, transaction
    from django.utils import timezone

    from wenming.audit.chain import digest, event_content
    from wenming.audit.models import GENESIS, AuditEvent
    from wenming.audit.verify import chain_verify

    empty_trail()
    prev, now, batch = GENESIS, timezone.now(), []
    for seq in range(1, size + 1):
        event = AuditEvent(
            seq=seq, at=now, action="unit.update", object_type="organizations.unit",
            object_id=str(seq % 997), object_label=f"单位{seq % 997}", field="人数",
            old=str(seq), new=str(seq + 1), prev_hash=prev,
        )  # fmt: skip
        event.hash = prev = digest(1, event_content(event)) or ""
        batch.append(event)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = chain_verify()
    took = time.perf_counter() - start
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert report.ok and report.checked == size, report.message
    print(
        f"  walk: {size:,} events in {took:.1f} s = {size / took:,.0f}/s, peak memory +{grew:.0f} MB"
    )
    migration = importlib.import_module("wenming.audit.migrations.0003_chain_existing")
    with transaction.atomic():
        if connection.vendor == "postgresql":  # the migration runs before the trigger exists
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        start = time.perf_counter()
        migration.chain_existing(apps, SimpleNamespace(connection=connection))
        took = time.perf_counter() - start
    print(f"  migration: {size:,} events chained in {took:.1f} s = {size / took:,.0f}/s")
    assert chain_verify().ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--chain", type=int, default=200_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--per-writer", type=int, default=50)
    parser.add_argument("--work-ms", type=float, default=10)
    args = parser.parse_args()
    setup()
    per_event(args.events)
    contention(args.writers, args.per_writer, args.work_ms)
    walk_and_migration(args.chain)


if __name__ == "__main__":
    main()
