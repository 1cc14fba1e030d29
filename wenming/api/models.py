"""API tokens: hashed at rest, scoped per area (read/write), with an expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "个人令牌"
    SERVICE = "service", "服务令牌"


class ApiToken(models.Model):
    """A bearer token. Only its first characters (``prefix``, to find the row) and the SHA-256
    of the whole secret are kept; the secret itself is shown once, when it is made.

    A personal token acts as its owner, with the owner's scope. A service token acts as a
    service account made for it (no password, no login), holding the one office grant chosen
    when the token was made, so a system's calls are told apart from a person's."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=TokenKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField("权限", default=list)  # ["units:read", "problems:write", ...]
    expires_at = models.DateTimeField("有效期至")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}“{self.name}”({self.prefix})"
