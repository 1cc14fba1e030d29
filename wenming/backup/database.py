"""Copy a database out consistently while the product runs, and load it into an empty one.

SQLite goes through the online backup API (a consistent copy even while the server writes: in
WAL mode writers are not blocked). PostgreSQL goes through ``pg_dump`` in its custom format,
run inside a repeatable-read transaction whose snapshot the dump shares, so the row counts
written to the manifest are those of the dump. Each side takes Django's settings dictionary for
one database, so a backup can be restored into any database, not only the configured one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from wenming.backup.archive import BackupError

SQLITE_ENGINES = ("django.db.backends.sqlite3", "wenming.web.db.sqlite3")
POSTGRES_ENGINES = ("django.db.backends.postgresql", "wenming.web.db.postgresql")
PG_TIMEOUT = 24 * 3600  # a dump of many GB may take hours; never wait for ever


@dataclass
class Snapshot:
    """What a database held at the moment it was copied."""

    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)


def vendor_of(database: dict[str, Any]) -> str:
    engine = database["ENGINE"]
    if engine in SQLITE_ENGINES:
        return "sqlite"
    if engine in POSTGRES_ENGINES:
        return "postgresql"
    raise BackupError(f"不支持备份此类数据库({engine}),仅支持 SQLite 和 PostgreSQL")


VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# -- SQLite -----------------------------------------------------------------------------


def _sqlite_snapshot(conn: sqlite3.Connection) -> Snapshot:
    names = [
        row[0]
        for row in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            " order by name"
        )
    ]
    snapshot = Snapshot()
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        snapshot.tables[name] = conn.execute(f"select count(*) from {quoted}").fetchone()[0]
    if "django_migrations" in snapshot.tables:
        for app, migration in conn.execute("select app, name from django_migrations order by id"):
            snapshot.migrations.setdefault(app, []).append(migration)
    return snapshot


def sqlite_copy(*, database: dict[str, Any], target: Path) -> Snapshot:
    """A consistent copy of the live SQLite database into ``target`` (online backup API)."""
    source_path = Path(database["NAME"])
    if not source_path.is_file():
        raise BackupError(f"找不到数据库文件“{source_path}”")
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a single read transaction, so one consistent state
        copy.execute("pragma journal_mode = delete")  # one self-contained file
        return _sqlite_snapshot(copy)
    finally:
        copy.close()
        source.close()


def sqlite_tables(path: Path) -> list[str]:
    """The tables of a SQLite file (none when there is no file; it is not created)."""
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=20)
    try:
        return [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            )
        ]
    finally:
        conn.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path, timeout=20)
    try:
        return _sqlite_snapshot(conn).tables
    finally:
        conn.close()


# -- PostgreSQL -------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"未找到 PostgreSQL 工具 {name}:请安装与服务器版本一致的 PostgreSQL 客户端"
            f"(Debian/Ubuntu:apt-get install postgresql-client),并确保它在 PATH 中"
        )
    return found


def _pg_params(database: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it
    (a password on the command line would be visible to every user of the machine)."""
    keys = {"dbname": "NAME", "user": "USER", "host": "HOST", "port": "PORT"}
    params = {k: str(database[v]) for k, v in keys.items() if database.get(v)}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if value := database.get("OPTIONS", {}).get(option):
            params[option] = str(value)
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return make_conninfo(**params), env


@contextmanager
def _pg_connect(database: dict[str, Any]) -> Iterator[psycopg.Connection[Any]]:
    conninfo, env = _pg_params(database)
    try:
        conn = psycopg.connect(
            conninfo, password=env.get("PGPASSWORD"), autocommit=True, connect_timeout=10
        )
    except psycopg.OperationalError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        raise BackupError(f"无法连接 PostgreSQL 数据库“{database.get('NAME')}”:{detail}") from None
    try:
        yield conn
    finally:
        conn.close()


def _pg_snapshot(conn: psycopg.Connection[Any]) -> Snapshot:
    names = [
        row[0]
        for row in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where c.relkind in ('r', 'p') and n.nspname = current_schema() order by 1"
        )
    ]
    snapshot = Snapshot()
    for name in names:
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(name))
        row = conn.execute(query).fetchone()
        snapshot.tables[name] = int(row[0]) if row else 0
    if "django_migrations" in snapshot.tables:
        for app, migration in conn.execute("select app, name from django_migrations order by id"):
            snapshot.migrations.setdefault(app, []).append(migration)
    return snapshot


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what}超时未完成") from None
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{what}失败:{detail}")


def pg_dump(*, database: dict[str, Any], target: Path) -> Snapshot:
    """Dump the database to ``target`` (custom format) from one snapshot, counting its rows."""
    tool = pg_tool("pg_dump")
    conninfo, env = _pg_params(database)
    with _pg_connect(database) as conn:
        conn.execute("begin isolation level repeatable read read only")
        row = conn.execute("select pg_export_snapshot()").fetchone()
        assert row is not None
        _run(
            [tool, "--format=custom", f"--snapshot={row[0]}", f"--file={target}", conninfo],
            env,
            "导出 PostgreSQL 数据库(pg_dump)",
        )
        snapshot = _pg_snapshot(conn)
        conn.execute("rollback")
    return snapshot


def pg_relations(database: dict[str, Any]) -> list[str]:
    """Tables, views and sequences of the target's schema: an empty database has none."""
    with _pg_connect(database) as conn:
        return [
            r[0]
            for r in conn.execute(
                "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where c.relkind in ('r', 'p', 'v', 'm', 'S') and n.nspname = current_schema()"
            )
        ]


def pg_restore(*, database: dict[str, Any], dump: Path) -> None:
    """Load a custom-format dump into the (empty) database, all or nothing."""
    tool = pg_tool("pg_restore")
    conninfo, env = _pg_params(database)
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "载入 PostgreSQL 数据库(pg_restore)",
    )


def pg_counts(database: dict[str, Any]) -> dict[str, int]:
    with _pg_connect(database) as conn:
        return _pg_snapshot(conn).tables
