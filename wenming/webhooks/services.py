"""Subscribe and unsubscribe (audited)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction

from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.webhooks.access import may_subscribe, subscription_get_for_user
from wenming.webhooks.models import Event, Subscription


class WebhookRefused(ActionRefused):
    """The subscription cannot be made or changed; the message says why in Chinese."""


@transaction.atomic
def subscription_create(
    *, actor: User, name: str, url: str, events: list[str], region_id: int
) -> Subscription:
    if not may_subscribe(actor):
        raise WebhookRefused("只有测评办公室可以订阅事件推送")
    name, url = name.strip(), url.strip()
    if not name:
        raise WebhookRefused("请填写名称")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise WebhookRefused("接收地址应为 http:// 或 https:// 开头的网址")
    wanted = sorted(set(events))
    if not wanted or any(e not in Event.values for e in wanted):
        raise WebhookRefused("请至少选择一种事件")
    region = regions_visible_to(actor).filter(pk=region_id).first()
    if region is None or not scope_for(actor).covers_region(region):
        raise WebhookRefused("请选择本办公室辖区内的地区")
    subscription = Subscription.objects.create(
        region=region,
        region_path=region.path,
        name=name[:100],
        url=url,
        secret=secrets.token_hex(32),
        events=wanted,
        created_by=actor,
    )
    audit_record(actor=actor, action="webhook.subscribe", obj=subscription, new=url)
    return subscription


@transaction.atomic
def subscription_deactivate(*, actor: User, pk: int) -> Subscription:
    subscription = subscription_get_for_user(actor, pk)
    if not may_subscribe(actor):
        raise WebhookRefused("只有测评办公室可以停用事件推送")
    if subscription.active:
        Subscription.objects.filter(pk=subscription.pk).update(active=False)
        subscription.active = False
        audit_record(actor=actor, action="webhook.unsubscribe", obj=subscription)
    return subscription
