"""Load test: answer sheets posted to the real server (waitress, ``wenming serve
--production``) on PostgreSQL, as phones on an intranet would: each respondent opens the page
(GET: the form, its CSRF token and its start stamp) and posts the sheet (POST).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_bench .venv/bin/python bench/surveys_load.py
      [--rate 5000] [--seconds 60] [--clients 64] [--threads 16]

The database named by DATABASE_URL is a scratch one (its questionnaires are replaced). Prints
the POST latencies (p50, p95, p99), the achieved rate, the server's answers (accepted, refused,
errors) and checks that the answers in the database equal the accepted posts (none lost, none
counted twice). Floor, measured in the same run: the p95 of the page itself (GET), which does no
writing. Target (issue 18): 5,000 answers a minute with p95 < 300 ms. Not a test.
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "surveys"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = free_port()  # never a port another server on this machine listens on
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


def start_server(threads: int) -> subprocess.Popen[bytes]:
    cmd = [str(ROOT / ".venv" / "bin" / "wenming"), "serve", "--production", "--no-worker"]
    cmd += ["--port", str(PORT), "--threads", str(threads)]
    log = (OUT / "server.log").open("wb")  # waitress reports its queue depth there
    server = subprocess.Popen(cmd, env=env(), stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            asyncio.run(request("GET", "/login/", {}, b""))
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("服务未能启动")


async def request(
    method: str, path: str, cookies: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes, dict[str, str]]:
    """One HTTP/1.1 request on a fresh connection (a phone does not share ours)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", "Connection: close"]
    if cookies:
        head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if body:
        head += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            f"Referer: http://127.0.0.1:{PORT}{path}",
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


async def respondent(code: str, n: int, out: dict[str, list[float] | int]) -> None:
    path = f"/s/{code}/"
    t0 = time.perf_counter()
    status, _, page, cookies = await request("GET", path, {}, b"")
    out["get"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
    if status != 200:
        out["errors"] += 1  # type: ignore[operator]
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
    status, headers, _, _ = await request("POST", path, cookies, urlencode(form).encode())
    out["post"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
    if status == 302 and headers.get("location", "").endswith("/done/"):
        out["accepted"] += 1  # type: ignore[operator]
    elif status in (200, 403, 429):
        out["refused"] += 1  # type: ignore[operator]
    else:
        out["errors"] += 1  # type: ignore[operator]


async def run(code: str, rate: int, seconds: int, clients: int) -> dict[str, list[float] | int]:
    out: dict[str, list[float] | int] = {
        "get": [],
        "post": [],
        "accepted": 0,
        "refused": 0,
        "errors": 0,
    }
    interval = 60 / rate
    queue: asyncio.Queue[int | None] = asyncio.Queue()

    async def worker() -> None:
        while (n := await queue.get()) is not None:
            try:
                await respondent(code, n, out)
            except OSError:
                out["errors"] += 1  # type: ignore[operator]

    workers = [asyncio.create_task(worker()) for _ in range(clients)]
    start = time.perf_counter()
    total = rate * seconds // 60
    for n in range(total):  # arrivals at the target rate (open model)
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
        queue.put_nowait(n)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    out["elapsed"] = int((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=5000, help="answers a minute")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=64, help="respondents at once, at most")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    args = parser.parse_args()
    code = prepare()
    server = start_server(args.threads)
    try:
        out = asyncio.run(run(code, args.rate, args.seconds, args.clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    from wenming.surveys.models import Answer, Response, Target

    stored = Response.objects.count()
    accepted = int(out["accepted"])  # type: ignore[arg-type]
    counter = Target.objects.get().accepted
    posts: list[float] = out["post"]  # type: ignore[assignment]
    gets: list[float] = out["get"]  # type: ignore[assignment]
    minutes = int(out["elapsed"]) / 60000  # type: ignore[arg-type]
    print(
        f"目标 {args.rate} 份/分钟,{args.seconds} 秒,最多 {args.clients} 个并发作答,waitress {args.threads} 线程"
    )
    print(
        f"提交(POST)  p50 {pct(posts, 0.5):.0f} ms  p95 {pct(posts, 0.95):.0f} ms  p99 {pct(posts, 0.99):.0f} ms"
    )
    print(f"打开(GET,下限) p50 {pct(gets, 0.5):.0f} ms  p95 {pct(gets, 0.95):.0f} ms")
    print(
        f"实际 {accepted / minutes:.0f} 份/分钟;受理 {accepted},拒绝 {out['refused']},错误 {out['errors']}"
    )
    print(
        f"库中答卷 {stored}(每份 {Answer.objects.count() // max(stored, 1)} 条作答),样本计数 {counter}"
    )
    ok = (
        accepted > 0
        and out["errors"] == 0
        and stored == accepted == counter
        and pct(posts, 0.95) < 300
    )
    print("结论:" + ("达标" if ok else "未达标"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
