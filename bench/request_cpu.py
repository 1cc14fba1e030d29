"""Benchmark: the app-server CPU of the test week's requests, measured in this process.

Run:  .venv/bin/python bench/request_cpu.py [--units 500] [--measured 40] [--database postgres]

Builds the on-site campaign of ``bench/reconcile.py`` (150 items of 4 points, teams of 5
experts at 5 units) on a fresh database (PostgreSQL ``wt_onsite_bench`` on 127.0.0.1, or
SQLite under bench/out/), with every expert's scores for every unit loaded and reconciled,
except ``--measured`` units left unscored. Then, with production settings and Django's test
client (no HTTP server), it times the CPU of this process (``time.process_time``: Python's
work, not the database server's) for each request an expert's phone makes in the load run:

- the scoring page ``/onsite/a/<id>/`` (before the expert's first entry, and again after
  the 150 entries and the photo),
- the sync POST of 30 new entries (5 batches an expert, 150 items),
- a photo of ~300 KB (random noise, as bench/load.py sends) for a scored item,
- the office's on-site page ``/onsite/campaign/<id>/`` (with every expert's deviation),

with the login page as the floor, measured in the same run. It also times the expert-deviation
statement the office page ran before (a window over every score of the campaign) against the
one it runs now (a sum over the per-unit deviation sums). On SQLite the database's work runs in
this process too, so use PostgreSQL for the app-server figure. Not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import time
import uuid
from typing import Any

from common import fresh_django
from reconcile import EXPERTS_PER_TEAM, ITEMS, build, load

OLD_DEVIATIONS = (
    "SELECT expert_id, COUNT(*), SUM(d), SUM(d * d) FROM ("
    " SELECT expert_id, (CAST(score_centi AS DOUBLE PRECISION)"
    " - AVG(CAST(score_centi AS DOUBLE PRECISION)) OVER (PARTITION BY application_id, code))"
    " * 100.0 / points_centi AS d"
    " FROM onsite_score WHERE campaign_id = %s AND points_centi > 0) deviations"
    " GROUP BY expert_id ORDER BY expert_id"
)


PROFILES: dict[str, Any] = {}  # --profile: a cProfile.Profile per kind of request


def cpu_ms(call: Any, kind: str = "") -> tuple[float, Any]:
    profile = PROFILES.get(kind)
    started = time.process_time()
    if profile is not None:
        profile.enable()
    result = call()
    if profile is not None:
        profile.disable()
    return (time.process_time() - started) * 1000, result


def summary(times: list[float]) -> str:
    cut = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return f"p50 {statistics.median(times):6.1f} ms, p95 {cut[18]:6.1f} ms (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--measured", type=int, default=40, help="units synced while measured")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rounds", type=int, default=30, help="GETs of each page")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile's 25 functions with most own time"
    )
    args = parser.parse_args()
    if args.profile:
        import cProfile

        # CPU time, as the figures: waiting for PostgreSQL is not this process's work
        PROFILES.update(
            page=cProfile.Profile(time.process_time), sync=cProfile.Profile(time.process_time)
        )
    os.environ.update(WENMING_PRODUCTION="1", WENMING_HTTPS="0", WENMING_ALLOWED_HOSTS="testserver")
    os.environ.setdefault("WENMING_SECRET_KEY", "bench-" + "x" * 50)
    fresh_django(args.database, "wt_onsite_bench")
    import logging

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from wenming.accounts.models import Role, RoleGrant
    from wenming.onsite.models import Assignment, OnsiteSettings, Score, TeamMember
    from wenming.onsite.reconciliation import reconcile

    call_command("collectstatic", interactive=False, verbosity=0)
    devnull = open(os.devnull, "w")  # noqa: SIM115 -- the access log lines, not shown
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)

    t0 = time.perf_counter()
    campaign, applications, experts = build(args.units)
    scores = load(args.database, campaign, applications, experts)
    measured = applications[: args.measured]
    Score.objects.filter(application_id__in=measured).delete()
    OnsiteSettings.objects.create(campaign=campaign)
    reconcile(campaign)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    office = User.objects.get(username="office")
    RoleGrant.objects.create(user=office, role=Role.OFFICE, region=campaign.region)
    print(
        f"{args.database}: {args.units:,} units × {EXPERTS_PER_TEAM} experts × {ITEMS} items,"
        f" {scores - args.measured * EXPERTS_PER_TEAM * ITEMS:,} scores stored;"
        f" {args.measured} units ({args.measured} experts) synced while measured"
        f" (built in {time.perf_counter() - t0:.0f} s); load {os.getloadavg()[0]:.1f},"
        f" {os.cpu_count()} cores"
    )

    codes = [f"I{g + 1}.{i + 1}" for g in range(15) for i in range(ITEMS // 15)]
    # expert k of a team scores the team's k-th unit, as in bench/load.py
    phones = []
    for member in TeamMember.objects.select_related("expert__user").order_by("pk"):
        team_units = list(
            Assignment.objects.filter(team_id=member.team_id)
            .order_by("pk")
            .values_list("pk", "application_id")
        )
        slot = (member.pk - 1) % EXPERTS_PER_TEAM
        assignment, application = team_units[slot % len(team_units)]
        if application in measured:
            phone = Client()
            phone.force_login(member.expert.user)
            phones.append((phone, assignment))

    anonymous, desk = Client(), Client()
    desk.force_login(office)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    rng = random.Random(3)
    jpeg = io.BytesIO()
    Image.frombytes("RGB", (560, 560), rng.randbytes(560 * 560 * 3)).save(jpeg, "JPEG", quality=92)
    floor, page, scored, sync, photo, office_page = [], [], [], [], [], []
    for phone, assignment in phones:  # warm up: templates, the framework's engine
        phone.get(f"/onsite/a/{assignment}/")
        anonymous.get("/login/")
        break
    for phone, assignment in phones:
        floor.append(cpu_ms(lambda: anonymous.get("/login/"))[0])
        took, response = cpu_ms(lambda p=phone, a=assignment: p.get(f"/onsite/a/{a}/"), "page")
        assert response.status_code == 200, response.status_code
        page.append(took)
        for batch in range(5):
            entries = [
                {
                    "client_id": str(uuid.uuid4()),
                    "assignment": assignment,
                    "code": code,
                    "value": "3",
                    "reason": "现场查看发现不足",
                    "entered_at": "2026-06-30T10:00:00+08:00",
                }
                for code in codes[batch * 30 : (batch + 1) * 30]
            ]
            body = json.dumps({"entries": entries})
            took, response = cpu_ms(
                lambda p=phone, b=body: p.post("/onsite/sync/", b, content_type="application/json"),
                "sync",
            )
            assert all(a["ok"] for a in response.json()["answers"]), response.content[:200]
            sync.append(took)
        upload = SimpleUploadedFile("现场.jpg", jpeg.getvalue(), content_type="image/jpeg")
        took, response = cpu_ms(
            lambda p=phone, a=assignment, u=upload: p.post(
                f"/onsite/a/{a}/photo/",
                {"code": codes[0], "client_id": str(uuid.uuid4()), "photo": u},
                headers={"Accept": "application/json"},
            )
        )
        assert response.json()["ok"], response.content[:200]
        photo.append(took)
        scored.append(cpu_ms(lambda p=phone, a=assignment: p.get(f"/onsite/a/{a}/"))[0])
    url = f"/onsite/campaign/{campaign.pk}/"
    desk.get(url)
    for _ in range(args.rounds):
        floor.append(cpu_ms(lambda: anonymous.get("/login/"))[0])
        office_page.append(cpu_ms(lambda: desk.get(url))[0])
    print("app CPU per request (this process):")
    print(f"  login page (floor)        {summary(floor)}")
    print(f"  scoring page /onsite/a/   {summary(page)}, nothing scored yet")
    print(f"  the same, 150 items scored {summary(scored)}")
    print(f"  sync POST, 30 entries     {summary(sync)}")
    print(f"  photo POST, {len(jpeg.getvalue()) // 1000} KB        {summary(photo)}")
    print(f"  office's on-site page     {summary(office_page)}")
    for kind, profile in PROFILES.items():
        import pstats

        print(f"\n{kind}:")
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)

    def wall(sql: str, params: list[Any]) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            best = min(best, time.perf_counter() - started)
        return best * 1000

    new = (
        "SELECT expert_id, SUM(n), SUM(total), SUM(squares) FROM onsite_deviationsum"
        " WHERE campaign_id = %s GROUP BY expert_id ORDER BY expert_id"
    )
    print(
        f"expert deviations, whole campaign (best of 5, wall): window over the scores"
        f" {wall(OLD_DEVIATIONS, [campaign.pk]):.1f} ms (before), sum of per-unit sums"
        f" {wall(new, [campaign.pk]):.1f} ms (now); floor SELECT 1 {wall('SELECT 1', []):.2f} ms;"
        f" load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
