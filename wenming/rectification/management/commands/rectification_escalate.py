from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wenming.rectification.services import grace_days, problems_escalate


class Command(BaseCommand):
    help = "Escalate overdue problems one level up their supervising chain (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = problems_escalate()
        self.stdout.write(f"逾期超过{grace_days()}天升级督办:{count}个问题")
