from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import UnitFactory, UnitTypeFactory, person, region
from wenming.accounts.models import Role
from wenming.core.engine import Engine
from wenming.core.formats import framework_load
from wenming.core.framework import Framework
from wenming.organizations.models import RegionLevel

DATA = Path(__file__).parent / "data"
LIBRARY = Path(__file__).parent.parent / "wenming" / "library"
IN_CI = os.environ.get("CI", "").lower() == "true"


# Fixtures through which a test reaches the database (the session-wide set-up every test has
# through an autouse fixture does not count).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``WENMING_TESTS=database``: only the tests that use the database (CI's second round, on
    PostgreSQL, leaves out what the first round already ran and no database can change)."""
    if os.environ.get("WENMING_TESTS") != "database":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        (kept if uses else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def need(available: bool, reason: str) -> None:
    """Skip with a printed reason when something a fresh machine may lack is absent; in CI, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true 但缺少:{reason}")
    print(f"\n[跳过] {reason}")
    pytest.skip(reason)


def need_cjk_font() -> None:
    """PDFs embed a CJK font found on the system; a fresh machine may have none."""
    from wenming.core.fonts import FontMissing, cjk_font

    try:
        cjk_font()
    except FontMissing:
        need(False, "未找到中文字体(Debian 软件包 fonts-noto-cjk),PDF测试跳过")


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


@pytest.fixture
def world(db):
    """A city with two districts, a township, an education bureau and its schools, and people."""
    city = region("江城市", RegionLevel.CITY, code="420100")
    east = region("江东区", RegionLevel.COUNTY, city, code="420102")
    west = region("江西区", RegionLevel.COUNTY, city, code="420103")
    town = region("临江街道", RegionLevel.TOWNSHIP, east, code="420102001")
    agency = UnitTypeFactory.create(name="机关")
    school = UnitTypeFactory.create(name="学校", is_school=True)
    bureau = UnitFactory.create(name="江东区教育局", unit_type=agency, region=east)
    s1 = UnitFactory.create(
        name="江东区第一小学", unit_type=school, region=town, supervisor=bureau, stage="小学"
    )
    s2 = UnitFactory.create(
        name="江东区实验中学", unit_type=school, region=east, supervisor=bureau, stage="初中"
    )
    other = UnitFactory.create(
        name="江西区人民医院", unit_type=UnitTypeFactory.create(name="医院"), region=west
    )
    people = SimpleNamespace(
        admin=person("admin", Role.SYSTEM_ADMIN),
        city_office=person("city_office", Role.OFFICE, region_=city),
        east_office=person("east_office", Role.OFFICE, region_=east),
        supervisor=person("supervisor", Role.SUPERVISOR, unit=bureau),
        head=person("head", Role.UNIT_HEAD, unit=s1),
        unit_admin=person("unit_admin", Role.UNIT_ADMIN, unit=s1),
        filler=person("filler", Role.UNIT_FILLER, unit=s1),
        other_filler=person("other_filler", Role.UNIT_FILLER, unit=other),
        expert=person("expert", Role.EXPERT),
    )
    return SimpleNamespace(
        city=city,
        east=east,
        west=west,
        town=town,
        bureau=bureau,
        s1=s1,
        s2=s2,
        other=other,
        people=people,
        types=SimpleNamespace(agency=agency, school=school),
    )
