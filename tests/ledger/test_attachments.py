"""The attachment store: type by content, size limit, dedupe, thumbnails, scoped download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.ledger.conftest import photo
from wenming.attachments.detect import FileRejected, image_bytes
from wenming.attachments.models import StoredFile
from wenming.attachments.services import attachment_store, content_path, safe_name, thumbnail_path


def store(world, name, data):
    return attachment_store(
        unit=world.other, owner=world.other, name=name, stream=data, actor=world.people.other_filler
    )


def test_same_content_is_stored_once_and_recognised(world):
    first, reused_first = store(world, "现场.jpg", photo())
    second, reused_second = store(world, "另存为.jpg", photo())
    assert (reused_first, reused_second) == (False, True)
    assert StoredFile.objects.count() == 1 and first.file == second.file
    assert content_path(first.file.sha256).exists() and thumbnail_path(first.file.sha256).exists()


def test_a_fake_jpeg_is_rejected_with_a_clear_message(world):
    with pytest.raises(FileRejected, match="扩展名表示JPEG图片,但内容不是JPEG图片"):
        store(world, "照片.jpg", io.BytesIO(b"this is not a picture at all"))
    with pytest.raises(FileRejected, match="扩展名表示JPEG图片,但内容是PDF文档"):
        store(world, "照片.jpg", io.BytesIO(b"%PDF-1.4 fake"))
    with pytest.raises(FileRejected, match="扩展名表示JPEG图片,但内容是PNG图片"):
        store(world, "照片.jpg", io.BytesIO(image_bytes(fmt="PNG")))
    with pytest.raises(FileRejected, match="不支持的文件类型"):
        store(world, "run.exe", io.BytesIO(b"MZ\x90\x00"))


def test_a_broken_image_is_rejected(world):
    broken = photo().getvalue()[:60]
    with pytest.raises(FileRejected, match="已损坏或不完整"):
        store(world, "坏图.jpg", io.BytesIO(broken))


def test_size_limit_is_configurable(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(FileRejected, match="文件超过0MB上限"):
        store(world, "大图.jpg", photo())
    assert not list((settings.MEDIA_ROOT / "incoming").iterdir())  # nothing half-written


def test_filenames_are_sanitised_but_chinese_kept():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\照片\\活动 现场.JPG") == "活动 现场.jpg"
    assert safe_name('a<b>:c"d|e?.pdf') == "a_b__c_d_e_.pdf"
    assert safe_name("...") == "附件"


def test_files_are_served_only_to_people_who_may_see_the_unit(client, world):
    attachment, _ = store(world, "现场.jpg", photo())
    client.force_login(world.people.other_filler)
    response = client.get(reverse("files:download", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("files:thumb", args=[attachment.pk])).status_code == 200
    for who in ("filler", "east_office", "supervisor", "expert"):
        client.force_login(getattr(world.people, who))
        assert client.get(reverse("files:download", args=[attachment.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("files:download", args=[attachment.pk])).status_code == 302


def _unzip_test(target):
    """Info-ZIP's own check, when the machine has it (it is stricter than zipfile)."""
    import shutil
    import subprocess

    if shutil.which("unzip"):
        result = subprocess.run(["unzip", "-tq", str(target)], capture_output=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_stored_files_copied_into_a_zip_read_back_intact(world, tmp_path):
    import os
    import zipfile
    import zlib

    from wenming.attachments.zipcopy import ZipWriter

    new, _ = store(world, "新.jpg", photo("blue"))
    old, _ = store(world, "旧.jpg", photo("green"))
    assert new.file.crc32 == zlib.crc32(content_path(new.file.sha256).read_bytes())
    StoredFile.objects.filter(pk=old.file.pk).update(crc32=None)  # stored before CRCs were kept
    old.file.refresh_from_db()
    target = tmp_path / "out.zip"
    sheet = tmp_path / "index.xlsx"
    sheet.write_bytes(b"sheet" * 100)
    fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    with ZipWriter(fd) as archive:
        archive.add_bytes("说明.txt", "文字".encode())
        archive.add_stored("甲/新.jpg", new.file)
        archive.add_bytes("乙/记录.txt", ("记录" * 1000).encode())
        archive.add_stored("甲/旧.jpg", old.file)
        archive.add_path("index.xlsx", sheet)
        with pytest.raises(ValueError, match="同名"):
            archive.add_bytes("说明.txt", b"")
    os.close(fd)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            "说明.txt",
            "甲/新.jpg",
            "乙/记录.txt",
            "甲/旧.jpg",
            "index.xlsx",
        ]
        assert archive.read("甲/旧.jpg") == content_path(old.file.sha256).read_bytes()
        assert archive.read("乙/记录.txt").decode() == "记录" * 1000
        assert archive.read("index.xlsx") == b"sheet" * 100
        assert archive.getinfo("甲/新.jpg").flag_bits & 0x800  # UTF-8 names
    _unzip_test(target)
    assert StoredFile.objects.get(pk=old.file.pk).crc32 is not None  # computed once, kept


def test_a_stored_file_changed_in_the_store_is_not_copied_silently(world, tmp_path):
    import os

    from wenming.attachments.zipcopy import ZipWriter

    attachment, _ = store(world, "新.jpg", photo("blue"))
    content_path(attachment.file.sha256).write_bytes(b"short")
    fd = os.open(tmp_path / "out.zip", os.O_RDWR | os.O_CREAT)
    with pytest.raises(OSError, match="大小与记录不符"), ZipWriter(fd) as archive:
        archive.add_stored("甲.jpg", attachment.file)
    os.close(fd)


@pytest.mark.parametrize("kernel_copy", ["copy_file_range", "none"])
def test_zip_with_zip64_records_and_every_copy_path_reads_back(
    world, tmp_path, monkeypatch, kernel_copy
):
    """Lowered limits force the ZIP64 records a binder past 4 GB or 65,535 entries needs."""
    import os
    import zipfile

    from wenming.attachments import zipcopy

    def missing(*args):
        raise OSError("not here")

    if kernel_copy == "none":
        monkeypatch.setattr(zipcopy, "_copy_file_range", missing)
    monkeypatch.setattr(zipcopy, "SIZE_LIMIT", 500)
    monkeypatch.setattr(zipcopy, "COUNT_LIMIT", 3)
    monkeypatch.setattr(zipcopy, "_COPY_CHUNK", 97)
    attachment, _ = store(world, "现场.jpg", photo("blue"))
    content = content_path(attachment.file.sha256).read_bytes()
    assert len(content) > 500
    target = tmp_path / "big.zip"
    fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    with zipcopy.ZipWriter(fd) as archive:
        archive.add_bytes("a.txt", b"a" * 300)
        archive.add_stored("照片/大.jpg", attachment.file)  # an entry past the size limit
        archive.add_bytes("b.txt", b"b" * 10)  # an offset past it
        archive.add_stored("照片/又一张.jpg", attachment.file)
    os.close(fd)
    with zipfile.ZipFile(target) as written:
        assert written.testzip() is None
        assert len(written.infolist()) == 4
        assert written.read("照片/大.jpg") == content == written.read("照片/又一张.jpg")
        assert written.read("b.txt") == b"b" * 10
        assert written.getinfo("b.txt").header_offset > 500
    _unzip_test(target)


def test_a_copy_that_fails_on_the_copier_thread_fails_the_archive(world, tmp_path, monkeypatch):
    import os

    from wenming.attachments import zipcopy

    def broken(source, target, count, source_at, target_at):
        return 0  # the source ends early (truncated under us)

    monkeypatch.setattr(zipcopy, "_copy_file_range", broken)
    monkeypatch.setattr(os, "pread", lambda fd, n, at: b"")
    attachment, _ = store(world, "新.jpg", photo("blue"))
    fd = os.open(tmp_path / "out.zip", os.O_RDWR | os.O_CREAT)
    archive = zipcopy.ZipWriter(fd)
    archive.add_stored("甲.jpg", attachment.file)
    with pytest.raises(OSError, match="在复制时被截断"):
        archive.close()
    os.close(fd)


# a PDF whose OpenAction runs JavaScript when a viewer opens it
PDF_WITH_SCRIPT = (
    b"%PDF-1.7\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"4 0 obj << /Type /Action /S /JavaScript /JS (app.alert\\('x'\\)) >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def test_a_pdf_is_downloaded_never_opened_in_the_browser(client, world):
    attachment, _ = store(world, "通知.pdf", io.BytesIO(PDF_WITH_SCRIPT))
    client.force_login(world.people.other_filler)
    response = client.get(reverse("files:download", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_WITH_SCRIPT


def test_a_photo_still_opens_in_the_browser(client, world):
    attachment, _ = store(world, "现场.png", io.BytesIO(image_bytes(fmt="PNG")))
    client.force_login(world.people.other_filler)
    response = client.get(reverse("files:download", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    forced = client.get(reverse("files:download", args=[attachment.pk]) + "?download=1")
    assert forced["Content-Disposition"].startswith("attachment;")
