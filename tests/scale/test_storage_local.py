"""The directory store: a file moved in from another file system (a shared mount) arrives whole."""

from __future__ import annotations

import errno
import os

from wenming.web.storage import local_path, stored_open, stored_put


def test_a_file_from_another_file_system_is_copied_then_renamed(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = tmp_path / "upload"
    source.write_bytes(b"content" * 1000)
    real_replace = os.replace
    calls = []

    def across_devices(src, dst):
        calls.append(src)
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", across_devices)
    stored_put("files/ab/cd/x", source)
    with stored_open("files/ab/cd/x") as stored:
        assert stored.read() == b"content" * 1000
    assert not source.exists() and local_path("files/ab/cd/x") == tmp_path / "media/files/ab/cd/x"
    assert [p.name for p in (tmp_path / "media/files/ab/cd").iterdir()] == ["x"]
