"""Benchmark: logged-in list pages under 20 concurrent clients, one production process.

Run:  .venv/bin/python bench/list_pages.py [--clients 20] [--seconds 8] [--reuse]
      [--pages /units/,/todo/] [--user city_office] [--threads N] [--cpu | --profile]
      [--rounds 100]

Loads the demo (``wenming demo``) into a scratch data directory (``bench/out/list_pages``;
``--reuse`` keeps the one an earlier run loaded), starts ``wenming serve --production
--no-worker`` (waitress, as an office runs it; plain HTTP) on a free port and drives it with
``--clients`` concurrent keep-alive clients (asyncio, one connection each) for ``--seconds``
per page. Each client logs in as ``--user`` once. The floor is the login page (no session, no
database), measured in the same run on the same server. Prints requests/s, p50 and p95 per
page, and the server's CPU time per request (user and kernel, from /proc; ``--threads``: the
server's request threads, the product's default when not given). ``--cpu`` instead renders
each page in this process (production settings) and prints its
query count and the CPU time of one request, p50 and p95 over ``--rounds``, the login page as
the floor: the steadier figure on a shared machine (150 requests/s ≈ 6.7 ms a request).
``--profile`` adds cProfile's 20 functions with the most own time per page. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from common import OUT, ROOT

DATA = OUT / "list_pages"
PASSWORD = "Wenming@2026"
# every list page of the top bar (and the home page), as an office user sees them
PAGES = (
    "/",
    "/units/",
    "/todo/",
    "/dashboards/",
    "/campaigns/",
    "/self-assessments/",
    "/ledger/",
    "/rectification/",
    "/onsite/",
    "/notices/",
    "/frameworks/",
    "/titles/",
    "/accounts/",
    "/audit/",
)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WENMING_DATA_DIR=str(DATA),
        WENMING_HTTPS="0",
        WENMING_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="wenming.settings",
    )
    env.pop("DATABASE_URL", None)
    return env


def load_demo(env: dict[str, str]) -> None:
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wenming.cli", "demo"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"演示数据已载入 {time.perf_counter() - started:.0f} s")


def cpu_of(pid: int) -> tuple[float, float]:
    """A process's user and kernel CPU seconds so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int) -> None:
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")


def login(base: str, user: str) -> str:
    """Log in as a person does (form with its CSRF token); the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    opener.open(urllib.request.Request(base + "/login/", data=body, headers={"Referer": base}))
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, f"login as {user} failed"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def client(
    port: int, path: str, cookie: str, until: float, times: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            times.append(time.perf_counter() - started)
            if b" 200 " not in status:
                errors.append(status.decode().strip())
    finally:
        writer.close()


async def measure(
    port: int, path: str, cookie: str, clients: int, seconds: float
) -> tuple[float, float, float, list[str]]:
    times: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(client(port, path, cookie, until, times, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - started
    cut = statistics.quantiles(times, n=20)
    return len(times) / elapsed, statistics.median(times), cut[18], errors


def in_process(pages: list[str], user: str, rounds: int, with_profile: bool) -> None:
    """Each page rendered in this process (production settings): its query count and the CPU
    time of one request (p50/p95 of ``rounds``), the login page as the floor; ``with_profile``
    adds the 20 functions with the most own time under cProfile."""
    import cProfile
    import pstats

    os.environ.update(environment(), WENMING_PRODUCTION="1")
    os.environ["WENMING_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest's names
    import logging

    devnull = open(os.devnull, "w")  # noqa: SIM115 -- the access lines, formatted but not shown
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    anonymous, browser = Client(), Client()
    browser.post("/login/", {"username": user, "password": PASSWORD})
    print(f"进程内每次请求的 CPU 时间,用户 {user},每页 {rounds} 次(150 次/秒 ≈ 6.7 ms)")
    print(f"{'页面':<22}{'查询':>6}{'p50 ms':>9}{'p95 ms':>9}")
    total = 0.0
    for label, path, who in [("/login/ (floor)", "/login/", anonymous)] + [
        (p, p, browser) for p in pages
    ]:
        response = who.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            who.get(path)
        times = []
        for _ in range(rounds):
            started = time.process_time()
            who.get(path)
            times.append(time.process_time() - started)
        cut = statistics.quantiles(times, n=20)
        p50 = statistics.median(times) * 1000
        if who is browser:
            total += p50
        print(f"{label:<24}{len(queries):>6}{p50:>9.1f}{cut[18] * 1000:>9.1f}")
        if with_profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(rounds):
                who.get(path)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    print(f"列表页合计 p50 {total:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--user", default="city_office")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--cpu", action="store_true", help="in-process CPU ms per request")
    parser.add_argument("--profile", action="store_true", help="--cpu and cProfile's top 20")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--threads", type=int, default=0, help="the server's request threads")
    args = parser.parse_args()
    env = environment()
    if not (args.reuse and (DATA / "wenming.sqlite3").exists()):
        load_demo(env)
    pages = [p for p in args.pages.split(",") if p]
    if args.cpu or args.profile:
        in_process(pages, args.user, args.rounds, args.profile)
        return
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wenming.cli",
            "serve",
            "--production",
            "--no-worker",
            *(["--threads", str(args.threads)] if args.threads else []),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # waitress warns of its queue depth under this load
    )
    try:
        wait_up(port)
        base = f"http://127.0.0.1:{port}"
        cookie = login(base, args.user)
        load = os.getloadavg()[0]
        print(
            f"{args.clients} 个并发客户端,每页 {args.seconds:g} s,用户 {args.user},"
            f"waitress 单进程,SQLite;开始时负载 {load:.1f}(CPU {os.cpu_count()} 核)"
        )
        print(f"{'页面':<22}{'次/秒':>8}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms/次':>11}{'内核':>7}")
        rows = [("/login/ (floor)", "/login/", "")] + [(p, p, cookie) for p in pages]
        worst = None
        floor = 0.0
        for label, path, session in rows:
            asyncio.run(measure(port, path, session, args.clients, 1))  # warm up
            user_before, kernel_before = cpu_of(server.pid)
            rate, p50, p95, errors = asyncio.run(
                measure(port, path, session, args.clients, args.seconds)
            )
            user_after, kernel_after = cpu_of(server.pid)
            served = max(1.0, rate * args.seconds)
            user_ms = (user_after - user_before) / served * 1000
            kernel_ms = (kernel_after - kernel_before) / served * 1000
            print(
                f"{label:<24}{rate:>8.0f}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}"
                f"{user_ms + kernel_ms:>11.1f}{kernel_ms:>7.1f}"
            )
            if errors:
                print(f"  非200响应 {len(errors)} 个,例如 {errors[0]}")
            if not session:
                floor = rate
            elif worst is None or rate < worst[1]:
                worst = (label, rate)
        if worst:
            # the goal was set where the login page served 483/s: on a machine of another
            # speed, the same share of the floor is the comparable figure
            print(
                f"最慢的列表页 {worst[0]}:{worst[1]:.0f} 次/秒(目标 ≥ 150),"
                f"为底线的 {worst[1] / max(floor, 1):.0%}(目标按底线折算:≥ 150/483 = 31%)"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
