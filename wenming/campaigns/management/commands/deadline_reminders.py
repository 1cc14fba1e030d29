from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from wenming.notices.reminders import reminders_send
from wenming.workdays.services import add_working_days


class Command(BaseCommand):
    help = (
        "Remind the people concerned of deadlines (application window, self-assessment, "
        "rectification, 督办 reply) some working days ahead, once per deadline (run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REMINDER_WORKING_DAYS,
            help="提前的工作日数(默认 WENMING_REMINDER_DAYS,3)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(1, min(int(options["days"]), 60))
        today = timezone.localdate()
        sent = reminders_send(today=today, until=add_working_days(today, days))
        self.stdout.write(f"已发送临期提醒{sent}项(截止日期在{days}个工作日内)")
