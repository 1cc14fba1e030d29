"""Benchmark: the office's rectification overview with 1,000,000 problems.

Run:  .venv/bin/python bench/problems.py [--problems 1000000] [--database sqlite|postgres|both]
      [--reuse]   (keep the database of an earlier run when it holds as many problems)

Builds a fresh database (SQLite under bench/out/, PostgreSQL database ``wenming_bench_problems``
on 127.0.0.1) with a city of 10 districts, 100 townships and 500 communities, 20,000 units under
200 supervising bodies and the problems of the last twelve months (97% closed, a fifth of them
complaints), loads the tallies with ``tallies_rebuild`` (the transitions keep them up to date
one by one), then requests the city office's overview (measures for every township and every
body, with ranking) for every kind of period the page offers — one month, a quarter, twelve
months, the year so far, a calendar year, many years — and for districts, communities, one
township's units and the bulletin, and prints p50/p95 with the machine's load average. As the
floor it times one plain SQL aggregate over the same rows (grouped by region, no tallies).
Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

from common import fresh_django, run_per_database

COLUMNS = [
    "unit_id",
    "region_path",
    "body_id",
    "source",
    "severity",
    "state",
    "title",
    "description",
    "location",
    "complainant",
    "indicator_code",
    "received_on",
    "deadline",
    "deadline_by_rule",
    "measures",
    "fix",
    "created_by_id",
    "created_at",
    "verified_by_id",
    "verified_at",
    "callback_reached",
    "callback_satisfied",
    "closed_at",
    "closed_on",
    "return_count",
    "escalation_level",
]


def run_one(database: str, problems: int, rounds: int, reuse: bool) -> None:
    fresh_django(database, "wenming_bench_problems", keep=reuse)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from wenming.organizations.models import Region, RegionLevel
    from wenming.rectification.models import Problem, Tally
    from wenming.rectification.services import tallies_rebuild

    print(f"\n{database}: {problems:,} problems")
    if reuse and Problem.objects.count() == problems:
        office, today = User.objects.get(username="bench_office"), timezone.localdate()
        print("  reusing the database of an earlier run")
    else:
        office, units, today = load_units()
        t0 = time.perf_counter()
        insert_problems(database, problems, units, office.pk, today)
        print(f"  load {time.perf_counter() - t0:.0f} s")
        Tally.objects.all().delete()
    if not Tally.objects.exists():
        t1 = time.perf_counter()
        rows = tallies_rebuild()
        print(f"  tallies rebuilt in {time.perf_counter() - t1:.0f} s ({rows:,} rows)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if database == "postgres" else "ANALYZE")
    print("  load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    client = Client()
    client.force_login(office)
    month = today.replace(day=1)
    start = (month - timedelta(days=335)).replace(day=1)
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    town = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("path").first()
    assert town is not None
    base = "/rectification/overview/"
    pages = {
        "every township, 1 month": f"{base}?start={month:%Y-%m}&end={month:%Y-%m}",
        "every township, this quarter": f"{base}?start={quarter:%Y-%m}&end={month:%Y-%m}",
        "every township, 12 months": f"{base}?start={start:%Y-%m}&end={month:%Y-%m}",
        "every township, this year (default)": base,
        "every township, calendar year": f"{base}?start={today.year}-01&end={today.year}-12",
        "every township, 2015-01 to now": f"{base}?start=2015-01&end={month:%Y-%m}",
        "every district, 12 months": f"{base}?start={start:%Y-%m}&end={month:%Y-%m}&level=3",
        "every community, 12 months": f"{base}?start={start:%Y-%m}&end={month:%Y-%m}&level=5",
        "one township's units, 12 months": (
            f"{base}?start={start:%Y-%m}&end={month:%Y-%m}&region={town.pk}"
        ),
        "every township, 12 months + bulletin": (
            f"{base}?start={start:%Y-%m}&end={month:%Y-%m}&bulletin=1"
        ),
    }
    for label, url in pages.items():
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  {label:<40} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")
    floor = []
    sql = (
        "SELECT region_path, count(*), count(closed_on),"
        " sum(CASE WHEN closed_on <= deadline THEN 1 ELSE 0 END),"
        " sum(CASE WHEN closed_on IS NULL AND deadline < %s THEN 1 ELSE 0 END)"
        " FROM rectification_problem WHERE received_on >= %s GROUP BY region_path"
    )
    for _ in range(5):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, start])
            cursor.fetchall()
        floor.append((time.perf_counter() - t) * 1000)
    print(
        f"  floor: one plain SQL aggregate over the {problems:,} rows"
        f"  median {statistics.median(floor):7.1f} ms   min {min(floor):7.1f} ms"
    )
    print("  load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def load_units() -> tuple[Any, list[tuple[int, str, int]], date]:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from wenming.accounts.models import Role, RoleGrant
    from wenming.core.credit_code import make_credit_code
    from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
    from wenming.organizations.services import region_upsert

    rng = random.Random(1)
    province = region_upsert(code="430000", name="测试省", level=RegionLevel.PROVINCE, parent=None)
    city = region_upsert(code="430100", name="测试市", level=RegionLevel.CITY, parent=province[0])[
        0
    ]
    leaves: list[Region] = []
    for d in range(10):
        district = region_upsert(
            code=f"4301{d + 1:02d}", name=f"第{d + 1}区", level=RegionLevel.COUNTY, parent=city
        )[0]
        for t in range(10):
            town = region_upsert(
                code=f"4301{d + 1:02d}{t:03d}",
                name=f"第{d + 1}区{t + 1}街道",
                level=RegionLevel.TOWNSHIP,
                parent=district,
            )[0]
            for c in range(5):
                leaves.append(
                    region_upsert(
                        code=f"4301{d + 1:02d}{t:03d}{c:03d}",
                        name=f"{town.name}{c + 1}社区",
                        level=RegionLevel.COMMUNITY,
                        parent=town,
                    )[0]
                )
    kind = UnitType.objects.get_or_create(name="机关")[0]
    bodies = Unit.objects.bulk_create(
        [
            Unit(
                name=f"第{i + 1}主管局",
                credit_code=make_credit_code(region="430100", serial=i + 1),
                unit_type=kind,
                region=city,
                region_path=city.path,
                supervises=True,
            )
            for i in range(200)
        ]
    )
    batch = []
    for i in range(20_000):
        region = rng.choice(leaves)
        batch.append(
            Unit(
                name=f"{region.name}单位{i}",
                credit_code=make_credit_code(region="430100", serial=10_000 + i),
                unit_type=kind,
                region=region,
                region_path=region.path,
                supervisor=rng.choice(bodies),
            )
        )
    Unit.objects.bulk_create(batch, batch_size=5000)
    office = User.objects.create_user("bench_office")
    RoleGrant.objects.create(user=office, role=Role.OFFICE, region=city)
    units = list(
        Unit.objects.filter(supervisor__isnull=False).values_list(
            "pk", "region_path", "supervisor_id"
        )
    )
    return office, units, timezone.localdate()


def rows(count: int, units: list[tuple[int, str, int]], office: int, today: date) -> Any:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    rng = random.Random(2)
    for i in range(count):
        unit, path, body = units[rng.randrange(len(units))]
        received = today - timedelta(days=rng.randrange(365))
        severity, days = rng.choice((("general", 30), ("serious", 15), ("urgent", 7)))
        deadline = received + timedelta(days=days)
        complaint = rng.random() < 0.2
        took = min(int(rng.expovariate(1 / 12)), 200)
        closed_on = received + timedelta(days=took)
        closed = closed_on <= today and rng.random() < 0.97
        at = datetime(received.year, received.month, received.day, 9, tzinfo=zone)
        end = datetime(closed_on.year, closed_on.month, closed_on.day, 16, tzinfo=zone)
        reached = rng.random() < 0.9 if closed and complaint else None
        yield (
            unit,
            path,
            body,
            "complaint" if complaint else "patrol",
            severity,
            "closed" if closed else "assigned",
            f"问题{i}",
            "",
            "",
            "",
            "",
            received,
            deadline,
            True,
            "",
            "",
            office,
            at,
            office if closed else None,
            end if closed else None,
            reached,
            (rng.random() < 0.8) if reached else None,
            end if closed else None,
            closed_on if closed else None,
            1 if rng.random() < 0.05 else 0,
            0,
        )


def insert_problems(
    database: str, count: int, units: list[tuple[int, str, int]], office: int, today: date
) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if database == "postgres":
            copy_sql = f"COPY rectification_problem ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows(count, units, office, today):
                    copy.write_row(row)
        else:
            sql = (
                f"INSERT INTO rectification_problem ({', '.join(COLUMNS)})"
                f" VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            )
            batch = []
            for row in rows(count, units, office, today):
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            cursor.executemany(sql, batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run if it is loaded"
    )
    args = parser.parse_args()
    if run_per_database(__file__, args.database):
        return
    run_one(args.database, args.problems, args.rounds, args.reuse)


if __name__ == "__main__":
    main()
