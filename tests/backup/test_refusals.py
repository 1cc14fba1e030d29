"""A restore writes only into an empty target, from an unchanged archive of the same kind."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.backup.conftest import member_bytes
from wenming.backup.archive import BackupError
from wenming.backup.cli import archives_prune
from wenming.backup.services import Site, backup_create, backup_restore, target_refusal
from wenming.cli import main

pytestmark = pytest.mark.django_db(transaction=True)


def known() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


@pytest.fixture
def archive(stocked, tmp_path: Path) -> Path:
    path = tmp_path / "wenming.tar"
    assert main(["backup", str(path)]) == 0
    return path


def restore(archive: Path, site: Site, migrations: set[tuple[str, str]] | None = None) -> None:
    backup_restore(
        archive=archive, site=site, known_migrations=migrations or known(), report=lambda _: None
    )


def assert_untouched(site: Site) -> None:
    assert target_refusal(site) is None  # still empty: nothing was written
    assert not site.media_root.exists() or not any(site.media_root.rglob("*.*"))


def flip_byte(archive: Path, member: str) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    with archive.open("r+b") as handle:
        handle.seek(offset + 10)
        byte = handle.read(1)
        handle.seek(offset + 10)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_a_changed_stored_file_is_refused_naming_it(stocked, archive, target):
    sha = stocked.pdf.file.sha256
    member = f"media/files/{sha[:2]}/{sha[2:4]}/{sha}"
    flip_byte(archive, member)
    with pytest.raises(BackupError, match=f"成员“{member}”的校验值与清单不符,已拒绝恢复"):
        restore(archive, target.site)
    assert_untouched(target.site)


def test_a_changed_database_copy_is_refused(archive, target):
    member = (
        "database/wenming.sqlite3" if connection.vendor == "sqlite" else "database/wenming.pgdump"
    )
    flip_byte(archive, member)
    with pytest.raises(BackupError, match=f"成员“{member}”的校验值"):
        restore(archive, target.site)
    assert_untouched(target.site)


def test_a_member_added_to_the_archive_is_refused(archive, target, tmp_path):
    extra = tmp_path / "evil"
    extra.write_bytes(b"x")
    with tarfile.open(archive, "a") as tar:
        tar.add(extra, arcname="media/../../escaped")  # would land beside the data directory
    with pytest.raises(BackupError, match="含有重复的或清单以外的成员"):
        restore(archive, target.site)
    assert not (tmp_path / "escaped").exists()
    assert_untouched(target.site)


def test_an_archive_without_a_manifest_is_not_a_backup(tmp_path, target):
    plain = tmp_path / "other.tar"
    with tarfile.open(plain, "w") as tar:
        tar.add(Path(__file__), arcname="notes.txt")
    with pytest.raises(BackupError, match="这不是本系统的备份文件"):
        restore(plain, target.site)


@pytest.mark.parametrize("occupied", ["secret_key", "media", "database"])
def test_a_target_that_is_not_empty_is_refused(archive, target, occupied):
    site = target.site
    site.data_dir.mkdir(parents=True, exist_ok=True)
    if occupied == "secret_key":
        (site.data_dir / "secret_key").write_text("the key of another installation")
        expected = "已有密钥文件"
    elif occupied == "media":
        (site.media_root / "files").mkdir(parents=True)
        (site.media_root / "files" / "photo.jpg").write_bytes(b"someone else's photo")
        expected = "中已有文件"
    elif connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(site.database["NAME"]) as conn:
            conn.execute("create table kept (id integer)")
        expected = "中已有数据表"
    else:
        import psycopg

        with psycopg.connect(target.env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("create table kept (id integer)")
        expected = "不是空库"
    with pytest.raises(BackupError, match=f"{expected}.*不会覆盖已有数据"):
        restore(archive, site)
    assert not (site.media_root / "files" / "00").exists()
    if occupied == "secret_key":
        assert (site.data_dir / "secret_key").read_text() == "the key of another installation"


def test_the_restore_command_refuses_a_data_dir_with_a_key(archive, tmp_path, capsys):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "secret_key").write_text("kept")
    assert main(["restore", str(archive), "--data-dir", str(occupied)]) == 1
    assert "已有密钥文件 secret_key。恢复只写入空的目标,不会覆盖已有数据" in capsys.readouterr().err
    assert (occupied / "secret_key").read_text() == "kept"


def test_restore_into_another_kind_of_database_is_refused(archive, tmp_path):
    other = (
        {"ENGINE": "django.db.backends.postgresql", "NAME": "elsewhere"}
        if connection.vendor == "sqlite"
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.sqlite3")}
    )
    site = Site(database=other, data_dir=tmp_path / "d", media_root=tmp_path / "d" / "media")
    with pytest.raises(BackupError, match="不支持跨数据库类型恢复"):
        restore(archive, site)


def test_a_backup_from_a_newer_version_is_refused(archive, target):
    older = known() - {("attachments", "0001_initial")}
    with pytest.raises(BackupError, match=r"备份来自更新的版本.*attachments\.0001_initial"):
        restore(archive, target.site, older)
    assert_untouched(target.site)


def test_a_tampered_manifest_is_refused_field_by_field(archive, target, tmp_path):
    with tarfile.open(archive) as tar:
        manifest = json.loads(member_bytes(tar, "manifest.json"))
    manifest["vendor"] = "oracle"
    forged = tmp_path / "forged.tar"
    data = tmp_path / "manifest.json"
    data.write_text(json.dumps(manifest))
    with tarfile.open(forged, "w") as tar:
        tar.add(data, arcname="manifest.json")
    with pytest.raises(BackupError, match=re.escape("清单(manifest.json)不合规:vendor")):
        restore(forged, target.site)


def test_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    site = Site(
        database={"ENGINE": "django.db.backends.postgresql", "NAME": "wenming"},
        data_dir=tmp_path,
        media_root=tmp_path / "media",
    )
    out = tmp_path / "x.tar"
    with pytest.raises(BackupError, match="未找到 PostgreSQL 工具 pg_dump"):
        backup_create(site=site, secret_key="k", out=out, report=print)
    assert not out.exists()


def test_backup_never_replaces_a_file(stocked, tmp_path, capsys):
    out = tmp_path / "kept.tar"
    out.write_bytes(b"an older backup")
    assert main(["backup", str(out)]) == 1
    assert "已存在,不会覆盖" in capsys.readouterr().err
    assert out.read_bytes() == b"an older backup"


def test_backups_into_a_directory_keep_the_newest(stocked, tmp_path, capsys):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20260101-020000", "20260102-020000", "20260103-020000"):
        (folder / f"wenming-{stamp}.tar").write_bytes(b"old")
    (folder / "notes.txt").write_text("not an archive")
    assert main(["backup", str(folder), "--keep", "2"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "notes.txt" and names[1] == "wenming-20260103-020000.tar"
    assert len(names) == 3 and names[2].startswith("wenming-2") and names[2] != names[1]
    assert "已删除较早的备份:wenming-20260101-020000.tar" in capsys.readouterr().out
    assert archives_prune(folder, keep=1) == [folder / "wenming-20260103-020000.tar"]
