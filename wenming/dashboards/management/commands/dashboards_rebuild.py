from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wenming.dashboards.services import dashboards_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the dashboard tallies from the applications and evaluations (repair, bulk load)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        entries, states, losses = dashboards_rebuild()
        self.stdout.write(f"已重建统计看板:申报{entries}份,状态统计{states}行,失分统计{losses}行")
