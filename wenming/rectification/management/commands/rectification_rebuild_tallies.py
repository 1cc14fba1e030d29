from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wenming.rectification.services import tallies_rebuild


class Command(BaseCommand):
    help = "Recompute the per-month problem tallies from the problems (repair or bulk load)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = tallies_rebuild()
        self.stdout.write(f"已重建统计:{rows}行")
