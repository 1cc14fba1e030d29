from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

GENESIS = "0" * 64  # the "previous digest" of the first event in the chain


class AuditEvent(models.Model):
    """One recorded change: who, when, what object, which field, old → new.

    Events form one hash chain (see ``wenming/audit/chain.py`` and docs/audit-chain.md):
    ``seq`` numbers them without gaps, ``hash`` is the SHA-256 over the event's canonical
    content and ``prev_hash`` (the previous event's ``hash``), in the layout ``chain_version``.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    object_label = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=120, blank=True)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    chain_version = models.PositiveSmallIntegerField(default=1)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"


class AuditVerification(models.Model):
    """The stored outcome of one walk over the chain (the audit page shows the latest). An
    intact walk's last link (``head_seq``, ``head_hash``) is the anchor the next walk checks:
    a chain recomputed or cut short since then shows there."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ok = models.BooleanField()
    checked = models.PositiveBigIntegerField(default=0)
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    break_seq = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {'完整' if self.ok else '已被改动'}"
