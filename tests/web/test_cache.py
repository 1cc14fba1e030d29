"""Rate-limit counters live in a cache every process shares, and count parallel requests exactly."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW_CACHE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from django.core.checks import run_checks; "
    "print(json.dumps([settings.CACHES['default']['BACKEND'], "
    "[m.id for m in run_checks() if m.is_serious()]]))"
)


def product_settings(tmp_path: Path, script: str, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "WENMING_REDIS_URL"}
    env |= {"WENMING_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wenming.settings"}
    env |= extra
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_production_counts_in_the_database_by_default_and_in_redis_when_configured(tmp_path):
    backend, errors = json.loads(product_settings(tmp_path, SHOW_CACHE, WENMING_PRODUCTION="1"))
    assert backend == "wenming.web.cache.AtomicDatabaseCache" and errors == []
    backend, errors = json.loads(
        product_settings(
            tmp_path, SHOW_CACHE, WENMING_PRODUCTION="1", WENMING_REDIS_URL="redis://h:6379/0"
        )
    )
    assert backend == "django_redis.cache.RedisCache" and errors == []


def test_a_per_process_memory_cache_fails_the_system_checks(settings):
    from django_ratelimit.checks import check_caches  # type: ignore[import-untyped]

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "django_ratelimit.E003" in [e.id for e in check_caches(None) if e.is_serious()]


@pytest.mark.django_db(transaction=True)
def test_parallel_increments_of_the_database_cache_are_all_counted():
    if connection.vendor != "postgresql":
        print("\n[跳过] 并发测试在PostgreSQL上运行(CI的PostgreSQL轮次)")
        pytest.skip("concurrency is proven on PostgreSQL")
    cache.delete("parallel")
    cache.add("parallel", 0, 60)
    barrier = threading.Barrier(25)

    def bump() -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            cache.incr("parallel")
        finally:
            own.close()

    threads = [threading.Thread(target=bump) for _ in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.get("parallel") == 25
    cache.delete("parallel")


def test_redis_counts_when_wenming_redis_url_is_set(tmp_path):
    server = shutil.which("redis-server")
    need(server is not None, "未安装 redis-server(Debian 软件包 redis-server),Redis 测试跳过")
    assert server is not None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        script = (
            "import django; django.setup(); from django.core.cache import caches; cache = caches['default']; "
            "cache.add('n', 0, 60); [cache.incr('n') for _ in range(7)]; "
            "print(type(cache).__name__, cache.get('n'))"
        )
        out = product_settings(tmp_path, script, WENMING_REDIS_URL=f"redis://127.0.0.1:{port}/0")
        assert out.split() == ["RedisCache", "7"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_migrate_makes_the_cache_table(tmp_path):
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "from django.db import connection; call_command('migrate', verbosity=0); "
        "print('wenming_cache' in connection.introspection.table_names())"
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert product_settings(tmp_path, script, **env).strip() == "True"
