"""Back up and restore the full demo, as an administrator would, and check the copy.

Loads the demo (``wenming demo``) into a scratch data directory, then times ``wenming backup``
and ``wenming restore`` run as commands (Python start-up included) and compares every table's
row count, every stored file's SHA-256 and the secret key of the original and the copy.

    .venv/bin/python bench/backup_demo.py [--database sqlite|postgres] [--extra-mb 2000]

``--extra-mb`` adds that much in large stored files, to show that time grows with the bytes
while memory stays flat (files are streamed, never read whole).

With ``--database postgres`` the demo goes into a new database ``wenming_bench_backup`` and is
restored into ``wenming_bench_backup_restored`` (both on 127.0.0.1:5432, dropped first).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, ROOT

PG = "postgres://postgres@127.0.0.1:5432/{}"


def run(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Run one ``wenming`` command: seconds taken and its peak memory in MB."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "wenming.cli", *args], cwd=ROOT, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"wenming {args[0]} failed ({child.returncode})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def add_large_files(media: Path, megabytes: int) -> None:
    """Stored files of 100 MB each (random content, named by hash as the store names them),
    written in chunks so that this process stays small: a child's peak memory as reported by
    the kernel counts its parent's at the moment it was started."""
    for _ in range(megabytes // 100):
        digest, spool = hashlib.sha256(), media / "incoming" / "large"
        spool.parent.mkdir(parents=True, exist_ok=True)
        with spool.open("wb") as out:
            for _ in range(100):
                chunk = os.urandom(1024 * 1024)
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        path = media / "files" / sha[:2] / sha[2:4] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        spool.replace(path)


def pg_recreate(name: str) -> None:
    import psycopg

    with psycopg.connect(PG.format("postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
                )
            ]
            return {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
    import psycopg

    with psycopg.connect(url) as conn:
        names = [
            r[0] for r in conn.execute("select tablename from pg_tables where schemaname='public'")
        ]
        return {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}  # type: ignore[index]


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in ("incoming", "fonts")
    }


def size(path: Path) -> str:
    total = (
        path.stat().st_size
        if path.is_file()
        else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    )
    return f"{total / 1024 / 1024:.1f} MB" if total > 1024 * 1024 else f"{total / 1024:.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--extra-mb", type=int, default=0, help="add large stored files (MB)")
    args = parser.parse_args()
    scratch = OUT / f"backup-demo-{args.database}"
    shutil.rmtree(scratch, ignore_errors=True)
    source, restored, archive = scratch / "data", scratch / "restored", scratch / "demo.tar"
    source.mkdir(parents=True)
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("WENMING_") and k != "DATABASE_URL"
    }
    if args.database == "sqlite":
        source_url, target_url = (f"sqlite:///{d / 'wenming.sqlite3'}" for d in (source, restored))
    else:
        pg_recreate("wenming_bench_backup")
        pg_recreate("wenming_bench_backup_restored")
        source_url = PG.format("wenming_bench_backup")
        target_url = PG.format("wenming_bench_backup_restored")
    source_env = {**base, "WENMING_DATA_DIR": str(source), "DATABASE_URL": source_url}
    target_env = {**base, "DATABASE_URL": target_url}

    demo, _ = run("demo", env=source_env)
    add_large_files(source / "media", args.extra_mb)
    backup, backup_mb = run("backup", str(archive), env=source_env)
    restore, restore_mb = run("restore", str(archive), "--data-dir", str(restored), env=target_env)

    same_rows = counts(source_url) == counts(target_url)
    files = digests(source / "media")
    same_files = files == digests(restored / "media")
    same_key = (source / "secret_key").read_bytes() == (restored / "secret_key").read_bytes()
    rows = sum(counts(source_url).values())
    database = size(source / "wenming.sqlite3") if args.database == "sqlite" else "PostgreSQL"
    print(
        f"\n{args.database}: demo loaded in {demo:.1f} s ({rows} rows, {len(files)} files of"
        f" {size(source / 'media')}, database {database})\n"
        f"  backup  {backup:.1f} s -> archive {size(archive)}, peak memory {backup_mb:.0f} MB\n"
        f"  restore {restore:.1f} s (checks every SHA-256 before and after),"
        f" peak memory {restore_mb:.0f} MB\n"
        f"  rows equal: {same_rows}, files equal: {same_files}, key equal: {same_key}"
    )
    if not (same_rows and same_files and same_key):
        sys.exit(1)


if __name__ == "__main__":
    main()
