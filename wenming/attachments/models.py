from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.organizations.models import Unit


class StoredFile(models.Model):
    """File content, stored once per SHA-256 however many records use it."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    kind = models.CharField(max_length=10)  # image | pdf | word | excel
    mime = models.CharField(max_length=100)
    has_thumbnail = models.BooleanField(default=False)
    # CRC-32 of the content, known from the upload: ZIP entries (the binder) copy the bytes
    # without reading them through Python. Null for files stored before it was kept.
    crc32 = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]


class Attachment(models.Model):
    """One use of a stored file by a record of a unit (a ledger activity, later a problem …)."""

    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="uses")
    name = models.CharField("文件名", max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="attachments")
    owner_type = models.CharField(max_length=60)
    owner_id = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner_type", "owner_id"]),
            models.Index(fields=["unit", "uploaded_at"]),
        ]

    def __str__(self) -> str:
        return self.name
