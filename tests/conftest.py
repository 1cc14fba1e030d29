from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from wenming.core.engine import Engine
from wenming.core.formats import framework_load
from wenming.core.framework import Framework

DATA = Path(__file__).parent / "data"
LIBRARY = Path(__file__).parent.parent / "wenming" / "library"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(available: bool, reason: str) -> None:
    """Skip with a printed reason when something a fresh machine may lack is absent; in CI, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true 但缺少:{reason}")
    print(f"\n[跳过] {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def library(name: str) -> Framework:
    return framework_load(LIBRARY / f"{name}.yaml")


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """After the last test, before the test database is dropped: the live server's request
    threads can still hold PostgreSQL sessions (browser keep-alive), which would block the drop."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity"
                    " where datname = current_database() and pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's many rounds protect real accounts; tests need many accounts quickly
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def mini() -> Framework:
    return framework_load(DATA / "mini.yaml")


@pytest.fixture(scope="session")
def mini_engine(mini: Framework) -> Engine:
    return Engine(mini)


@pytest.fixture(scope="session")
def school() -> Framework:
    return library("school-standard")


@pytest.fixture(scope="session")
def school_engine(school: Framework) -> Engine:
    return Engine(school)
