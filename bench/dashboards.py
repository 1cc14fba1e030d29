"""Benchmark: the office dashboard with 100,000 units, on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/dashboards.py [--units 100000] [--database sqlite|postgres|both]
      [--reuse: measure again on the data the last run loaded]

Loads the unit province of bench/unit_pages.py (one city, 10 districts, 100 townships, 500
communities, 200 supervising bodies), three years of a city 文明单位 campaign: 2026 with an
application from every unit (about 70% evaluated, each evaluation's item values stored and
scored by the engine), 2024 and 2025 closed with titles; targets for every township and body.
Rebuilds the dashboard tallies (timed), then requests the dashboard as the city office and as a
supervising body and prints p50/p95. The floor is one plain SQL ``GROUP BY`` over the raw
application rows of the 2026 campaign (state × grade for the whole city), and the cost of
keeping the tallies current is the time of one ``dashboard_application_sync`` after a new
evaluation. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from common import ROOT, fresh_django, run_per_database
from unit_pages import load

YEARS = (2024, 2025, 2026)


NAME = "wenming_bench_dashboards"


def run_one(database: str, units: int, rounds: int, *, reuse: bool) -> None:
    if reuse:
        existing_django(database, NAME)
    else:
        fresh_django(database, NAME)
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client

    from wenming.accounts.models import Role, RoleGrant
    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.campaigns.models import (
        DEFAULT_CHAIN,
        Application,
        Campaign,
        Evaluation,
        Phase,
        State,
        Target,
    )
    from wenming.core.formats import framework_load
    from wenming.core.results import results_from_data
    from wenming.dashboards.demo import _results
    from wenming.dashboards.services import dashboard_application_sync, dashboards_rebuild
    from wenming.frameworks.selectors import engine_of
    from wenming.frameworks.services import framework_import
    from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
    from wenming.titles.models import Title, TitleSource

    if reuse:  # the data of an earlier run: measure again (after a code change)
        office = User.objects.get(username="bench_office")
        types = list(UnitType.objects.values_list("pk", flat=True))
        current = Campaign.objects.order_by("-year", "-id")[0]
        edition = current.edition
        engine = engine_of(edition)
        total_apps = Application.objects.count()
        rng = random.Random(11)
    else:
        office, _regions, types, _sample = load(units)
        t0 = time.perf_counter()
        edition = framework_import(
            framework=framework_load(ROOT / "wenming" / "library" / "civilized-unit.yaml")
        )[0]
        engine = engine_of(edition)
        city = Region.objects.get(code="430100")
        rows = list(
            Unit.objects.filter(supervises=False).values_list(
                "pk", "name", "region_path", "supervisor_id"
            )
        )
        SelfAssessment.objects.bulk_create(
            [
                SelfAssessment(
                    unit_id=pk, edition=edition, status=AssessmentStatus.SUBMITTED,
                    as_of=date(2026, 5, 20), created_by=office, total_centi=9000, grade="优秀",
                )
                for pk, _, _, _ in rows
            ],
            batch_size=5000,
        )  # fmt: skip
        assessments = dict(SelfAssessment.objects.values_list("unit_id", "pk"))
        rng = random.Random(11)
        steps = [s["key"] for s in DEFAULT_CHAIN]
        unit_stub: Any = type("U", (), {"name": "基准单位"})
        evaluations = 0
        for year in YEARS:
            campaign = Campaign.objects.create(
                name=f"{year}年度测试市市级文明单位测评", year=year, level="city", region=city,
                edition=edition, apply_from=date(year, 3, 1), apply_until=date(year, 5, 31),
                chain=DEFAULT_CHAIN, phase=Phase.OPEN if year == 2026 else Phase.CLOSED,
                created_by=office,
            )  # fmt: skip
            share = {2024: 0.4, 2025: 0.6, 2026: 1.0}[year]
            apps: list[Application] = []
            datas: dict[int, tuple[dict[str, Any], Any]] = {}
            titles: list[Title] = []
            for pk, _name, path, supervisor in rows:
                if rng.random() >= share:
                    continue
                if year == 2026 and rng.random() < 0.3:
                    state = rng.choice([State.PREPARING, State.RETURNED, State.IN_REVIEW])
                    apps.append(
                        Application(
                            campaign=campaign, unit_id=pk, assessment_id=assessments[pk], state=state,
                            step=rng.choice(steps[:2]) if state == State.IN_REVIEW else "",
                            region_path=path, supervisor_id=supervisor,
                        )
                    )  # fmt: skip
                    continue
                quality = rng.random()
                if year == 2026:
                    data = _results(engine, unit_stub, quality, rng, as_of=date(2026, 6, 30))
                    card = engine.score(results_from_data(engine, data))
                    total, grade = card.total, card.grade
                else:
                    total = rng.randint(7000, 10000)
                    grade = "优秀" if total >= 9000 else "合格" if total >= 8000 else "不合格"
                final = {"优秀": State.NAMED, "合格": State.RECTIFYING}.get(grade, State.NOT_PASSED)
                if year == 2026:
                    final = rng.choice([State.IN_REVIEW, final, final])
                    if final == State.NAMED:
                        final = State.LISTED
                apps.append(
                    Application(
                        campaign=campaign, unit_id=pk, assessment_id=assessments[pk], state=final,
                        step="review" if final == State.IN_REVIEW else "",
                        region_path=path, supervisor_id=supervisor,
                        result_centi=total, result_grade=grade,
                    )
                )  # fmt: skip
                if year == 2026:
                    datas[pk] = (data, card)
                if final == State.NAMED:
                    titles.append(
                        Title(
                            unit_id=pk, name=campaign.title_name, kind=edition.campaign_type,
                            level="city", year=year, term_years=3, valid_until=date(year + 3, 12, 31),
                            naming_authority=city, source=TitleSource.CAMPAIGN, region_path=path,
                        )
                    )  # fmt: skip
            Application.objects.bulk_create(apps, batch_size=5000)
            Title.objects.bulk_create(titles, batch_size=5000)
            if datas:
                ids = dict(
                    Application.objects.filter(campaign=campaign).values_list("unit_id", "pk")
                )
                batch = []
                for unit_id, (data, card) in datas.items():
                    batch.append(
                        Evaluation(
                            application_id=ids[unit_id], step="evaluate", source="paper", data=data,
                            total_centi=card.total, grade=card.grade, vetoed=card.vetoed,
                            recorded_by=office,
                        )
                    )  # fmt: skip
                    if len(batch) == 5000:
                        Evaluation.objects.bulk_create(batch)
                        evaluations += len(batch)
                        batch = []
                Evaluation.objects.bulk_create(batch)
                evaluations += len(batch)
                towns = Region.objects.filter(level=RegionLevel.TOWNSHIP)
                Target.objects.bulk_create(
                    [
                        Target(campaign=campaign, region=t, count=rng.randint(100, 300))
                        for t in towns
                    ]
                    + [
                        Target(campaign=campaign, supervisor=b, count=rng.randint(50, 150))
                        for b in Unit.objects.filter(supervises=True)
                    ]
                )
                current = campaign
        total_apps = Application.objects.count()
        print(
            f"  loaded {total_apps:,} applications, {evaluations:,} evaluations, "
            f"{Title.objects.count():,} titles in {time.perf_counter() - t0:.1f} s"
        )
        t1 = time.perf_counter()
        entries, state_rows, loss_rows = dashboards_rebuild()
        print(
            f"  rebuilt the tallies in {time.perf_counter() - t1:.1f} s: {entries:,} entries, "
            f"{state_rows:,} state rows, {loss_rows:,} points-lost rows"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    body = Unit.objects.filter(supervises=True).order_by("pk").first()
    assert body is not None
    body_user, _ = User.objects.get_or_create(username="bench_supervisor")
    RoleGrant.objects.get_or_create(user=body_user, role=Role.SUPERVISOR, unit=body)
    districts = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("pk", flat=True))
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("pk", flat=True))
    base = "/dashboards/"
    as_office = Client()
    as_office.force_login(office)
    as_body = Client()
    as_body.force_login(body_user)
    pages: dict[str, tuple[Client, Callable[[], str]]] = {
        "city office, whole city": (as_office, lambda: base),
        "city office, one district": (as_office, lambda: f"{base}?region={rng.choice(districts)}"),
        "city office, one township": (as_office, lambda: f"{base}?region={rng.choice(townships)}"),
        "city office, unit type": (as_office, lambda: f"{base}?unit_type={rng.choice(types)}"),
        "city office, district + type": (
            as_office,
            lambda: f"{base}?region={rng.choice(districts)}&unit_type={rng.choice(types)}",
        ),
        "supervising body (its ~500 units)": (as_body, lambda: base),
        "export: weakest indicators (.xlsx)": (as_office, lambda: base + "export/weakest.xlsx"),
    }
    print(f"\n{database}: {units:,} units, {total_apps:,} applications")
    for label, (client, make) in pages.items():
        times = []
        for _ in range(rounds):
            url = make()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  {label:<38} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")
    floor = []
    sql = (
        "SELECT state, result_grade, COUNT(*) FROM campaigns_application "
        "WHERE campaign_id = %s GROUP BY state, result_grade"
    )
    for _ in range(15):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [current.pk])
            cursor.fetchall()
        floor.append((time.perf_counter() - start) * 1000)
    print(
        f"  {'floor: plain GROUP BY over the raw rows':<38} p50 {statistics.median(floor):6.1f} ms"
        "   (state × grade only; no points lost, ranking, trend or targets)"
    )
    evaluated = list(Evaluation.objects.order_by("?").values_list("application_id", "data")[:40])
    sync = []
    for application_id, data in evaluated:
        card = engine.score(results_from_data(engine, data))
        start = time.perf_counter()
        with transaction.atomic():
            dashboard_application_sync(application_id=application_id, card=card)
        sync.append((time.perf_counter() - start) * 1000)
    print(
        f"  {'keeping current: one sync after an evaluation':<38} p50 {statistics.median(sync):6.1f} ms"
    )


def existing_django(database: str, name: str) -> None:
    """Point Django at the database an earlier run loaded (migrated to the current code)."""
    import os

    from common import OUT

    os.environ["WENMING_DATA_DIR"] = str(OUT)
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{OUT / f'{name}.sqlite3'}"
        if database == "sqlite"
        else f"postgres://postgres@127.0.0.1:5432/{name}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reuse", action="store_true", help="measure the data of the last run")
    args = parser.parse_args()
    if run_per_database(__file__, args.database):
        return
    run_one(args.database, args.units, args.rounds, reuse=args.reuse)


if __name__ == "__main__":
    main()
