"""Shared set-up for the page benchmarks: a fresh database, Django, migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def run_per_database(
    script: str, database: str, *, order: tuple[str, ...] = ("sqlite", "postgres")
) -> bool:
    """``--database both``: run ``script`` once per database, each in a process of its own
    (Django is set up once per process), with the other arguments as given. True if it did."""
    if database != "both":
        return False
    argv, rest = sys.argv[1:], []
    while argv:
        arg = argv.pop(0)
        if arg == "--database":
            argv.pop(0)
        elif not arg.startswith("--database="):
            rest.append(arg)
    for db in order:
        subprocess.run([sys.executable, script, *rest, "--database", db], check=True)
    return True


def fresh_django(database: str, name: str, *, keep: bool = False) -> None:
    """Point Django at a new empty SQLite file or PostgreSQL database ``name`` and migrate it
    (``keep``: reuse the file or database left by an earlier run, migrating it forward)."""
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["WENMING_DATA_DIR"] = str(OUT)
    if database == "sqlite":
        path = OUT / f"{name}.sqlite3"
        if not keep:
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if exists and not keep:
                conn.execute(f'drop database "{name}"')
            if not exists or not keep:
                conn.execute(f'create database "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
