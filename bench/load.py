"""Benchmark: a province's test week under load, against the deployment of deploy/up.sh
(nginx, two app servers, pgbouncer, PostgreSQL, Redis, a worker) on 127.0.0.1.

Run:  .venv/bin/pip install -e '.[bench]'   (aiohttp, the load generator)
      .venv/bin/python bench/load.py [--experts 100] [--photos 5] [--arrive 90] [--office 10]

Scaled to this 2-core machine (the issue's full week is 2,000 experts × 150 scores + 20 photos
of ~300 KB over 10 minutes beside 50 office users): each expert arrives at a random moment of
``--arrive`` seconds, opens the scoring page, sends 150 item scores in 5 batches of 30 and
``--photos`` photos of ~300 KB (distinct content), thinking 1–3 s between steps, retrying a
failed request (connection error or 5xx) with the same client ids; office users browse lists
and dashboards until the experts are done. Three runs:

1. the test week: sync p95, photo p95, page p95, errors, and afterwards the scores and photos
   counted in the database (none lost, none twice);
2. the same with app server 1 killed (SIGKILL) mid-run and restarted 5 s later;
3. throughput: closed-loop clients on one logged-in page through nginx with one app server
   (port 8099) and with two (8100): requests/s and the app servers' CPU time per request.

Then the heaviest statements of run 1 from the PostgreSQL statement log (pg_stat_statements
needs shared_preload_libraries and a server restart, not done on this shared machine), each
with its plan, flagging a sequential scan over a table of more than 10,000 rows. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "var" / "deploy"
DB = "wenming_deploy"
BASE = "http://127.0.0.1:8100"
ONE = "http://127.0.0.1:8099"
PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")
BATCHES = 5
SERVE = ["--no-worker", "--no-setup", "--host", "127.0.0.1", "--port", "8101"]


def sh(*command: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout


def psql(sql: str, database: str = "postgres") -> str:
    return sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql)


def deploy_fresh() -> dict[str, str]:
    """A new empty database with every statement logged, the set-up brought up on it."""
    subprocess.run(["bash", str(ROOT / "deploy" / "down.sh")], check=False, capture_output=True)
    psql(f"drop database if exists {DB}")
    psql(f"create database {DB}")
    psql(f"alter database {DB} set log_min_duration_statement = 0")
    print(sh("bash", str(ROOT / "deploy" / "up.sh")).strip().splitlines()[-1])
    env: dict[str, str] = {}
    for line in (DEPLOY / "env").read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'\"")
    return env


@dataclass
class Person:
    session: str
    user: int = 0
    assignment: int = 0
    codes: list[str] = field(default_factory=list)


def populate(env: dict[str, str], experts: int, office: int) -> tuple[list[Person], list[Person]]:
    """Experts (two groups, one per load run), office users, their sessions (no logins timed)."""
    os.environ.update(env)
    # bulk loading goes straight to PostgreSQL, the servers go through pgbouncer
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenming.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.cached_db import SessionStore
    from reconcile import EXPERTS_PER_TEAM, ITEMS, UNITS_PER_TEAM, build

    from wenming.accounts.models import Role, RoleGrant
    from wenming.accounts.sso_settings import LOCAL_BACKEND
    from wenming.onsite.models import Assignment, TeamMember
    from wenming.organizations.models import Region

    # experts × 2 runs; each team of 5 experts has 5 units: one unit per expert scored
    units = (2 * experts // EXPERTS_PER_TEAM) * UNITS_PER_TEAM
    build(units)
    city = Region.objects.get(code="420100")
    codes = [f"I{g + 1}.{i + 1}" for g in range(15) for i in range(ITEMS // 15)]

    def session_of(user: Any) -> str:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = LOCAL_BACKEND
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        return str(store.session_key)

    people = []
    for member in TeamMember.objects.select_related("expert__user").order_by("pk"):
        assignments = list(
            Assignment.objects.filter(team_id=member.team_id).order_by("pk").values_list("pk")
        )
        slot = (member.pk - 1) % EXPERTS_PER_TEAM
        user = member.expert.user
        people.append(
            Person(session_of(user), user.pk, assignments[slot % len(assignments)][0], codes)
        )
    offices = []
    for n in range(office):
        user = User.objects.create(username=f"office{n}")
        RoleGrant.objects.create(user=user, role=Role.OFFICE, region=city)
        offices.append(Person(session_of(user)))
    psql("analyze", DB)
    return people, offices


def photos(count: int) -> list[bytes]:
    """Distinct JPEGs of ~300 KB (noise does not compress)."""
    from PIL import Image

    rng = random.Random(3)
    made = []
    for _ in range(count):
        image = Image.frombytes("RGB", (560, 560), rng.randbytes(560 * 560 * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        made.append(out.getvalue())
    return made


@dataclass
class Tally:
    sync: list[float] = field(default_factory=list)
    photo: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)
    failed_tries: int = 0  # connection errors and 5xx, each retried
    refused: int = 0  # answered, but refused (must stay 0)
    gave_up: int = 0


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def request(
    client: Any, tally: Tally, kind: str, method: str, url: str, **kwargs: Any
) -> Any:
    """One request, retried with the same body until answered (as the phone's script does)."""
    import aiohttp

    for attempt in range(12):
        started = time.perf_counter()
        try:
            form = kwargs.pop("form_factory", None)
            if form is not None:
                kwargs["data"] = form()
            async with client.request(method, url, **kwargs) as response:
                body = await response.read()
                if response.status >= 500:
                    raise aiohttp.ClientResponseError(
                        response.request_info, (), status=response.status
                    )
                getattr(tally, kind).append(time.perf_counter() - started)
                if response.status != 200:
                    tally.refused += 1
                return body, response
        except (TimeoutError, aiohttp.ClientError):
            tally.failed_tries += 1
            kwargs["form_factory"] = form
            await asyncio.sleep(min(4.0, 0.25 * 2**attempt))
    tally.gave_up += 1
    return b"", None


def jar(base: str, session: str) -> Any:
    import aiohttp
    from yarl import URL

    cookies = aiohttp.CookieJar(unsafe=True)
    cookies.update_cookies({"sessionid": session}, URL(base))
    return cookies


async def expert(person: Person, pictures: list[bytes], arrive: float, tally: Tally) -> None:
    import json

    import aiohttp

    await asyncio.sleep(random.uniform(0, arrive))
    async with aiohttp.ClientSession(
        cookie_jar=jar(BASE, person.session), timeout=aiohttp.ClientTimeout(total=60)
    ) as client:
        html, _ = await request(
            client, tally, "page", "GET", f"{BASE}/onsite/a/{person.assignment}/"
        )
        token = re.search(rb'data-csrf="([^"]+)"', html)
        headers = {"X-CSRFToken": token.group(1).decode() if token else ""}
        per_batch = len(person.codes) // BATCHES
        for batch in range(BATCHES):
            codes = person.codes[batch * per_batch : (batch + 1) * per_batch]
            entries = [
                {
                    "client_id": str(uuid.uuid4()),
                    "assignment": person.assignment,
                    "code": code,
                    "value": str(random.choice([2, 3, 4])),
                    "reason": "现场查看发现不足",
                    "entered_at": "2026-06-30T10:00:00+08:00",
                }
                for code in codes
            ]
            body, _ = await request(
                client,
                tally,
                "sync",
                "POST",
                f"{BASE}/onsite/sync/",
                data=json.dumps({"entries": entries}),
                headers={**headers, "Content-Type": "application/json"},
            )
            if body and not all(a.get("ok") for a in json.loads(body).get("answers", [])):
                tally.refused += 1
            await asyncio.sleep(random.uniform(1, 3))
        for n, picture in enumerate(pictures):
            client_id = str(uuid.uuid4())

            def form(picture: bytes = picture, n: int = n, client_id: str = client_id) -> Any:
                data = aiohttp.FormData()
                data.add_field("code", person.codes[n])
                data.add_field("client_id", client_id)
                data.add_field("photo", picture, filename=f"现场{n}.jpg", content_type="image/jpeg")
                return data

            body, _ = await request(
                client,
                tally,
                "photo",
                "POST",
                f"{BASE}/onsite/a/{person.assignment}/photo/",
                form_factory=form,
                headers={**headers, "Accept": "application/json"},
            )
            if body and not json.loads(body).get("ok"):
                tally.refused += 1
            await asyncio.sleep(random.uniform(1, 3))


async def office_user(person: Person, pages: list[str], done: asyncio.Event, tally: Tally) -> None:
    import aiohttp

    async with aiohttp.ClientSession(
        cookie_jar=jar(BASE, person.session), timeout=aiohttp.ClientTimeout(total=60)
    ) as client:
        while not done.is_set():
            await request(client, tally, "page", "GET", BASE + random.choice(pages))
            await asyncio.sleep(random.uniform(1, 2))


def restart_app1(env: dict[str, str]) -> None:
    pid = int((DEPLOY / "pids" / "app1.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    time.sleep(5)
    log = (DEPLOY / "logs" / "app1.log").open("a")
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "wenming.cli", "serve", "--production", *SERVE],
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    (DEPLOY / "pids" / "app1.pid").write_text(str(process.pid))


async def test_week(
    experts: list[Person],
    offices: list[Person],
    pictures: list[bytes],
    arrive: float,
    campaign_id: int,
    kill: dict[str, str] | None,
) -> tuple[Tally, float]:
    tally = Tally()
    done = asyncio.Event()
    pages = ["/units/", "/todo/", "/dashboards/", "/campaigns/", f"/onsite/campaign/{campaign_id}/"]
    office_tasks = [asyncio.create_task(office_user(o, pages, done, tally)) for o in offices]
    started = time.perf_counter()
    expert_tasks = [asyncio.create_task(expert(e, pictures, arrive, tally)) for e in experts]
    if kill is not None:
        await asyncio.sleep(arrive / 2)
        print("  killing app server 1 (SIGKILL), restarting it in 5 s")
        await asyncio.to_thread(restart_app1, kill)
    await asyncio.gather(*expert_tasks)
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*office_tasks)
    return tally, elapsed


def counted(experts: list[Person], photos_each: int) -> str:
    from django.db.models import Count

    from wenming.onsite.models import Photo, Score

    users = [e.user for e in experts]
    scores = Score.objects.filter(expert_id__in=users).count()
    per = (
        Score.objects.filter(expert_id__in=users)
        .values("expert", "application", "code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    pictures = Photo.objects.filter(score__expert_id__in=users)
    expected_scores = len(experts) * len(experts[0].codes)
    return (
        f"scores {scores} of {expected_scores} expected, {per} (expert, item) entered twice; "
        f"photos {pictures.count()} of {len(experts) * photos_each} expected"
    )


def report(name: str, tally: Tally, elapsed: float, check: str) -> None:
    requests = len(tally.sync) + len(tally.photo) + len(tally.page)
    print(
        f"{name}: {elapsed:.0f} s, {requests} answered requests ({requests / elapsed:.1f}/s)\n"
        f"  sync  p50 {p(tally.sync, 0.5):.0f} ms  p95 {p(tally.sync, 0.95):.0f} ms  "
        f"({len(tally.sync)} batches of {len(CODES_PER_BATCH)})\n"
        f"  photo p50 {p(tally.photo, 0.5):.0f} ms  p95 {p(tally.photo, 0.95):.0f} ms  "
        f"({len(tally.photo)} uploads)\n"
        f"  page  p50 {p(tally.page, 0.5):.0f} ms  p95 {p(tally.page, 0.95):.0f} ms  "
        f"({len(tally.page)} pages)\n"
        f"  failed tries (retried) {tally.failed_tries}, refused answers {tally.refused}, "
        f"given up {tally.gave_up}\n  counted in the database: {check}"
    )


CODES_PER_BATCH = range(30)


def app_cpu() -> float:
    """CPU seconds used so far by the app servers (user + system)."""
    total = 0.0
    for name in ("app1", "app2"):
        pid = (DEPLOY / "pids" / f"{name}.pid").read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def throughput(base: str, person: Person, path: str, seconds: float, clients: int) -> int:
    import aiohttp

    count = 0
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal count
        async with aiohttp.ClientSession(cookie_jar=jar(base, person.session)) as client:
            while time.perf_counter() < stop:
                async with client.get(base + path) as response:
                    await response.read()
                    count += response.status == 200

    await asyncio.gather(*(loop() for _ in range(clients)))
    return count


def heaviest(since: str, limit: int = 6) -> None:
    """The statements of the run that took the most time in total, each with its plan."""
    if not PG_LOG.exists():
        print("  (no PostgreSQL log readable here)")
        return
    pattern = re.compile(
        r"^(\S+ \S+) \S+ \[\d+\] \S*@" + DB + r" LOG:  duration: ([\d.]+) ms  "
        r"(?:execute [^:]+|statement): (.*)$"
    )
    detail = re.compile(r"DETAIL:  parameters: (.*)$")
    totals: dict[str, list[Any]] = {}
    last: str | None = None
    with PG_LOG.open(errors="replace") as log:
        for line in log:
            match = pattern.match(line)
            if match:
                last = None
                if match.group(1) < since:
                    continue
                sql = match.group(3).strip()
                key = re.sub(r"\b\d+\b", "N", sql)
                entry = totals.setdefault(key, [0, 0.0, sql, None])
                entry[0] += 1
                entry[1] += float(match.group(2))
                last = key
            elif last and (found := detail.search(line)) and totals[last][3] is None:
                totals[last][3] = found.group(1)
    ranked = sorted(totals.values(), key=lambda e: -e[1])[:limit]
    print(f"heaviest statements since {since} (statement log; total ms, calls, mean ms):")
    for calls, total, sql, parameters in ranked:
        print(f"  {total:9.0f} ms {calls:6d} × {total / calls:6.2f} ms  {sql[:150]}")
        if sql.upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
            values = re.findall(r"\$\d+ = ('(?:[^']|'')*'|NULL)", parameters or "")
            prepared = f"PREPARE q AS {sql}; EXPLAIN EXECUTE q({', '.join(values)})"
            try:
                plan = psql(prepared if values else f"EXPLAIN {sql}", DB)
            except subprocess.CalledProcessError as exc:
                print(f"      (no plan: {exc.stderr.strip()[:120]})")
                continue
            scans = re.findall(r"Seq Scan on (\w+)", plan)
            for table in scans:
                rows = psql(f"select reltuples::bigint from pg_class where relname = '{table}'", DB)
                flag = "LARGE: needs an index" if int(float(rows or 0)) > 10_000 else "small"
                print(f"      plan: Seq Scan on {table} ({rows.strip()} rows, {flag})")
            if not scans:
                print(f"      plan: {plan.strip().splitlines()[0][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=100)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--arrive", type=float, default=90)
    parser.add_argument("--office", type=int, default=10)
    parser.add_argument("--throughput-seconds", type=float, default=20)
    args = parser.parse_args()
    env = deploy_fresh()
    people, offices = populate(env, args.experts, args.office)
    from wenming.campaigns.models import Campaign

    campaign_id = Campaign.objects.get().pk
    first, second = people[: args.experts], people[args.experts : 2 * args.experts]
    pictures = photos(args.photos)
    print(
        f"scale: {args.experts} experts × {len(first[0].codes)} scores in {BATCHES} batches + "
        f"{args.photos} photos of ~{len(pictures[0]) // 1000} KB, arriving over {args.arrive:.0f} s, "
        f"{args.office} office users; cores: {os.cpu_count()}, load {os.getloadavg()[0]:.1f}"
    )
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    tally, elapsed = asyncio.run(
        test_week(first, offices, pictures, args.arrive, campaign_id, None)
    )
    until = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    report("run 1, test week", tally, elapsed, counted(first, args.photos))
    tally, elapsed = asyncio.run(
        test_week(second, offices, pictures, args.arrive, campaign_id, env)
    )
    report("run 2, app server 1 killed mid-run", tally, elapsed, counted(second, args.photos))

    page = f"/onsite/a/{first[0].assignment}/"
    for label, base in (("one app server ", ONE), ("two app servers", BASE)):
        asyncio.run(throughput(base, first[0], page, 3, 16))  # warm up
        cpu = app_cpu()
        started = time.perf_counter()
        count = asyncio.run(throughput(base, first[0], page, args.throughput_seconds, 16))
        elapsed = time.perf_counter() - started
        used = app_cpu() - cpu
        print(
            f"throughput, {label}: {count / elapsed:.1f} requests/s on {page} (16 clients), "
            f"app CPU {used / count * 1000:.1f} ms per request, load {os.getloadavg()[0]:.1f}"
        )
    psql(f"alter database {DB} reset log_min_duration_statement")
    heaviest(since)
    print(f"(run 1 from {since} to {until} UTC)")


if __name__ == "__main__":
    main()
