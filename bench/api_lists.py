"""Benchmark: API list pagination with 100,000 units, on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/api_lists.py [--units 100000] [--database sqlite|postgres|both]

Loads the same province as ``bench/unit_pages.py`` into a fresh database, makes a personal
token for a city office and requests ``/api/v1/units`` pages through Django's test client (token
check, rate limit, the audit event each use writes, JSON) and prints p50/p95 per kind of page,
beside a floor measured in the same run: the bare keyset query of one page (no Django view).
Goal: p95 < 200 ms. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from common import fresh_django, run_per_database
from unit_pages import load


def _p(times: list[float]) -> tuple[float, float]:
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run_one(database: str, units: int, rounds: int) -> None:
    fresh_django(database, "wenming_bench_api")
    from django.conf import settings
    from django.test import Client

    from wenming.accounts.scope import path_prefix_q
    from wenming.api.core import cursor_of
    from wenming.api.tokens import token_create
    from wenming.organizations.models import Unit

    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    office, regions, _types, _sample = load(units)
    secret = token_create(
        actor=office, name="bench", kind="personal", scopes=["units:read"], days=1
    ).secret
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    keys = list(Unit.objects.values_list("region_path", "name", "pk"))
    rng = random.Random(3)
    pages: dict[str, Callable[[], str]] = {
        "first page (50)": lambda: "/api/v1/units",
        "deep page (cursor, 50)": lambda: f"/api/v1/units?cursor={cursor_of(*rng.choice(keys))}",
        "deep page (cursor, 200)": lambda: (
            f"/api/v1/units?limit=200&cursor={cursor_of(*rng.choice(keys))}"
        ),
        "region incl. sub-regions": lambda: f"/api/v1/units?region={rng.choice(regions)}",
    }
    print(f"\n{database}: {units:,} units")
    floor = []
    city_path = office.grants.get().region.path
    for _ in range(rounds):
        path, _name, _pk = rng.choice(keys)
        start = time.perf_counter()
        list(
            Unit.objects.filter(path_prefix_q("region_path", city_path), region_path__gt=path)
            .order_by("region_path", "name", "pk")
            .values_list("pk", "name", "credit_code")[:51]
        )
        floor.append((time.perf_counter() - start) * 1000)
    p50, p95 = _p(floor)
    print(f"  {'floor: one index range query':<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    for label, make in pages.items():
        times = []
        for _ in range(rounds):
            url = make()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content)
        p50, p95 = _p(times)
        print(f"  {label:<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")


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
