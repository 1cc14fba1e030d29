"""A representative installation to back up, and empty targets to restore into.

The demo loader takes about a minute, too slow for the suite: the data set here is built with
the project's services instead (the `world` of units and people, stored attachments with and
without thumbnails, a file stored twice, a finished job's result). The full demo is backed up
and restored by ``bench/backup_demo.py``.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.db import connection
from fpdf import FPDF
from psycopg import sql

from tests.conftest import need
from wenming.attachments.detect import image_bytes
from wenming.attachments.services import attachment_store
from wenming.backup.services import Site
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, job_run, register_job, result_dir

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ("DATABASE_URL", "WENMING_DATA_DIR", "WENMING_MEDIA_ROOT", "WENMING_SECRET_KEY")


def member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    """The content of a file in the archive (it must be a file, not a directory)."""
    member = tar.extractfile(name)
    assert member is not None, name
    return member.read()


@register_job("backup.sample")
def _sample_result(job: Job, progress: Progress) -> Path:
    path = result_dir() / f"sample-{job.pk}.txt"
    path.write_text(f"{job.label}:共3行\n", encoding="utf-8")
    progress(1, 1, "完成")
    return path


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Rules of the school")
    return bytes(pdf.output())


@pytest.fixture
def stocked(world, settings, tmp_path):
    """The world, with two photos (one stored twice), a PDF and a finished job's result."""
    settings.MEDIA_ROOT = tmp_path / "media"
    filler = world.people.filler

    def store(name: str, data: bytes) -> Any:
        return attachment_store(
            unit=world.s1, owner=world.s1, name=name, stream=io.BytesIO(data), actor=filler
        )[0]

    photo = store("升旗仪式.jpg", image_bytes("red", (320, 240)))
    store("升旗仪式(另存).jpg", image_bytes("red", (320, 240)))
    store("志愿服务.png", image_bytes("blue", (200, 150), fmt="PNG"))
    pdf = store("学校制度汇编.pdf", pdf_bytes())
    job = Job.objects.create(kind="backup.sample", label="测评汇总表", owner=filler, unit=world.s1)
    job_run(job.pk)
    # an upload being received and the PDF font cache are not part of a backup
    (settings.MEDIA_ROOT / "incoming" / "tmp-upload").write_bytes(b"half")
    (settings.MEDIA_ROOT / "fonts").mkdir()
    (settings.MEDIA_ROOT / "fonts" / "subset.otf").write_bytes(b"cache")
    return SimpleNamespace(world=world, photo=photo, pdf=pdf, job=job, media=settings.MEDIA_ROOT)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell on this machine: no configuration of the test run."""
    env = {k: v for k, v in os.environ.items() if k not in CONFIG}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, **extra}


def wenming(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wenming.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def source_counts() -> dict[str, int]:
    """Rows per table of the database under test, read through Django's connection."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f"select count(*) from {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


@dataclass
class Target:
    """An empty installation of the same kind as the database under test."""

    site: Site
    env: dict[str, str]

    def counts(self) -> dict[str, int]:
        db = self.site.database
        if db["ENGINE"].endswith("sqlite3"):
            with sqlite3.connect(db["NAME"]) as conn:
                names = [
                    r[0]
                    for r in conn.execute(
                        "select name from sqlite_master where type = 'table'"
                        " and name not like 'sqlite_%'"
                    )
                ]
                return {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
        with psycopg.connect(_pg_url(db["NAME"])) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "select tablename from pg_tables where schemaname = current_schema()"
                )
            ]
            return {
                n: conn.execute(
                    sql.SQL("select count(*) from {}").format(sql.Identifier(n))
                ).fetchone()[0]  # type: ignore[index]
                for n in names
            }


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{name}"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    data_dir = tmp_path / "restored"
    if connection.vendor == "sqlite":
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "wenming.sqlite3"),
        }
        site = Site(database=database, data_dir=data_dir, media_root=data_dir / "media")
        yield Target(site=site, env=clean_env())
        return
    need(
        bool(shutil.which("pg_dump") and shutil.which("pg_restore")),
        "未找到 pg_dump / pg_restore(PostgreSQL 客户端),PostgreSQL 备份恢复测试跳过",
    )
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg.connect(_pg_url("postgres"), autocommit=True)
    drop = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
    admin.execute(drop)
    admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    database = {**connection.settings_dict, "NAME": name}
    site = Site(database=database, data_dir=data_dir, media_root=data_dir / "media")
    try:
        yield Target(site=site, env=clean_env(DATABASE_URL=_pg_url(name)))
    finally:
        admin.execute(drop)
        admin.close()
