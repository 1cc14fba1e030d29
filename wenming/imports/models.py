from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "待确认"
    COMMITTED = "committed", "已导入"
    DISCARDED = "discarded", "已放弃"


class ImportBatch(models.Model):
    """An uploaded sheet waiting for confirmation.

    ``plan`` is what the upload would change, stored once when it was read (see
    ``wenming.imports.services.preview_of``): the preview page shows it without reading the
    file; confirming re-plans the kept file and applies it only if it matches ``plan["digest"]``.
    """

    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    context = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    plan = models.JSONField(default=dict)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}({self.get_status_display()})"
