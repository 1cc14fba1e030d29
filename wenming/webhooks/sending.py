"""Send one delivery: JSON body signed with HMAC-SHA256, no redirects followed, the answer
kept (bounded); a failure is retried with back-off from the job queue."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wenming.webhooks.models import Delivery, DeliveryState

MAX_ATTEMPTS = 6
FIRST_WAIT = timedelta(seconds=30)  # then ×4 each time: 30 s, 2 min, 8 min, 32 min, 2 h 8 min
TIMEOUT = 10  # seconds
RESPONSE_KEPT = 2_000  # characters of the receiver's answer


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``timestamp.body`` under the subscription's secret (the receiver
    recomputes it and compares; the timestamp lets it refuse old replays)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> timedelta:
    factor: int = 4 ** max(0, attempts - 1)
    return FIRST_WAIT * factor


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def host_allowed(url: str) -> bool:
    """Whether ``url``'s host is one the administrator allows webhooks to reach
    (``WEBHOOK_HOSTS``: names, or ``*.suffix``; empty allows any host). Checked when a
    subscription is saved and again at every delivery, so a narrowed list holds at once."""
    allowed = settings.WEBHOOK_HOSTS
    if not allowed:
        return True
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    for pattern in allowed:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


HOST_REFUSED = "接收地址不在系统管理员允许的范围内"


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status, answer, error) of one POST."""
    if not host_allowed(url):
        return None, "", HOST_REFUSED
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            text = response.read(RESPONSE_KEPT * 4).decode("utf-8", "replace")
            return response.status, text[:RESPONSE_KEPT], ""
    except urllib.error.HTTPError as error:
        text = error.read(RESPONSE_KEPT * 4).decode("utf-8", "replace")
        return error.code, text[:RESPONSE_KEPT], f"接收方返回{error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"无法连接接收方:{str(reason)[:200]}"


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> datetime | None:
    """Send the delivery once. Returns when to try again, or None (delivered or given up)."""
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=delivery_id, state=DeliveryState.PENDING)
        .first()
    )
    if delivery is None:
        return None
    subscription = delivery.subscription
    body = json.dumps(
        {**delivery.payload, "delivery_id": delivery.pk}, ensure_ascii=False, sort_keys=True
    ).encode()
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Wenming-Webhooks/1",
        "X-Wenming-Event": delivery.event,
        "X-Wenming-Delivery": str(delivery.pk),
        "X-Wenming-Timestamp": timestamp,
        "X-Wenming-Signature": signature(subscription.secret, timestamp, body),
    }
    if subscription.active:
        status, answer, error = _post(subscription.url, body, headers)
    else:
        status, answer, error = None, "", "订阅已停用"
    now = now or timezone.now()
    ok = status is not None and 200 <= status < 300
    attempts = delivery.attempts + 1
    retry_at = None
    if ok:
        state = DeliveryState.DELIVERED
    elif attempts >= MAX_ATTEMPTS or not subscription.active:
        state = DeliveryState.FAILED
    else:
        state, retry_at = DeliveryState.PENDING, now + backoff(attempts)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=state,
            attempts=attempts,
            next_at=retry_at,
            last_status=status,
            last_response=answer,
            last_error="" if ok else (error or f"接收方返回{status}")[:300],
            delivered_at=now if ok else None,
        )
    return retry_at
