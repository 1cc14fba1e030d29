"""Django through pgbouncer in transaction mode (the deployment's pooler, docs/deploy.md):
with WENMING_DB_POOLER=1 no server-side cursor and no prepared statement outlives a
transaction, so threads sharing a few server connections never trip on each other's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import need
from tests.scale.conftest import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent

WORK = """
import threading, django
django.setup()
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
failures = []

def work(n):
    try:
        for i in range(12):  # past psycopg's prepare threshold of five
            Group.objects.filter(name__startswith="pool").count()
            list(Group.objects.order_by("pk").iterator(chunk_size=2))
            with transaction.atomic():
                group = Group.objects.create(name=f"pool-{n}-{i}")
                group.delete()
    except Exception as exc:
        failures.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
for t in threads: t.start()
for t in threads: t.join()
print(failures or "ok")
"""


@pytest.mark.django_db(transaction=True)
def test_django_works_through_pgbouncer_in_transaction_mode(tmp_path):
    if connection.vendor != "postgresql":
        print("\n[跳过] 连接池测试在PostgreSQL上运行(CI的PostgreSQL轮次)")
        pytest.skip("pgbouncer sits in front of PostgreSQL")
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    need(Path(binary).exists(), "未安装 pgbouncer(Debian 软件包 pgbouncer),连接池测试跳过")
    db = connection.settings_dict
    port = free_port()
    home = Path("/tmp") / f"wenming-pgbouncer-test-{port}"  # readable by the postgres account
    home.mkdir(mode=0o755)
    (home / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (home / "pgbouncer.ini").write_text(
        f"[databases]\n{db['NAME']} = host={db['HOST']} port={db['PORT']} dbname={db['NAME']}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {home / 'users.txt'}\npool_mode = transaction\ndefault_pool_size = 2\n"
        "ignore_startup_parameters = extra_float_digits,options\nunix_socket_dir =\n"
    )
    command = [binary, str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        for path in (home, home / "users.txt", home / "pgbouncer.ini"):
            shutil.chown(path, "postgres")
        command = ["su", "postgres", "-s", "/bin/sh", "-c", f"exec {' '.join(command)}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, "pgbouncer")
        env = {k: v for k, v in os.environ.items() if not k.startswith("WENMING_")}
        env |= {
            "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}",
            "WENMING_DB_POOLER": "1",
            "WENMING_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "wenming.settings",
        }
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", WORK], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.stdout.strip() == "ok", result.stdout + result.stderr
        assert time.monotonic() - started < 60
    finally:
        stop(process)
        shutil.rmtree(home, ignore_errors=True)
