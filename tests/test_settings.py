"""Deployment: production mode passes Django's deploy checks; the time zone is Beijing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_time_zone_is_beijing():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def deploy_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WENMING_PRODUCTION": "1",
        "WENMING_DATA_DIR": str(tmp_path),
        "WENMING_ALLOWED_HOSTS": "wenming.example.gov.cn",
        **extra,
    }
    env.pop("WENMING_SECRET_KEY", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_in_production_mode(tmp_path: Path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_plain_http_intranet_mode_also_passes(tmp_path: Path):
    result = deploy_check(tmp_path, WENMING_HTTPS="0")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_with_the_host_recorded_by_the_first_run(tmp_path: Path):
    (tmp_path / "allowed_hosts").write_text("10.0.0.9\n", encoding="utf-8")
    result = deploy_check(tmp_path, WENMING_ALLOWED_HOSTS="")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_no_host_name_is_known(tmp_path: Path):
    result = deploy_check(tmp_path, WENMING_ALLOWED_HOSTS="")
    assert result.returncode == 1 and "security.W020" in result.stdout + result.stderr


def settings_in(tmp_path: Path, code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after Django set up with a fresh data directory, as a deployment would."""
    env = {**os.environ, "WENMING_DATA_DIR": str(tmp_path), **extra}
    for name in ("WENMING_SECRET_KEY", "WENMING_ALLOWED_HOSTS", "WENMING_PRODUCTION"):
        if name not in extra:
            env.pop(name, None)
    env.pop("DATABASE_URL", None)
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wenming.settings'; django.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", setup + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_allowed_hosts_are_this_machine_in_development(tmp_path: Path):
    result = settings_in(
        tmp_path, "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    )
    assert result.stdout.strip() == "['localhost', '127.0.0.1', '[::1]']", result.stderr


def test_allowed_hosts_in_production_come_from_the_environment_or_the_first_run(tmp_path: Path):
    show = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = settings_in(tmp_path, show, WENMING_PRODUCTION="1")
    assert result.stdout.strip() == "[]", result.stderr
    result = settings_in(
        tmp_path, show, WENMING_PRODUCTION="1", WENMING_ALLOWED_HOSTS="a.gov.cn, 10.0.0.5"
    )
    assert result.stdout.strip() == "['a.gov.cn', '10.0.0.5']", result.stderr
    (tmp_path / "allowed_hosts").write_text("10.0.0.9\n", encoding="utf-8")
    result = settings_in(tmp_path, show, WENMING_PRODUCTION="1")
    assert result.stdout.strip() == "['10.0.0.9']", result.stderr


def test_production_server_refuses_to_start_without_a_host_name(tmp_path: Path, capsys):
    code = (
        "from wenming.server import CommandError, production_hosts as _production_hosts\n"
        "try:\n    _production_hosts('0.0.0.0')\nexcept CommandError as exc:\n    print(exc)\n"
    )
    result = settings_in(tmp_path, code, WENMING_PRODUCTION="1")
    assert "请设置环境变量 WENMING_ALLOWED_HOSTS" in result.stdout, result.stderr
    assert not (tmp_path / "allowed_hosts").exists()


def test_the_first_production_run_records_its_host(tmp_path: Path):
    code = (
        "from django.conf import settings\nfrom wenming.server import production_hosts as _production_hosts\n"
        "_production_hosts('10.1.2.3'); print(settings.ALLOWED_HOSTS)\n"
    )
    result = settings_in(tmp_path, code, WENMING_PRODUCTION="1")
    assert "['10.1.2.3']" in result.stdout, result.stderr
    assert (tmp_path / "allowed_hosts").read_text(encoding="utf-8").split() == ["10.1.2.3"]


def test_database_and_secret_key_are_private_even_if_left_readable(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    old = data / "wenming.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n    c.execute('create table t (x int)')\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "print(default_storage.save('uploads/a/b.txt', ContentFile(b'x')))\n"
        "from django.conf import settings; (settings.MEDIA_ROOT / 'jobs').mkdir()\n"
        "(settings.MEDIA_ROOT / 'jobs' / 'r.zip').write_bytes(b'PK')\n"
    )
    result = settings_in(data, code)
    assert result.returncode == 0, result.stderr
    mode = lambda p: p.stat().st_mode & 0o777  # noqa: E731
    assert mode(data) == 0o700
    assert mode(old) == 0o600 and mode(data / "secret_key") == 0o600
    media = data / "media"
    assert mode(media) == 0o700
    assert mode(media / "uploads") == 0o700 and mode(media / "uploads" / "a") == 0o700
    assert mode(media / "uploads" / "a" / "b.txt") == 0o600
    assert mode(media / "jobs") == 0o700 and mode(media / "jobs" / "r.zip") == 0o600
