"""The attachment store: type by content, size limit, dedupe, thumbnails, scoped download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.ledger.conftest import photo
from wenming.attachments.detect import FileRejected
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


def test_stored_files_copied_into_a_zip_read_back_intact(world, tmp_path):
    import zipfile
    import zlib

    from wenming.attachments.zipcopy import zip_add_stored

    new, _ = store(world, "新.jpg", photo("blue"))
    old, _ = store(world, "旧.jpg", photo("green"))
    assert new.file.crc32 == zlib.crc32(content_path(new.file.sha256).read_bytes())
    StoredFile.objects.filter(pk=old.file.pk).update(crc32=None)  # stored before CRCs were kept
    old.file.refresh_from_db()
    target = tmp_path / "out.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("说明.txt", "文字")
        zip_add_stored(archive, "甲/新.jpg", new.file)
        archive.writestr("乙/记录.txt", "记录" * 1000, compress_type=zipfile.ZIP_DEFLATED)
        zip_add_stored(archive, "甲/旧.jpg", old.file)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["说明.txt", "甲/新.jpg", "乙/记录.txt", "甲/旧.jpg"]
        assert archive.read("甲/旧.jpg") == content_path(old.file.sha256).read_bytes()
        assert archive.read("乙/记录.txt").decode() == "记录" * 1000
    assert StoredFile.objects.get(pk=old.file.pk).crc32 is not None  # computed once, kept
