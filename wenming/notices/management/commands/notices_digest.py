from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from wenming.notices.digest import digest_send


class Command(BaseCommand):
    help = "E-mail each person a digest of unread notices not mailed before (run hourly or daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EMAIL_DIGEST:
            self.stdout.write("未配置邮件服务器(WENMING_EMAIL_HOST),不发送通知摘要")
            return
        self.stdout.write(f"已发送通知摘要邮件{digest_send()}封")
