"""Make, find and revoke API tokens (the one place that reads or writes ApiToken)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.accounts.services import system_account_mark
from wenming.api.models import ApiToken, TokenKind
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused

# The areas a token may be given, each for reading or also for writing.
AREAS: dict[str, str] = {
    "units": "地区与单位",
    "frameworks": "测评体系",
    "campaigns": "创建活动与申报",
    "assessments": "自评填报",
    "onsite": "实地测评",
    "problems": "问题整改",
    "titles": "称号",
    "dashboards": "统计看板",
}
MAX_DAYS = 365
PREFIX = "wm_"
USE_STAMP_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


class TokenRefused(ActionRefused):
    """The token cannot be made or revoked; the message says why in Chinese."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scope_labels(scopes: list[str]) -> list[str]:
    """'units:write' → '地区与单位(读写)' for the pages."""
    out = []
    for item in scopes:
        area, _, mode = item.partition(":")
        out.append(f"{AREAS.get(area, area)}({'读写' if mode == 'write' else '只读'})")
    return out


def tokens_visible_to(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """The person's own tokens and the service tokens they made; an administrator sees all."""
    if not isinstance(user, User):
        return ApiToken.objects.none()
    rows = ApiToken.objects.select_related("user", "created_by")
    if scope_for(user).is_admin:
        return rows
    return rows.filter(created_by=user)


def token_create(
    *,
    actor: User,
    name: str,
    kind: str,
    scopes: list[str],
    days: int,
    region_id: int | None = None,
) -> IssuedToken:
    """Make a token; the secret is in the answer and nowhere else (only its digest is kept)."""
    name = name.strip()
    if not name:
        raise TokenRefused("请填写令牌名称")
    if kind not in TokenKind.values:
        raise TokenRefused("令牌类型无效")
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(f"有效期应为1至{MAX_DAYS}天")
    valid = {f"{area}:{mode}" for area in AREAS for mode in ("read", "write")}
    wanted = sorted(set(scopes))
    if not wanted or any(s not in valid for s in wanted):
        raise TokenRefused("请至少选择一项权限")
    with transaction.atomic():
        body = secrets.token_urlsafe(30)
        prefix = secrets.token_hex(4)
        secret = f"{PREFIX}{prefix}_{body}"
        holder = actor
        if kind == TokenKind.SERVICE:
            scope = scope_for(actor)
            if not scope.has(Role.OFFICE):
                raise TokenRefused("只有测评办公室可以创建服务令牌")
            region = regions_visible_to(actor).filter(pk=region_id or 0).first()
            if region is None or not scope.covers_region(region):
                raise TokenRefused("请选择本办公室辖区内的地区")
            holder = User(username=f"api-{prefix}", first_name=name[:150], is_active=True)
            holder.set_unusable_password()
            holder.save()
            system_account_mark(holder)
            RoleGrant.objects.create(user=holder, role=Role.OFFICE, region=region)
        token = ApiToken.objects.create(
            name=name[:100],
            kind=kind,
            user=holder,
            created_by=actor,
            prefix=prefix,
            digest=_digest(secret),
            scopes=wanted,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(actor=actor, action="api.token_create", obj=token, new=",".join(wanted))
    return IssuedToken(token, secret)


@transaction.atomic
def token_revoke(*, actor: User, pk: int) -> ApiToken:
    token = tokens_visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if token is None:
        raise TokenRefused("令牌不存在或无权操作")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api.token_revoke", obj=token)
        if token.kind == TokenKind.SERVICE:  # the service account has no other use
            User.objects.filter(pk=token.user_id).update(is_active=False)
    return token


def token_find(secret: str) -> ApiToken | None:
    """The live token for this secret, with its user; None if unknown, revoked or expired."""
    if len(secret) > 100:
        return None
    if secret.startswith(PREFIX):
        prefix = secret[len(PREFIX) :].partition("_")[0]
    else:  # "<prefix>.<secret>": a key of the former Open311 page, carried over (api 0002)
        prefix, dot, _ = secret.partition(".")
        if not dot:
            return None
    if len(prefix) != 8:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_STAMP_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_allows(token: ApiToken, area: str, *, write: bool) -> bool:
    return f"{area}:write" in token.scopes or (not write and f"{area}:read" in token.scopes)


def token_use_record(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """Every use is one audit event (one row, written after the answer is known)."""
    audit_record(
        actor=token.user, action="api.use", obj=token, new=f"{method} {path[:300]} {status}"
    )
