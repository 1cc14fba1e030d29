"""Webhooks out: an office's subscriptions (a URL, the events, a signing secret) and each
delivery with its attempts and the receiver's last answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.organizations.models import Region


class Event(models.TextChoices):
    APPLICATION = "application.changed", "申报状态变化"
    RESULT = "result.recorded", "记录测评结果"
    TITLE_GRANTED = "title.granted", "授予称号"
    TITLE_REVOKED = "title.revoked", "撤销称号"
    PROBLEM_OVERDUE = "problem.overdue", "问题逾期升级"


class Subscription(models.Model):
    """Events of the units in ``region`` (and below) are sent to ``url``, signed with
    ``secret`` (HMAC-SHA256; kept because every delivery is signed with it)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="地区")
    region_path = models.CharField(max_length=200, editable=False)
    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField("事件", default=list)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"订阅“{self.name}”"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败(不再重试)"


class Delivery(models.Model):
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    region_path = models.CharField(max_length=200)  # the unit's, for scoped lists
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self) -> str:
        return f"推送#{self.pk}({self.get_event_display()})"
