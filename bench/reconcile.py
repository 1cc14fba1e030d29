"""Benchmark: reconciling (合议) a campaign of 2,000 drawn units × 5 experts × 150 items.

Run:  .venv/bin/python bench/reconcile.py [--units 2000] [--database sqlite|postgres|both]

Builds a fresh database (SQLite under bench/out/, PostgreSQL database ``wenming_bench_onsite``
on 127.0.0.1) with a framework of 150 items, 2,000 applications, 400 teams of 5 experts (each
team at 5 units) and every expert's score for every item — 1.5 million scores, loaded with COPY
(PostgreSQL) or executemany (SQLite); two experts score systematically low. Then it times
``reconcile(campaign)`` — every item's figure by the rule, spread flags, every expert's mean
deviation and z-score, 2,000 sheets written — under the mean and the median rule, and as the
floor one plain SQL GROUP BY over the same rows (mean per unit and item), and prints the ratio.
Not a test.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from common import fresh_django, run_per_database

ITEMS = 150
EXPERTS_PER_TEAM = 5
UNITS_PER_TEAM = 5
COLUMNS = [
    "expert_id",
    "client_id",
    "campaign_id",
    "application_id",
    "code",
    "value",
    "score_centi",
    "points_centi",
    "reason",
    "note",
    "entered_at",
    "received_at",
]


def framework() -> Any:
    from wenming.core.framework import Framework

    groups = []
    for g in range(15):
        leaves = [
            {
                "code": f"I{g + 1}.{i + 1}",
                "name": f"测评内容{g + 1}-{i + 1}",
                "points": 4,
                "scoring": "direct",
                "methods": ["实地考察"],
            }
            for i in range(ITEMS // 15)
        ]
        groups.append(
            {"code": f"I{g + 1}", "name": f"指标{g + 1}", "points": 40, "children": leaves}
        )
    return Framework.model_validate(
        {
            "id": "bench-onsite",
            "name": "现场测评基准",
            "edition": "2026",
            "campaign_type": "基准",
            "unit_types": ["学校"],
            "total": 600,
            "indicators": groups,
            "bands": [
                {"name": "优秀", "min": 540},
                {"name": "合格", "min": 360, "max": 540},
                {"name": "不合格", "min": 0, "max": 360},
            ],
        }
    )


def build(units: int) -> tuple[Any, list[int], list[list[int]]]:
    """Campaign, applications and teams; returns (campaign, application ids, expert ids per
    application)."""
    from django.contrib.auth.models import User

    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.campaigns.models import Application, Campaign, State
    from wenming.core.credit_code import make_credit_code
    from wenming.frameworks.services import framework_import
    from wenming.onsite.models import Assignment, Expert, Team, TeamMember
    from wenming.organizations.models import Unit, UnitType
    from wenming.organizations.services import region_upsert

    edition = framework_import(framework=framework())[0]
    city = region_upsert(code="420100", name="江城市", level=2, parent=None)[0]
    school = UnitType.objects.create(name="学校", is_school=True)
    office = User.objects.create(username="office")
    Unit.objects.bulk_create(
        Unit(
            name=f"第{n}学校",
            credit_code=make_credit_code(serial=n + 1),
            unit_type=school,
            region=city,
            region_path=city.path,
        )
        for n in range(units)
    )
    unit_ids = list(Unit.objects.order_by("id").values_list("id", flat=True))
    SelfAssessment.objects.bulk_create(
        SelfAssessment(
            unit_id=u,
            edition=edition,
            status=AssessmentStatus.SUBMITTED,
            as_of=date(2026, 6, 30),
            created_by=office,
        )
        for u in unit_ids
    )
    assessments = dict(SelfAssessment.objects.values_list("unit_id", "id"))
    campaign = Campaign.objects.create(
        name="基准活动",
        year=2026,
        level="district",
        region=city,
        edition=edition,
        apply_from=date(2026, 1, 1),
        apply_until=date(2026, 6, 30),
        created_by=office,
        chain=[{"key": "evaluate", "label": "初评", "role": "office", "level": 2, "result": True}],
    )
    Application.objects.bulk_create(
        Application(
            campaign=campaign,
            unit_id=u,
            assessment_id=assessments[u],
            state=State.IN_REVIEW,
            step="evaluate",
            region_path=city.path,
        )
        for u in unit_ids
    )
    applications = list(
        Application.objects.filter(campaign=campaign).order_by("id").values_list("id", "unit_id")
    )
    teams = (units + UNITS_PER_TEAM - 1) // UNITS_PER_TEAM
    User.objects.bulk_create(User(username=f"expert{n}") for n in range(teams * EXPERTS_PER_TEAM))
    users = list(User.objects.filter(username__startswith="expert").order_by("id"))
    Expert.objects.bulk_create(Expert(user=u, name=u.username, region=city) for u in users)
    experts = list(Expert.objects.order_by("id"))
    Team.objects.bulk_create(
        Team(campaign=campaign, name=f"第{t + 1}组", leader=experts[t * EXPERTS_PER_TEAM])
        for t in range(teams)
    )
    team_list = list(Team.objects.filter(campaign=campaign).order_by("id"))
    TeamMember.objects.bulk_create(
        TeamMember(team=team_list[t], expert=experts[t * EXPERTS_PER_TEAM + k], campaign=campaign)
        for t in range(teams)
        for k in range(EXPERTS_PER_TEAM)
    )
    Assignment.objects.bulk_create(
        Assignment(
            campaign=campaign,
            team=team_list[i // UNITS_PER_TEAM],
            application_id=a,
            unit_id=u,
            assigned_by=office,
        )
        for i, (a, u) in enumerate(applications)
    )
    by_application = [
        [users[(i // UNITS_PER_TEAM) * EXPERTS_PER_TEAM + k].pk for k in range(EXPERTS_PER_TEAM)]
        for i in range(len(applications))
    ]
    return campaign, [a for a, _ in applications], by_application


def rows(campaign_id: int, applications: list[int], experts: list[list[int]]) -> Any:
    rng = random.Random(7)
    now = datetime(2026, 6, 30, 10, tzinfo=UTC)
    harsh = {experts[0][1], experts[3][2]}  # two experts who score low everywhere
    codes = [f"I{g + 1}.{i + 1}" for g in range(15) for i in range(ITEMS // 15)]
    for application, team in zip(applications, experts, strict=True):
        for code in codes:
            base = rng.choice((400, 400, 400, 350, 300, 200))
            for expert in team:
                centi = max(
                    0,
                    min(
                        400, base + rng.choice((0, 0, 0, -50, 50)) - (40 if expert in harsh else 0)
                    ),
                )
                yield (
                    expert,
                    uuid.uuid4(),
                    campaign_id,
                    application,
                    code,
                    str(Decimal(centi) / 100),
                    centi,
                    400,
                    "" if centi == 400 else "扣分",
                    "",
                    now,
                    now,
                )


def load(database: str, campaign: Any, applications: list[int], experts: list[list[int]]) -> int:
    from django.db import connection, transaction

    n = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if database == "postgres":
            with cursor.cursor.copy(f"COPY onsite_score ({', '.join(COLUMNS)}) FROM STDIN") as cp:
                for row in rows(campaign.pk, applications, experts):
                    cp.write_row(row)
                    n += 1
        else:
            sql = (
                f"INSERT INTO onsite_score ({', '.join(COLUMNS)})"
                f" VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            )
            batch = []
            for row in rows(campaign.pk, applications, experts):
                batch.append((*row[:1], row[1].hex, *row[2:]))
                n += 1
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            cursor.executemany(sql, batch)
    return n


def floor(campaign: Any) -> float:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_id, code, AVG(score_centi) FROM onsite_score"
            " WHERE campaign_id = %s GROUP BY application_id, code",
            [campaign.pk],
        )
        cursor.fetchall()
    return time.perf_counter() - t


def run_one(database: str, units: int, rounds: int) -> None:
    fresh_django(database, "wenming_bench_onsite")
    from django.db import connection

    from wenming.onsite.models import OnsiteSettings
    from wenming.onsite.reconciliation import reconcile

    t0 = time.perf_counter()
    campaign, applications, experts = build(units)
    n = load(database, campaign, applications, experts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"\n{database}: {units:,} units × {EXPERTS_PER_TEAM} experts × {ITEMS} items"
        f" = {n:,} scores (built and loaded in {time.perf_counter() - t0:.0f} s)"
    )
    settings = OnsiteSettings.objects.create(campaign=campaign)
    for rule in ("mean", "trimmed", "median"):
        settings.rule = rule
        settings.save()
        times, floors, report = [], [], None
        for _ in range(rounds):
            floors.append(floor(campaign))
            t = time.perf_counter()
            report = reconcile(campaign)
            times.append(time.perf_counter() - t)
        assert report is not None and report.items == units * ITEMS
        best, base = min(times), min(floors)
        flagged = [d for d in report.experts if d.flagged]
        example = f" (e.g. mean deviation {flagged[0].mean}%, z {flagged[0].z})" if flagged else ""
        print(
            f"  rule {rule:7}: reconcile {best:.2f} s (best of {rounds}),"
            f" SQL GROUP BY floor {base:.2f} s, ratio {best / base:.1f}×;"
            f" {report.flagged_items:,} items over the spread,"
            f" {len(flagged)} experts flagged{example}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if run_per_database(__file__, args.database, order=("postgres", "sqlite")):
        return
    run_one(args.database, args.units, args.rounds)


if __name__ == "__main__":
    main()
