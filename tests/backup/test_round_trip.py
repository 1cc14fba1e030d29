"""Back up a running installation and restore it elsewhere: same rows, same files, same key."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.backup.conftest import ROOT, member_bytes, source_counts, wenming
from wenming import __version__
from wenming.cli import main

pytestmark = pytest.mark.django_db(transaction=True)

STARTS = """
import json, sys, django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("migrate", check_unapplied=True, verbosity=0)  # exits 1 when the schema lags
client = Client()
client.force_login(User.objects.get(username=sys.argv[1]))
home = client.get(reverse("home"))
photo = client.get(reverse("files:download", args=[int(sys.argv[2])]))
thumb = client.get(reverse("files:thumb", args=[int(sys.argv[2])]))
print(json.dumps({
    "key": settings.SECRET_KEY,
    "home": home.status_code,
    "photo": photo.status_code,
    "photo_bytes": b"".join(photo.streaming_content).hex(),
    "thumb": thumb.status_code,
}))
"""


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_backup_restores_every_row_file_and_the_key(stocked, target, tmp_path, capsys):
    archive = tmp_path / "备份" / "wenming.tar"
    archive.parent.mkdir()
    assert main(["backup", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"备份数据库({'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'})" in out
    assert "文件:6/6" in out and "附件3个,缩略图2个,任务结果1个" in out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    with tarfile.open(archive) as tar:
        manifest = json.loads(member_bytes(tar, "manifest.json"))
        photo = f"media/files/{stocked.photo.file.sha256[:2]}/{stocked.photo.file.sha256[2:4]}"
        for name, member in manifest["members"].items():
            data = member_bytes(tar, name)
            assert hashlib.sha256(data).hexdigest() == member["sha256"], name
    assert manifest["version"] == __version__ and manifest["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["attachments"]
    assert manifest["counts"]["tables"] == source_counts()
    assert manifest["counts"]["tables"]["attachments_attachment"] == 4
    assert f"{photo}/{stocked.photo.file.sha256}" in manifest["members"]
    assert not any("incoming" in n or "fonts" in n for n in manifest["members"])

    site = target.site
    restored = wenming("restore", str(archive), "--data-dir", str(site.data_dir), env=target.env)
    assert restored.returncode == 0, restored.stderr
    assert f"校验备份:{len(manifest['members'])}个成员全部与清单一致" in restored.stdout
    assert "张数据表的行数与备份时一致" in restored.stdout

    assert target.counts() == source_counts()
    kept = {
        k: v for k, v in digests(stocked.media).items() if not k.startswith(("incoming", "fonts"))
    }
    assert digests(site.media_root) == kept and len(kept) == 6
    assert (site.data_dir / "secret_key").read_text() == settings.SECRET_KEY
    assert stat.S_IMODE((site.data_dir / "secret_key").stat().st_mode) == 0o600

    # the restored product answers the test client's host like any configured host
    env = {
        **target.env,
        "WENMING_DATA_DIR": str(site.data_dir),
        "WENMING_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", STARTS, "filler", str(stocked.photo.pk)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "wenming.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["key"] == settings.SECRET_KEY
    assert (seen["home"], seen["photo"], seen["thumb"]) == (200, 200, 200)
    assert (
        hashlib.sha256(bytes.fromhex(seen["photo_bytes"])).hexdigest() == stocked.photo.file.sha256
    )


def test_sqlite_backup_does_not_wait_for_a_writer_nor_copy_its_unfinished_work(
    stocked, tmp_path, capsys
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 专项:PostgreSQL 由 pg_dump 的快照保证一致")
    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
    writer.execute("begin immediate")  # the server is in the middle of a write
    writer.execute("delete from attachments_attachment")
    try:
        assert main(["backup", str(tmp_path / "live.tar")]) == 0
    finally:
        writer.rollback()
        writer.close()
    with tarfile.open(tmp_path / "live.tar") as tar:
        manifest = json.loads(member_bytes(tar, "manifest.json"))
    assert manifest["counts"]["tables"]["attachments_attachment"] == 4
