from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Notice(models.Model):
    """An in-app notice to one person; with ``reply_due`` it asks for a recorded reply (e.g. 督办)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=40, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField(max_length=300, blank=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    reply_due = models.DateField("回复期限", null=True, blank=True)
    reply = models.TextField("回复", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    # when the e-mail digest mentioned it (wenming.notices.digest); never mailed twice
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "replied_at", "reply_due"]),
            models.Index(fields=["emailed_at", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def awaits_reply(self) -> bool:
        return self.reply_due is not None and self.replied_at is None


class Reminder(models.Model):
    """The mark that a deadline's reminder was sent (``wenming.notices.reminders``): one row per
    deadline, its key naming the thing, whom it concerns and the date, so a deadline is reminded
    once however often the daily command runs, and again only when the date moves."""

    key = models.CharField(max_length=200)
    due = models.DateField("截止日期")
    notices = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="reminder_once_per_key")]

    def __str__(self) -> str:
        return self.key
