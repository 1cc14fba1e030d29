"""Benchmark: unit list and detail pages with 100,000 units, on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/unit_pages.py [--units 100000] [--database sqlite|postgres|both]

Builds a fresh database (SQLite under bench/out/, PostgreSQL database ``wenming_bench`` on
127.0.0.1), loads a province of regions and the units, then requests the pages through
Django's test client as a city office user and prints p50/p95 per page. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from common import fresh_django, run_per_database


def run_one(database: str, units: int, rounds: int) -> None:
    fresh_django(database, "wenming_bench")
    from django.test import Client

    office, regions, types, sample = load(units)
    client = Client()
    client.force_login(office)
    rng = random.Random(3)
    pages: dict[str, Callable[[], str]] = {
        "list, first page": lambda: "/units/",
        "list, page 1000": lambda: "/units/?page=1000",
        "list, name search": lambda: (
            f"/units/?q={rng.choice(['第一', '中学', '医院', '建材', '社区'])}"
        ),
        "list, region incl. sub-regions": lambda: f"/units/?region={rng.choice(regions)}",
        "list, type + region": lambda: (
            f"/units/?type={rng.choice(types)}&region={rng.choice(regions)}"
        ),
        "detail": lambda: f"/units/{rng.choice(sample)}/",
    }
    print(f"\n{database}: {units:,} units")
    for label, make in pages.items():
        times = []
        for _ in range(rounds):
            url = make()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  {label:<32} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")


def load(count: int) -> tuple[Any, list[int], list[int], list[int]]:
    from django.contrib.auth.models import User

    from wenming.accounts.models import Role, RoleGrant
    from wenming.core.credit_code import make_credit_code
    from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
    from wenming.organizations.services import region_upsert

    rng = random.Random(1)
    t0 = time.perf_counter()
    province = region_upsert(code="430000", name="测试省", level=RegionLevel.PROVINCE, parent=None)[
        0
    ]
    city = region_upsert(code="430100", name="测试市", level=RegionLevel.CITY, parent=province)[0]
    leaves: list[Region] = []
    region_ids = [city.pk]
    for d in range(10):
        district = region_upsert(
            code=f"4301{d + 1:02d}", name=f"第{d + 1}区", level=RegionLevel.COUNTY, parent=city
        )[0]
        region_ids.append(district.pk)
        for t in range(10):
            town = region_upsert(
                code=f"4301{d + 1:02d}{t:03d}",
                name=f"第{d + 1}区{t + 1}街道",
                level=RegionLevel.TOWNSHIP,
                parent=district,
            )[0]
            region_ids.append(town.pk)
            for c in range(5):
                leaves.append(
                    region_upsert(
                        code=f"4301{d + 1:02d}{t:03d}{c:03d}",
                        name=f"{town.name}{c + 1}社区",
                        level=RegionLevel.COMMUNITY,
                        parent=town,
                    )[0]
                )
    types = [
        UnitType.objects.get_or_create(name=n, defaults={"is_school": n == "学校"})[0]
        for n in ("机关", "事业单位", "学校", "医院", "企业", "乡镇街道", "社区")
    ]
    words = [
        "第一小学",
        "实验中学",
        "人民医院",
        "建材公司",
        "社区居委会",
        "文化站",
        "卫生院",
        "商贸公司",
        "档案馆",
        "民政所",
    ]
    bodies = Unit.objects.bulk_create(
        [
            Unit(
                name=f"第{i + 1}主管局",
                credit_code=make_credit_code(region="430100", serial=i + 1),
                unit_type=types[0],
                region=city,
                region_path=city.path,
                supervises=True,
            )
            for i in range(200)
        ]
    )
    batch = []
    for i in range(count - len(bodies)):
        region = rng.choice(leaves)
        batch.append(
            Unit(
                name=f"{region.name}{rng.choice(words)}{i}",
                credit_code=make_credit_code(region="430100", serial=10_000 + i),
                unit_type=rng.choice(types),
                region=region,
                region_path=region.path,  # bulk_create skips save(), which sets it
                supervisor=rng.choice(bodies),
                headcount=rng.randint(5, 500),
            )
        )
        if len(batch) == 5000:
            Unit.objects.bulk_create(batch)
            batch = []
    Unit.objects.bulk_create(batch)
    office = User.objects.create_user("bench_office")
    RoleGrant.objects.create(user=office, role=Role.OFFICE, region=city)
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum / PRAGMA optimize would after a load
        cursor.execute("ANALYZE")
    sample = list(Unit.objects.order_by("?").values_list("pk", flat=True)[:200])
    print(f"  loaded {Unit.objects.count():,} units in {time.perf_counter() - t0:.1f} s")
    return office, region_ids, [t.pk for t in types], sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if run_per_database(__file__, args.database):
        return
    run_one(args.database, args.units, args.rounds)


if __name__ == "__main__":
    main()
