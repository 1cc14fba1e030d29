"""Benchmark: API list pages with 100,000 units, on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/api_lists.py [--units 100000] [--database sqlite|postgres|both]
      [--name wenming_bench_api] [--reuse]

Loads the same province as ``bench/unit_pages.py`` into a fresh database (``--name``: the
PostgreSQL database or SQLite file, dropped and made again), with one campaign and an
application per unit, a problem per unit and a title for about a third of them; makes a
personal token for a city office and requests the ``/api/v1/`` list pages (units,
applications, problems, titles) through Django's test client — token check, rate-limit
counter, the audit event each use writes, JSON — and prints p50/p95 per kind of page, wall
clock and in-process (CPU time of this process: what the machine's other load does not add),
beside a floor measured in the same run: the bare keyset query of one page (no Django view).
Goal: p95 < 200 ms. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from common import ROOT, fresh_django, run_per_database
from unit_pages import load


def _p(times: list[float]) -> tuple[float, float]:
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def load_lists(office: Any) -> None:
    """A campaign with an application per unit, a problem per unit, titles for a third."""
    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.campaigns.models import DEFAULT_CHAIN, Application, Campaign, Phase, State
    from wenming.core.formats import framework_load
    from wenming.frameworks.services import framework_import
    from wenming.organizations.models import Region, Unit
    from wenming.rectification.models import Problem, ProblemSource, ProblemState
    from wenming.titles.models import Title, TitleSource

    t0 = time.perf_counter()
    rng = random.Random(5)
    edition = framework_import(
        framework=framework_load(ROOT / "wenming" / "library" / "civilized-unit.yaml")
    )[0]
    city = Region.objects.get(code="430100")
    rows = list(
        Unit.objects.filter(supervises=False).values_list("pk", "region_path", "supervisor_id")
    )
    SelfAssessment.objects.bulk_create(
        [
            SelfAssessment(
                unit_id=pk, edition=edition, status=AssessmentStatus.SUBMITTED,
                as_of=date(2026, 5, 20), created_by=office,
            )
            for pk, _, _ in rows
        ],
        batch_size=5000,
    )  # fmt: skip
    assessments = dict(SelfAssessment.objects.values_list("unit_id", "pk"))
    campaign = Campaign.objects.create(
        name="2026年度测试市市级文明单位测评", year=2026, level="city", region=city,
        edition=edition, apply_from=date(2026, 3, 1), apply_until=date(2026, 5, 31),
        chain=DEFAULT_CHAIN, phase=Phase.OPEN, created_by=office,
    )  # fmt: skip
    states = [State.PREPARING, State.IN_REVIEW, State.RETURNED, State.LISTED]
    Application.objects.bulk_create(
        [
            Application(
                campaign=campaign, unit_id=pk, assessment_id=assessments[pk],
                state=rng.choice(states), region_path=path, supervisor_id=supervisor,
                result_centi=rng.randint(7000, 10000), result_grade="合格",
            )
            for pk, path, supervisor in rows
        ],
        batch_size=5000,
    )  # fmt: skip
    Problem.objects.bulk_create(
        [
            Problem(
                unit_id=pk, region_path=path, body_id=supervisor,
                source=rng.choice(ProblemSource.values),
                state=rng.choice([ProblemState.FOUND, ProblemState.ACCEPTED]),
                title=f"基准问题{pk}", description="门前卫生不达标,需要清理。", location="大门口",
                received_on=date(2026, 6, 1), deadline=date(2026, 7, 1), created_by=office,
            )
            for pk, path, supervisor in rows
        ],
        batch_size=5000,
    )  # fmt: skip
    Title.objects.bulk_create(
        [
            Title(
                unit_id=pk, name="市级文明单位", kind=edition.campaign_type, level="city",
                year=2025, term_years=3, valid_until=date(2028, 12, 31), naming_authority=city,
                source=TitleSource.CAMPAIGN, region_path=path,
            )
            for pk, path, _ in rows
            if rng.random() < 0.33
        ],
        batch_size=5000,
    )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  loaded {Application.objects.count():,} applications, "
        f"{Problem.objects.count():,} problems, {Title.objects.count():,} titles "
        f"in {time.perf_counter() - t0:.1f} s"
    )


def breakdown(client: object, make: Callable[[], str], rounds: int, table: str) -> None:
    """Where the time of one call goes, averaged over ``rounds`` calls (in-process timers)."""
    from collections import defaultdict
    from contextlib import ExitStack
    from unittest import mock

    from django.db import connection
    from ninja.operation import Operation

    import wenming.api.core as core
    import wenming.api.middleware as middleware

    spent: dict[str, float] = defaultdict(float)

    def timed(label: str, fn: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        return wrapper

    def sql(execute: Callable[..., object], text: str, *args: object) -> object:
        start = time.perf_counter()
        try:
            return execute(text, *args)
        finally:
            kind = next(
                (
                    label
                    for marker, label in (
                        ("api_apitoken", "SQL: token"),
                        ("cache", "SQL: rate-limit counter"),
                        ("accounts_rolegrant", "SQL: scope (grants)"),
                        ("audit", "SQL: audit event"),
                        (table, "SQL: the page"),
                    )
                    if marker in text
                ),
                "SQL: other",
            )
            spent[kind] += time.perf_counter() - start
            spent["queries"] += 1 / 1000

    with ExitStack() as stack:
        stack.enter_context(connection.execute_wrapper(sql))
        for target, attr, label in [
            (core, "token_find", "token check"),
            (core, "get_usage", "rate-limit counter"),
            (middleware, "token_use_record", "audit event"),
            (Operation, "_result_to_response", "schema validation + JSON"),
        ]:
            stack.enter_context(
                mock.patch.object(target, attr, timed(label, getattr(target, attr)))
            )
        start = time.perf_counter()
        for _ in range(rounds):
            client.get(make())  # type: ignore[attr-defined]
        total = time.perf_counter() - start
    print(f"  where one call's {total / rounds * 1000:.1f} ms go ({rounds} calls, mean):")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        if label == "queries":
            print(f"    {'queries per call':<28} {seconds * 1000 / rounds:6.1f}")
        else:
            print(f"    {label:<28} {seconds / rounds * 1000:6.1f} ms")


def city_of_bench() -> Any:
    from wenming.organizations.models import Region

    return Region.objects.get(code="430100")  # the office's region (bench/unit_pages.py)


def run_one(database: str, units: int, rounds: int, name: str, reuse: bool) -> None:
    fresh_django(database, name, keep=reuse)
    from django.conf import settings
    from django.test import Client

    from wenming.accounts.scope import path_prefix_q
    from wenming.api.core import cursor_of
    from wenming.api.tokens import token_create
    from wenming.campaigns.models import Application
    from wenming.organizations.models import Region, Unit
    from wenming.rectification.models import Problem
    from wenming.titles.models import Title

    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    if reuse:  # the rows of an earlier run (measure again after a code change)
        from django.contrib.auth.models import User

        from wenming.organizations.models import RegionLevel

        office = User.objects.get(username="bench_office")
        regions = list(
            Region.objects.filter(
                level__lte=RegionLevel.TOWNSHIP, path__startswith=city_of_bench().path
            ).values_list("pk", flat=True)
        )
    else:
        office, regions, _types, _sample = load(units)
        load_lists(office)
    secret = token_create(
        actor=office,
        name="bench",
        kind="personal",
        scopes=["units:read", "campaigns:read", "problems:read", "titles:read"],
        days=1,
    ).secret
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    keys = list(Unit.objects.values_list("region_path", "name", "pk"))
    app_keys = list(Application.objects.values_list("region_path", "pk"))
    problem_keys = list(Problem.objects.values_list("region_path", "pk"))
    title_keys = list(Title.objects.values_list("region_path", "pk"))
    rng = random.Random(3)

    def deep(url: str, rows: Sequence[tuple[Any, ...]], limit: int) -> Callable[[], str]:
        return lambda: f"{url}?limit={limit}&cursor={cursor_of(*rng.choice(rows))}"

    pages: dict[str, Callable[[], str]] = {
        "units, first page (50)": lambda: "/api/v1/units",
        "units, deep page (50)": deep("/api/v1/units", keys, 50),
        "units, deep page (200)": deep("/api/v1/units", keys, 200),
        "units, by region": lambda: f"/api/v1/units?region={rng.choice(regions)}",
        "applications, deep (200)": deep("/api/v1/applications", app_keys, 200),
        "problems, deep (200)": deep("/api/v1/problems", problem_keys, 200),
        "titles, deep (200)": deep("/api/v1/titles", title_keys, 200),
    }
    print(f"\n{database}: {units:,} units")
    floor = []
    city_path = city_of_bench().path
    for _ in range(rounds):
        path, _name, _pk = rng.choice(keys)
        start = time.perf_counter()
        list(
            Unit.objects.filter(path_prefix_q("region_path", city_path), region_path__gt=path)
            .order_by("region_path", "name", "pk")
            .values_list("pk", "name", "credit_code")[:201]
        )
        floor.append((time.perf_counter() - start) * 1000)
    p50, p95 = _p(floor)
    print(f"  {'floor: index range query (200)':<30} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    for label, make in pages.items():
        times, cpu = [], []
        for _ in range(rounds):
            url = make()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - start_cpu) * 1000)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content)
        p50, p95 = _p(times)
        c50, c95 = _p(cpu)
        print(
            f"  {label:<30} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
            f"   (in-process p50 {c50:5.1f} / p95 {c95:5.1f} ms)"
        )
    breakdown(client, pages["applications, deep (200)"], rounds, "campaigns_application")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--name", default="wenming_bench_api")
    parser.add_argument("--reuse", action="store_true", help="measure the rows of an earlier run")
    args = parser.parse_args()
    if run_per_database(__file__, args.database):
        return
    run_one(args.database, args.units, args.rounds, args.name, args.reuse)


if __name__ == "__main__":
    main()
