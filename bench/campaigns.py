"""Benchmark: a campaign with 20,000 applications — the office's list with filters and counts.

Run:  .venv/bin/python bench/campaigns.py [--applications 20000] [--database sqlite|postgres|both]

Loads the unit province of bench/unit_pages.py, one campaign on the school-standard framework
and one application per unit in every state of the chain, then requests the application list
(with its counts by state) and the campaign page as the city office. Prints p50/p95. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date

from common import ROOT, fresh_django, run_per_database
from unit_pages import load


def run_one(database: str, applications: int, rounds: int) -> None:
    fresh_django(database, "wenming_bench_campaigns")
    from django.db import connection
    from django.test import Client

    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.campaigns.models import DEFAULT_CHAIN, Application, Campaign, Phase, State
    from wenming.core.formats import framework_load
    from wenming.frameworks.services import framework_import
    from wenming.organizations.models import Region, Unit

    office, regions, _types, _sample = load(applications + 1000)
    t0 = time.perf_counter()
    edition = framework_import(
        framework=framework_load(ROOT / "wenming" / "library" / "school-standard.yaml")
    )[0]
    city = Region.objects.get(code="430100")
    campaign = Campaign.objects.create(
        name="基准活动",
        year=2026,
        level="city",
        region=city,
        edition=edition,
        apply_from=date(2026, 1, 1),
        apply_until=date(2026, 12, 31),
        chain=DEFAULT_CHAIN,
        phase=Phase.OPEN,
        created_by=office,
    )
    units = list(
        Unit.objects.filter(supervises=False).values_list("pk", "region_path", "supervisor_id")[
            :applications
        ]
    )
    SelfAssessment.objects.bulk_create(
        [
            SelfAssessment(
                unit_id=pk, edition=edition, status=AssessmentStatus.SUBMITTED,
                as_of=date(2026, 6, 30), created_by=office, total_centi=90000, grade="达标",
            )
            for pk, _, _ in units
        ],
        batch_size=5000,
    )  # fmt: skip
    assessments = dict(SelfAssessment.objects.values_list("unit_id", "pk"))
    rng = random.Random(7)
    steps = [s["key"] for s in DEFAULT_CHAIN]
    grades = ["达标", "基本达标", "不达标"]
    rows = []
    for pk, path, supervisor in units:
        state = rng.choice(
            [State.PREPARING, State.IN_REVIEW, State.IN_REVIEW, State.LISTED, State.NOT_PASSED]
        )
        grade = rng.choice(grades) if state != State.PREPARING else ""
        rows.append(
            Application(
                campaign=campaign, unit_id=pk, assessment_id=assessments[pk], state=state,
                step=rng.choice(steps) if state == State.IN_REVIEW else "",
                region_path=path, supervisor_id=supervisor,
                result_centi=rng.randint(80000, 99000) if grade else None, result_grade=grade,
            )
        )  # fmt: skip
    Application.objects.bulk_create(rows, batch_size=5000)
    from wenming.campaigns.models import Target

    Target.objects.bulk_create(
        [
            Target(campaign=campaign, region=r, count=rng.randint(50, 500))
            for r in city.children.all()
        ]
        + [
            Target(campaign=campaign, supervisor_id=pk, count=rng.randint(5, 50))
            for pk in Unit.objects.filter(supervises=True).values_list("pk", flat=True)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded {len(rows):,} applications in {time.perf_counter() - t0:.1f} s")
    client = Client()
    client.force_login(office)
    base = f"/campaigns/{campaign.pk}/applications/"
    pages: dict[str, Callable[[], str]] = {
        "list, first page + counts": lambda: base,
        "list, page 200": lambda: base + "?page=200",
        "list, state + step": lambda: base + f"?state=in_review&step={rng.choice(steps)}",
        "list, region incl. sub-regions": lambda: base + f"?region={rng.choice(regions)}",
        "list, grade + region": lambda: base + f"?grade=达标&region={rng.choice(regions)}",
        "list, unit name search": lambda: base + "?q=第一小学",
        "campaign page (counts)": lambda: f"/campaigns/{campaign.pk}/",
        "targets and scores (results use)": lambda: f"/campaigns/{campaign.pk}/results/",
    }
    loadavg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{database}: {len(rows):,} applications (load average {loadavg})")
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if run_per_database(__file__, args.database):
        return
    run_one(args.database, args.applications, args.rounds)


if __name__ == "__main__":
    main()
