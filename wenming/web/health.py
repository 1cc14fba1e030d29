"""Probes for the proxy and the service manager, public and without secrets.

``/healthz``: the process answers (no database, so a slow database does not get healthy
servers restarted). ``/readyz``: the database, Redis (when configured) and the file store
answer; 503 when one does not, so the proxy sends no users to this server. The body names
each part and its state, never an address, a password or an error's text.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wenming.web.storage import stored_exists

logger = logging.getLogger(__name__)
PROBE_NAME = "readyz/probe"  # a name looked up (never written) in the store


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("正常\n", content_type="text/plain; charset=utf-8")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    cache.set("readyz", "1", 10)
    if cache.get("readyz") != "1":
        raise RuntimeError("缓存读不回刚写入的值")


def _store() -> None:
    stored_exists(PROBE_NAME)


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = [("数据库", _database), ("文件存储", _store)]
    if settings.REDIS_URL:
        checks.insert(1, ("缓存(Redis)", _redis))
    lines, ready = [], True
    for label, check in checks:
        try:
            check()
            lines.append(f"{label}:正常")
        except Exception:
            logger.exception("readiness check failed: %s", label)
            lines.append(f"{label}:不可用")
            ready = False
    body = ("就绪" if ready else "未就绪") + "\n" + "\n".join(lines) + "\n"
    return HttpResponse(
        body, status=200 if ready else 503, content_type="text/plain; charset=utf-8"
    )
