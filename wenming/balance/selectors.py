"""Reads for balanced development: a region's schools of one stage and year, their CVs and the
verdicts of both levels (basic balance on the composite, quality balance per indicator and per
school). Verdicts compare exact values with the limits; rounding is for display only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import QuerySet

from wenming.accounts.scope import path_prefix_q
from wenming.balance.models import (
    BalanceLevel,
    BalanceThreshold,
    QualityRule,
    QualityStandard,
    SchoolIndicators,
    Stage,
)
from wenming.core.balance import (
    INDICATORS,
    QUALITY_INDICATORS,
    BalanceResult,
    School,
    SchoolStandards,
    Shortfall,
    balance_of,
    school_standards,
    weighted_cv,
)
from wenming.organizations.models import Region

CODES = [code for code, _ in INDICATORS]
QUALITY_CODES = [code for code, _ in QUALITY_INDICATORS]
QUALITY_LABELS = dict(QUALITY_INDICATORS)
# column headings where seven full names do not fit (the full name is the heading's title)
QUALITY_SHORT = {
    "qualified_teachers": "高学历教师",
    "key_teachers": "骨干教师",
    "pe_arts_teachers": "体艺教师",
    "floor_area": "生均校舍",
    "sports_area": "生均运动场",
    "equipment_value": "生均仪器值",
    "multimedia_rooms": "多媒体教室",
}


@dataclass
class Verdict:
    level: str
    max_cv: Decimal
    passed: bool


def decimal_text(value: Decimal | None) -> str:
    """A stored value as the sheet had it: no trailing zeros, never in exponent form."""
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(value: Decimal) -> str:
    """A share for display, cut (not rounded) to one decimal: 84.99 % shows as 84.9 %."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"


@dataclass
class QualityIndicator:
    code: str
    label: str
    minimum: Decimal
    max_cv: Decimal
    mean: float | None
    cv: float | None

    @property
    def passed(self) -> bool:
        return self.cv is not None and Decimal(self.cv) <= self.max_cv

    @property
    def minimum_text(self) -> str:
        return decimal_text(self.minimum)


@dataclass
class QualityCell:
    value: Decimal
    shortfall: Shortfall | None
    below_floor: bool

    @property
    def text(self) -> str:
        return decimal_text(self.value)

    @property
    def percent(self) -> str:
        return percent_text(self.shortfall.percent) if self.shortfall else ""


@dataclass
class QualitySchool:
    record: SchoolIndicators
    cells: list[QualityCell]
    check: SchoolStandards
    floor_percent: Decimal
    min_met: int

    def reasons(self) -> list[str]:
        """Why the school fails, one sentence per cause (empty when it passes)."""
        out = []
        if self.check.met < self.min_met:
            missed = "、".join(f"“{QUALITY_LABELS[s.code]}”" for s in self.check.shortfalls)
            out.append(f"只有{self.check.met}项达到标准(应至少{self.min_met}项),未达标:{missed}")
        for s in self.check.below_floor:
            out.append(
                f"“{QUALITY_LABELS[s.code]}”{decimal_text(s.value)},"
                f"仅为标准{decimal_text(s.minimum)}的{percent_text(s.percent)}"
                f"(未达标项应不低于{decimal_text(self.floor_percent)}%)"
            )
        return out


@dataclass
class QualityBalance:
    """Quality balance (2017) of one stage: the seven CVs each against its limit, and every
    school against the per-school standards. ``passed`` is None when it cannot be judged."""

    indicators: list[QualityIndicator]
    schools: list[QualitySchool]
    missing: list[SchoolIndicators]  # schools whose quality indicators are not imported
    min_met: int
    floor_percent: Decimal

    @property
    def complete(self) -> bool:
        return (
            bool(self.schools) and not self.missing and len(self.indicators) == len(QUALITY_CODES)
        )

    @property
    def failed_indicators(self) -> list[QualityIndicator]:
        return [i for i in self.indicators if not i.passed]

    @property
    def failed_schools(self) -> list[QualitySchool]:
        return [s for s in self.schools if not s.check.passed]

    @property
    def passed(self) -> bool | None:
        if not self.complete:
            return None
        return not self.failed_indicators and not self.failed_schools

    @property
    def floor_text(self) -> str:
        return decimal_text(self.floor_percent)


@dataclass
class StageBalance:
    stage: str
    records: list[SchoolIndicators]
    result: BalanceResult
    verdicts: list[Verdict]
    quality: QualityBalance

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


def quality_balance(*, stage: str, records: list[SchoolIndicators]) -> QualityBalance:
    standards = {s.indicator: s for s in QualityStandard.objects.filter(stage=stage)}
    rule = QualityRule.objects.filter(stage=stage).first()
    min_met = rule.min_met if rule else len(QUALITY_CODES)
    floor = rule.floor_percent if rule else Decimal(100)
    minimums = {c: standards[c].minimum for c in QUALITY_CODES if c in standards}
    complete = [r for r in records if all(getattr(r, c) is not None for c in QUALITY_CODES)]
    missing = [r for r in records if r not in complete]
    schools = []
    for record in complete:
        values: dict[str, Decimal] = {c: Decimal(getattr(record, c)) for c in QUALITY_CODES}
        check = school_standards(values, minimums, min_met=min_met, floor_percent=floor)
        short = {s.code: s for s in check.shortfalls}
        below = {s.code for s in check.below_floor}
        cells = [QualityCell(values[c], short.get(c), c in below) for c in QUALITY_CODES]
        schools.append(QualitySchool(record, cells, check, floor, min_met))
    indicators = []
    enrolments = [r.enrolment for r in complete]
    for code in QUALITY_CODES:
        if code not in standards:
            continue
        found = (
            weighted_cv(enrolments, [float(getattr(r, code)) for r in complete])
            if complete and not missing
            else None
        )
        indicators.append(
            QualityIndicator(
                code,
                QUALITY_LABELS[code],
                standards[code].minimum,
                standards[code].max_cv,
                found[0] if found else None,
                found[1] if found else None,
            )
        )
    return QualityBalance(indicators, schools, missing, min_met, floor)


def stage_balance(*, region: Region, year: int, stage: str) -> StageBalance:
    records = list(school_records(region=region, year=year, stage=stage))
    schools = [
        School(str(r.pk), r.enrolment, {c: float(getattr(r, c)) for c in CODES}) for r in records
    ]
    result = balance_of(schools, CODES)
    verdicts = []
    max_cv = thresholds().get((stage, BalanceLevel.BASIC.value))
    if max_cv is not None:
        # the exact composite against the limit: 0.65004 does not pass ≤ 0.65
        passed = result.composite is not None and Decimal(result.composite) <= max_cv
        verdicts.append(Verdict(BalanceLevel.BASIC.label, max_cv, passed))
    return StageBalance(
        stage, records, result, verdicts, quality_balance(stage=stage, records=records)
    )


def region_balance(*, region: Region, year: int) -> list[StageBalance]:
    return [stage_balance(region=region, year=year, stage=s.value) for s in Stage]


def years_on_file(region: Region) -> list[int]:
    return list(
        SchoolIndicators.objects.filter(path_prefix_q("region_path", region.path))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
