"""The attachment store: content-hashed, type-checked by content, thumbnailed, deduplicated.

Every later feature that keeps files (ledger records, problems, on-site photos) stores them
through :func:`attachment_store` and serves them through the scoped view in ``views.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zlib
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction

from wenming.attachments.detect import FileRejected, check, thumbnail
from wenming.attachments.models import Attachment, StoredFile
from wenming.audit.services import audit_record
from wenming.organizations.models import Unit
from wenming.web.storage import spool_dir, stored_exists, stored_open, stored_put

CHUNK = 1024 * 1024
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_name(name: str) -> str:
    """A filename safe to show and to put in a ZIP: no directories, no control characters,
    no leading dots; Chinese kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = "附件"
    stem, suffix = os.path.splitext(name)
    return stem[: 120 - len(suffix)] + suffix.lower()


def content_name(sha256: str) -> str:
    """The stored file's name in the store (see :mod:`wenming.web.storage`)."""
    return f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def thumbnail_name(sha256: str) -> str:
    return f"thumbs/{sha256[:2]}/{sha256[2:4]}/{sha256}.jpg"


def content_path(sha256: str) -> Path:
    """Where a directory store keeps the content (tests and benchmarks look at the disk)."""
    return Path(settings.MEDIA_ROOT) / content_name(sha256)


def thumbnail_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / thumbnail_name(sha256)


def _receive(stream: IO[bytes]) -> tuple[str, str, int, int]:
    """Copy the upload to a temporary file, hashing as it goes; refuse it past the size limit."""
    limit = settings.ATTACHMENT_MAX_BYTES
    digest, size, crc = hashlib.sha256(), 0, 0
    handle, temp = tempfile.mkstemp(dir=spool_dir())
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileRejected(f"文件超过{limit // (1024 * 1024)}MB上限")
                digest.update(chunk)
                crc = zlib.crc32(chunk, crc)
                out.write(chunk)
    except BaseException:
        os.unlink(temp)
        raise
    return temp, digest.hexdigest(), size, crc


def attachment_store(
    *, unit: Unit, owner: models.Model, name: str, stream: IO[bytes], actor: User
) -> tuple[Attachment, bool]:
    """Store one file for ``owner`` (a record of ``unit``). Returns (attachment, already_stored)."""
    filename = safe_name(name)
    temp, sha256, size, crc = _receive(stream)
    try:
        file_type = check(temp, filename)
        if size == 0:
            raise FileRejected(f"文件“{filename}”是空文件")
        target = content_name(sha256)
        stored = StoredFile.objects.filter(sha256=sha256).first()
        if stored is None or not stored_exists(target):
            has_thumb = False
            if file_type.kind == "image":
                # the thumbnail first, from the spooled copy, then both go into the store; the
                # row last, so a row always points at content that is there
                has_thumb = thumbnail(temp, temp + ".jpg")
                if has_thumb:
                    stored_put(thumbnail_name(sha256), Path(temp + ".jpg"))
            stored_put(target, Path(temp))
            stored, _ = StoredFile.objects.update_or_create(
                sha256=sha256,
                defaults={
                    "size": size,
                    "kind": file_type.kind,
                    "mime": file_type.mime,
                    "has_thumbnail": has_thumb,
                    "crc32": crc,
                },
            )
            reused = False
        else:
            reused = True
    finally:
        for leftover in (temp, temp + ".jpg"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            file=stored,
            name=filename,
            unit=unit,
            owner_type=owner._meta.label_lower,
            owner_id=str(owner.pk),
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="attachment.add",
            obj=owner,
            field="附件",
            new=f"{filename}({sha256[:12]})",
        )
    return attachment, reused


def attachments_of(owner: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(
        owner_type=owner._meta.label_lower, owner_id=str(owner.pk)
    ).select_related("file")


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """Remove one use; the content stays while other records use it (and for the audit)."""
    audit_record(
        actor=actor,
        action="attachment.remove",
        obj=attachment,
        field="附件",
        old=f"{attachment.name}({attachment.file.sha256[:12]})",
    )
    attachment.delete()


def stored_crc32(stored: StoredFile) -> int:
    """The content's CRC-32, computed once (and kept) for files stored before it was recorded."""
    if stored.crc32 is None:
        crc = 0
        with stored_open(content_name(stored.sha256)) as source:
            while chunk := source.read(CHUNK):
                crc = zlib.crc32(chunk, crc)
        StoredFile.objects.filter(pk=stored.pk).update(crc32=crc)
        stored.crc32 = crc
    return stored.crc32
