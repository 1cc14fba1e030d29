"""PostgreSQL is the production database: the suite must run on it in CI."""

from __future__ import annotations

import os

import psycopg

from tests.conftest import need

URL = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


def test_postgresql_is_reachable():
    try:
        with psycopg.connect(URL, connect_timeout=3) as conn:
            version = conn.execute("select version()").fetchone()
    except psycopg.OperationalError as exc:
        need(False, f"PostgreSQL 不可用({URL}):{exc}".splitlines()[0])
        return
    assert version is not None and "PostgreSQL" in version[0]
