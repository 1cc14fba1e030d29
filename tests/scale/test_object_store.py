"""Stored files, thumbnails and job results in an S3-compatible object store (moto's
standalone server on 127.0.0.1 speaks the S3 HTTP API; MinIO is not installable here)."""

from __future__ import annotations

import io
import zipfile

import boto3  # type: ignore[import-untyped]
import pytest
from django.urls import reverse

from tests.backup.conftest import target as restore_target  # noqa: F401 (a fixture: an empty database)
from tests.ledger.conftest import photo
from wenming.attachments.models import StoredFile
from wenming.attachments.services import attachment_store, content_name, stored_crc32
from wenming.attachments.zipcopy import ZipWriter
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import HANDLERS, job_result_name, job_run, result_dir


def bucket_keys(s3_server: str, bucket: str) -> set[str]:
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{s3_server}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    listing = client.list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_an_upload_goes_to_the_object_store_with_its_thumbnail(world, s3_server, s3_store):
    attachment, reused = attachment_store(
        unit=world.other,
        owner=world.other,
        name="现场.jpg",
        stream=photo(),
        actor=world.people.other_filler,
    )
    sha = attachment.file.sha256
    assert not reused and attachment.file.has_thumbnail
    keys = bucket_keys(s3_server, s3_store)
    assert {f"site/{content_name(sha)}", f"site/thumbs/{sha[:2]}/{sha[2:4]}/{sha}.jpg"} <= keys
    again, reused = attachment_store(
        unit=world.other,
        owner=world.other,
        name="again.jpg",
        stream=photo(),
        actor=world.people.other_filler,
    )
    assert reused and StoredFile.objects.count() == 1
    StoredFile.objects.filter(pk=attachment.file.pk).update(crc32=None)
    attachment.file.refresh_from_db()
    assert stored_crc32(attachment.file) == again.file.crc32


def test_downloads_stream_from_the_store_or_redirect_to_it(
    client, world, s3_server, s3_store, settings
):
    content = photo().getvalue()
    attachment, _ = attachment_store(
        unit=world.other,
        owner=world.other,
        name="现场.jpg",
        stream=io.BytesIO(content),
        actor=world.people.other_filler,
    )
    client.force_login(world.people.other_filler)
    response = client.get(reverse("files:download", args=[attachment.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Length"] == str(len(content))
    thumb = client.get(reverse("files:thumb", args=[attachment.pk]))
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"

    settings.STORAGE_REDIRECT = True
    response = client.get(reverse("files:download", args=[attachment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(f"http://{s3_server}/{s3_store}/site/files/")
    assert "X-Amz-Signature" in response["Location"]


def test_a_missing_object_is_not_found(client, world, s3_store):
    attachment, _ = attachment_store(
        unit=world.other,
        owner=world.other,
        name="现场.jpg",
        stream=photo(),
        actor=world.people.other_filler,
    )
    from wenming.web.storage import store

    store().delete(content_name(attachment.file.sha256))
    client.force_login(world.people.other_filler)
    assert client.get(reverse("files:download", args=[attachment.pk])).status_code == 404


def test_a_zip_copies_stored_files_from_the_object_store(world, s3_store, tmp_path):
    attachments = [
        attachment_store(
            unit=world.other,
            owner=world.other,
            name=f"{color}.jpg",
            stream=photo(color),
            actor=world.people.other_filler,
        )[0]
        for color in ("red", "blue")
    ]
    zipped = tmp_path / "out.zip"
    with zipped.open("wb") as out, ZipWriter(out.fileno()) as archive:
        for attachment in attachments:
            archive.add_stored(attachment.name, attachment.file)
    with zipfile.ZipFile(zipped) as archive:
        assert archive.testzip() is None
        assert archive.read("blue.jpg") == photo("blue").getvalue()


@pytest.fixture
def sample_job_kind():
    def build(job, progress):
        path = result_dir() / f"sample-{job.pk}.txt"
        path.write_text("结果", encoding="utf-8")
        return path

    HANDLERS["scale_sample"] = build
    yield "scale_sample"
    del HANDLERS["scale_sample"]


def test_a_job_result_is_kept_in_the_store_and_downloaded(
    client, world, s3_server, s3_store, sample_job_kind
):
    job = Job.objects.create(kind=sample_job_kind, label="样例", owner=world.people.other_filler)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert f"site/{job_result_name(job)}" in bucket_keys(s3_server, s3_store)
    client.force_login(world.people.other_filler)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(response.streaming_content).decode() == "结果"


def test_readiness_names_the_parts_and_fails_when_the_store_is_away(client, db, s3_store, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["就绪", "数据库:正常", "文件存储:正常"]
    from wenming.settings import _storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": _storage("s3+http://test:test@127.0.0.1:9/absent"),
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and "文件存储:不可用" in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_backup_takes_the_object_store_and_restores_into_an_empty_one(
    world,
    s3_server,
    s3_store,
    settings,
    restore_target,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    from wenming.backup.cli import DjangoStore
    from wenming.backup.services import Site, backup_create, backup_restore, target_refusal
    from wenming.settings import _storage

    attachment, _ = attachment_store(
        unit=world.other,
        owner=world.other,
        name="现场.jpg",
        stream=photo(),
        actor=world.people.other_filler,
    )
    sha = attachment.file.sha256
    site = Site(
        database=dict(connections["default"].settings_dict),
        data_dir=tmp_path,
        media_root=tmp_path / "media",
        store=DjangoStore(),
    )
    out = tmp_path / "backup.tar"
    manifest = backup_create(site=site, secret_key="k", out=out, report=lambda _: None)
    assert (manifest.counts.stored_files, manifest.counts.thumbnails) == (1, 1)
    assert f"media/{content_name(sha)}" in manifest.members
    assert target_refusal(site) is not None  # the store holds files: no restore into it

    boto3.client(
        "s3",
        endpoint_url=f"http://{s3_server}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=f"{s3_store}-restored")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _storage(f"s3+http://test:test@{s3_server}/{s3_store}-restored"),
    }
    restored = Site(
        database=restore_target.site.database,
        data_dir=restore_target.site.data_dir,
        media_root=restore_target.site.media_root,
        store=DjangoStore(),
    )
    backup_restore(
        archive=out,
        site=restored,
        known_migrations=set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations),
        report=lambda _: None,
    )
    assert bucket_keys(s3_server, f"{s3_store}-restored") == {
        content_name(sha),
        f"thumbs/{sha[:2]}/{sha[2:4]}/{sha}.jpg",
    }
    assert not (restore_target.site.media_root / "files").exists()  # nothing left on the local disk
