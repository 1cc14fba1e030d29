"""Load test: answer sheets posted to the real server (waitress, ``wenming serve
--production``) on PostgreSQL, as phones on an intranet would: each respondent opens the page
(GET: the form, its CSRF token and its start stamp) and posts the sheet (POST).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_bench \
      WENMING_REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/surveys_load.py
      [--rate 5000] [--seconds 60] [--servers 2] [--threads 8] [--clients 128]
      [--floor-seconds 15] [--page-seconds 15]

``--servers N`` starts N app processes (``wenming serve --production --no-worker --no-setup``,
each on a free port of 127.0.0.1, as behind a load balancer) and the respondents go to them in
turn (round robin). The database named by DATABASE_URL is a scratch one (its questionnaires are
replaced); WENMING_REDIS_URL holds the rate-limit counters (without it they are in the
database, as on a single small server). Three phases at the same arrival rate:

1. floor: GET of the login page (no database write, no questionnaire): the server's and this
   machine's own cost of a request;
2. page: GET of the answer page alone: its latency and the servers' CPU per page;
3. answers: GET then POST of a filled sheet per respondent.

For each phase: latencies (p50, p95, p99), the servers' CPU time per request (from
/proc/<pid>/stat, all app processes together) and, for the answers, the CPU per POST (the
phase's CPU less its pages at the page phase's cost). Then the count check: answers in the
database = accepted posts = the target's counter (none lost, none counted twice). Prints the
load average of the machine at the start and the end. Target (issue 18): 5,000 answers a minute
with POST p95 < 300 ms. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "surveys"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


KEYS = [f"Q{i}" for i in range(1, 9)]


def env() -> dict[str, str]:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "请设置 DATABASE_URL 为 PostgreSQL 的临时库(例如 postgres://postgres@127.0.0.1:5432/wt_bench)"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    out = dict(os.environ)
    out.update(
        {
            "WENMING_DATA_DIR": str(OUT),
            "WENMING_HTTPS": "0",
            "WENMING_ALLOWED_HOSTS": "127.0.0.1",
            "WENMING_SECRET_KEY": out.get("WENMING_SECRET_KEY", secrets.token_hex(32)),
            "DJANGO_SETTINGS_MODULE": "wenming.settings",
            # collectstatic in prepare() writes the manifest the production servers read
            "WENMING_PRODUCTION": "1",
        }
    )
    return out


def prepare() -> str:
    """A campaign, a questionnaire of 8 satisfaction questions open on one region; its code."""
    os.environ.update(env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # servers start --no-setup
    from datetime import date

    from wenming.accounts.models import AddressAllowance, Role, RoleGrant
    from wenming.campaigns.models import Campaign
    from wenming.core.formats import framework_load
    from wenming.frameworks.services import framework_import
    from wenming.organizations.models import Region
    from wenming.surveys.models import Answer, Questionnaire, Response
    from wenming.surveys.rules import QuestionSpec
    from wenming.surveys.services import (
        question_add,
        questionnaire_create,
        target_add,
        version_open,
    )

    edition, _ = framework_import(
        framework=framework_load(ROOT / "wenming" / "library" / "civilized-unit.yaml")
    )
    region, _ = Region.objects.get_or_create(code="990100", defaults={"name": "压测市", "level": 2})
    admin, _ = User.objects.get_or_create(username="bench_admin")
    RoleGrant.objects.get_or_create(user=admin, role=Role.SYSTEM_ADMIN)
    # every respondent posts from 127.0.0.1: the address limit is lifted as for a NAT gateway
    AddressAllowance.objects.update_or_create(
        network="127.0.0.1", defaults={"login_failures_per_hour": 60, "posts_per_hour": 10**7}
    )
    Answer.objects.all().delete()
    Response.objects.all().delete()
    Questionnaire.objects.all().delete()
    campaign, _ = Campaign.objects.get_or_create(
        name="压测活动",
        defaults=dict(
            year=2026, level="city", region=region, edition=edition, created_by=admin,
            apply_from=date(2026, 1, 1), apply_until=date(2026, 12, 31),
        ),
    )  # fmt: skip
    q = questionnaire_create(actor=admin, campaign=campaign, title="压测问卷", audience="public")
    Questionnaire.objects.filter(pk=q.pk).update(device_limit=1)
    version = q.versions.get()
    section = version.sections.get()
    for key in KEYS:
        question_add(
            actor=admin, version=version, section=section,
            spec=QuestionSpec(key=key, text=f"第{key}项是否满意", kind="satisfaction"),
        )  # fmt: skip
    target_add(actor=admin, questionnaire=q, region=region, quota=100_000)
    version_open(actor=admin, version=version)
    return q.code


def start_servers(count: int, threads: int) -> list[tuple[int, subprocess.Popen[bytes]]]:
    """``count`` app processes, each on a port no other server on this machine listens on."""
    servers = []
    for i in range(count):
        port = free_port()
        cmd = [str(ROOT / ".venv" / "bin" / "wenming"), "serve", "--production", "--no-worker"]
        cmd += ["--no-setup", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--threads", str(threads)]
        log = (OUT / f"server{i + 1}.log").open("wb")  # waitress reports its queue depth there
        server = subprocess.Popen(cmd, env=env(), stdout=log, stderr=log, start_new_session=True)
        servers.append((port, server))
    deadline = time.monotonic() + 90
    for port, server in servers:
        while True:
            try:
                asyncio.run(request(port, "GET", "/login/", {}, b""))
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    stop_servers(servers)
                    sys.exit("服务未能启动")
                time.sleep(0.3)
    return servers


def stop_servers(servers: list[tuple[int, subprocess.Popen[bytes]]]) -> None:
    for _, server in servers:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for _, server in servers:
        server.wait(timeout=20)


def _cpu(pid: int | str) -> int:
    """User + system clock ticks a process has used so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def cpu_seconds(servers: list[tuple[int, subprocess.Popen[bytes]]]) -> float:
    """CPU seconds the app processes have used so far."""
    return sum(_cpu(server.pid) for _, server in servers) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds every PostgreSQL process of this machine has used so far (other users of
    the server included: an upper bound of ours)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if name == "postgres":
                total += _cpu(entry.name)
    return total / os.sysconf("SC_CLK_TCK")


async def request(
    port: int, method: str, path: str, cookies: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes, dict[str, str]]:
    """One HTTP/1.1 request on a fresh connection (a phone does not share ours)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    if cookies:
        head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if body:
        head += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            f"Referer: http://127.0.0.1:{port}{path}",
        ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    header, _, content = raw.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    set_cookies: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
        if name.strip().lower() == "set-cookie":
            k, _, v = value.strip().split(";")[0].partition("=")
            set_cookies[k] = v
    return status, headers, content, set_cookies


FIELD = re.compile(rb'name="(csrfmiddlewaretoken|started|target)"[^>]*value="([^"]*)"')
OPTION = re.compile(rb'<option value="(\d+)"')


Out = dict[str, Any]


def tally() -> Out:
    return {"get": [], "post": [], "accepted": 0, "refused": 0, "errors": 0}


async def respondent(port: int, code: str, n: int, out: Out, phase: str) -> None:
    """One arrival: the floor page, the answer page, or the answer page and its sheet."""
    path = "/login/" if phase == "floor" else f"/s/{code}/"
    t0 = time.perf_counter()
    status, _, page, cookies = await request(port, "GET", path, {}, b"")
    out["get"].append(time.perf_counter() - t0)
    if status != 200:
        out["errors"] += 1
        return
    if phase != "answers":
        return
    fields = {k.decode(): v.decode() for k, v in FIELD.findall(page)}
    target = OPTION.search(page)
    form = {
        "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
        "started": fields.get("started", ""),
        "target": target.group(1).decode() if target else "",
    }
    for i, key in enumerate(KEYS):
        form[f"q_{key}"] = ["满意", "基本满意", "不满意"][(n + i) % 3]
    t0 = time.perf_counter()
    status, headers, _, _ = await request(port, "POST", path, cookies, urlencode(form).encode())
    out["post"].append(time.perf_counter() - t0)
    if status == 302 and headers.get("location", "").endswith("/done/"):
        out["accepted"] += 1
    elif status in (200, 403, 429):
        out["refused"] += 1
    else:
        out["errors"] += 1


async def run(
    ports: list[int], code: str, rate: int, seconds: int, clients: int, phase: str
) -> Out:
    """Arrivals at ``rate`` a minute for ``seconds`` (open model), at most ``clients`` at once,
    each sent to the next server in turn."""
    out = tally()
    interval = 60 / rate
    queue: asyncio.Queue[int | None] = asyncio.Queue()

    async def worker() -> None:
        while (n := await queue.get()) is not None:
            try:
                await respondent(ports[n % len(ports)], code, n, out, phase)
            except OSError:
                out["errors"] += 1

    workers = [asyncio.create_task(worker()) for _ in range(clients)]
    start = time.perf_counter()
    total = rate * seconds // 60
    for n in range(total):
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
        queue.put_nowait(n)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    out["elapsed"] = time.perf_counter() - start
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


def phase(
    servers: list[tuple[int, subprocess.Popen[bytes]]],
    code: str,
    args: argparse.Namespace,
    name: str,
    seconds: int,
) -> tuple[Out, float]:
    """Run one phase; its tallies and the CPU seconds the app processes spent in it."""
    before, pg_before = cpu_seconds(servers), postgres_cpu()
    out = asyncio.run(
        run([port for port, _ in servers], code, args.rate, seconds, args.clients, name)
    )
    out["postgres"] = postgres_cpu() - pg_before
    return out, cpu_seconds(servers) - before


def line(label: str, values: list[float]) -> str:
    return (
        f"{label} p50 {pct(values, 0.5):.0f} ms  p95 {pct(values, 0.95):.0f} ms  "
        f"p99 {pct(values, 0.99):.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=5000, help="answers a minute")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--servers", type=int, default=2, help="app processes (round robin)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--clients", type=int, default=128, help="respondents at once, at most")
    parser.add_argument("--floor-seconds", type=int, default=15)
    parser.add_argument("--page-seconds", type=int, default=15)
    args = parser.parse_args()
    code = prepare()
    load_start = os.getloadavg()
    own_start = time.process_time()
    servers = start_servers(args.servers, args.threads)
    try:
        floor, floor_cpu = phase(servers, code, args, "floor", args.floor_seconds)
        page, page_cpu = phase(servers, code, args, "page", args.page_seconds)
        out, answers_cpu = phase(servers, code, args, "answers", args.seconds)
    finally:
        stop_servers(servers)
    own = time.process_time() - own_start
    load_end = os.getloadavg()
    from wenming.surveys.models import Answer, Response, Target

    stored = Response.objects.count()
    accepted = int(out["accepted"])
    counter = Target.objects.get().accepted
    posts: list[float] = out["post"]
    gets: list[float] = out["get"]
    minutes = out["elapsed"] / 60
    per_floor = floor_cpu / max(len(floor["get"]), 1) * 1000
    per_page = page_cpu / max(len(page["get"]), 1) * 1000
    per_post = (answers_cpu - len(gets) * per_page / 1000) / max(len(posts), 1) * 1000
    per_answer = per_page + per_post
    pg_per_answer = out["postgres"] / max(len(posts), 1) * 1000
    redis = os.environ.get("WENMING_REDIS_URL", "") or "无(计数在数据库)"
    print(
        f"目标 {args.rate} 份/分钟,{args.seconds} 秒;{args.servers} 个应用进程(轮询)"
        f"× {args.threads} 线程,最多 {args.clients} 个并发作答;限流计数 {redis}"
    )
    print(
        f"机器负载(1/5/15 分钟) 开始 {load_start[0]:.1f}/{load_start[1]:.1f}/{load_start[2]:.1f}"
        f",结束 {load_end[0]:.1f}/{load_end[1]:.1f}/{load_end[2]:.1f};{os.cpu_count()} 核"
    )
    print(
        f"下限 登录页 GET  {len(floor['get'])} 次,"
        + line("", floor["get"])
        + f",错误 {floor['errors']};应用 CPU {per_floor:.1f} ms/次"
    )
    print(
        f"问卷页 GET 单独  {len(page['get'])} 次,"
        + line("", page["get"])
        + f",错误 {page['errors']};应用 CPU {per_page:.1f} ms/次"
    )
    print(line("作答 打开(GET)", gets))
    print(line("作答 提交(POST)", posts))
    print(
        f"应用 CPU:每次提交 {per_post:.1f} ms,每位作答者(打开+提交){per_answer:.1f} ms;"
        f"5000 份/分钟需 {5000 * per_answer / 60000:.2f} 核(仅应用进程,不含数据库与压测端);"
        f"压测端自身 CPU {own:.1f} s"
    )
    print(
        f"PostgreSQL CPU(本机全部 postgres 进程,含其他用户,为上限):作答阶段 "
        f"{out['postgres']:.1f} s,每位作答者 ≤ {pg_per_answer:.1f} ms"
    )
    print(
        f"实际 {accepted / minutes:.0f} 份/分钟;受理 {accepted},拒绝 {out['refused']},"
        f"错误 {out['errors']}"
    )
    print(
        f"库中答卷 {stored}(每份 {Answer.objects.count() // max(stored, 1)} 条作答),"
        f"样本计数 {counter};"
        + ("库中 = 受理 = 计数,无丢失、无重复" if stored == accepted == counter else "不一致!")
    )
    ok = (
        accepted > 0
        and out["errors"] == 0
        and stored == accepted == counter
        and pct(posts, 0.95) < 300
        and accepted / minutes >= args.rate * 0.98
    )
    print("结论:" + ("达标" if ok else "未达标"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
