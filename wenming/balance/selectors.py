"""Reads for balanced development: a region's schools of one stage and year, and their CVs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from wenming.accounts.scope import path_prefix_q
from wenming.balance.models import BalanceLevel, BalanceThreshold, SchoolIndicators, Stage
from wenming.core.balance import INDICATORS, BalanceResult, School, balance_of
from wenming.organizations.models import Region

CODES = [code for code, _ in INDICATORS]


@dataclass
class Verdict:
    level: str
    max_cv: Decimal
    passed: bool


@dataclass
class StageBalance:
    stage: str
    records: list[SchoolIndicators]
    result: BalanceResult
    verdicts: list[Verdict]

    def ranked(self) -> list[tuple[SchoolIndicators, float | None]]:
        """Schools by how much they raise the composite CV (largest first; unknown last)."""
        effects = self.result.composite_effects
        pairs = [(r, effects.get(str(r.pk))) for r in self.records]
        return sorted(pairs, key=lambda p: (p[1] is None, -(p[1] or 0.0), p[0].unit.name))


def school_records(*, region: Region, year: int, stage: str) -> QuerySet[SchoolIndicators]:
    return (
        SchoolIndicators.objects.filter(path_prefix_q("region_path", region.path))
        .filter(year=year, stage=stage)
        .select_related("unit", "unit__region")
        .order_by("unit__name", "unit_id")
    )


def thresholds() -> dict[tuple[str, str], Decimal]:
    return {(t.stage, t.level): t.max_cv for t in BalanceThreshold.objects.all()}


def stage_balance(*, region: Region, year: int, stage: str) -> StageBalance:
    records = list(school_records(region=region, year=year, stage=stage))
    schools = [
        School(str(r.pk), r.enrolment, {c: float(getattr(r, c)) for c in CODES}) for r in records
    ]
    result = balance_of(schools, CODES)
    limits = thresholds()
    verdicts = []
    for level in BalanceLevel:
        max_cv = limits.get((stage, level.value))
        if max_cv is not None:
            passed = result.composite is not None and Decimal(f"{result.composite:.4f}") <= max_cv
            verdicts.append(Verdict(level.label, max_cv, passed))
    return StageBalance(stage, records, result, verdicts)


def region_balance(*, region: Region, year: int) -> list[StageBalance]:
    return [stage_balance(region=region, year=year, stage=s.value) for s in Stage]


def years_on_file(region: Region) -> list[int]:
    return list(
        SchoolIndicators.objects.filter(path_prefix_q("region_path", region.path))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
