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
    env = {**os.environ, "WENMING_PRODUCTION": "1", "WENMING_DATA_DIR": str(tmp_path), **extra}
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
