"""Balanced development (县域义务教育均衡发展): enrolment-weighted coefficients of variation.

For one indicator over a county's schools (nᵢ enrolment, xᵢ the school's value, N = Σ nᵢ):
x̄ = Σ nᵢxᵢ / N and CV = sqrt(Σ (nᵢ/N)(xᵢ − x̄)²) / x̄. Basic balance (2012) judges the
composite, the mean of the eight indicators' CVs. Quality balance (2017) has no composite: each
of its seven resource indicators' CV is judged on its own, and each school's seven values against
per-school standards (``school_standards``). Primary and junior schools are computed separately by
the caller; every limit is data passed in, never a constant here.

The leave-one-out effect of a school is CV(all) − CV(all but that school): positive when the
school raises the coefficient (it is far from the others, weighted by its size).

No Django here: this is tested with property tests and used by ``wenming.balance``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# The eight per-school indicators, in the order the official sheets use.
INDICATORS: tuple[tuple[str, str], ...] = (
    ("floor_area", "生均教学及辅助用房面积(平方米)"),
    ("sports_area", "生均体育运动场馆面积(平方米)"),
    ("equipment_value", "生均教学仪器设备值(元)"),
    ("computers", "每百名学生拥有计算机台数"),
    ("books", "生均图书册数"),
    ("teacher_ratio", "师生比(每百名学生拥有教师数)"),
    ("qualified_teachers", "每百名学生拥有高于规定学历教师数"),
    ("senior_teachers", "每百名学生拥有中级及以上专业技术职务教师数"),
)
INDICATOR_LABELS = dict(INDICATORS)

# The seven resource indicators of quality balance (2017), in the order of the national method.
# Four are shared with basic balance; three are its own.
QUALITY_INDICATORS: tuple[tuple[str, str], ...] = (
    ("qualified_teachers", "每百名学生拥有高于规定学历教师数"),
    ("key_teachers", "每百名学生拥有县级及以上骨干教师数"),
    ("pe_arts_teachers", "每百名学生拥有体育、艺术专任教师数"),
    ("floor_area", "生均教学及辅助用房面积(平方米)"),
    ("sports_area", "生均体育运动场馆面积(平方米)"),
    ("equipment_value", "生均教学仪器设备值(元)"),
    ("multimedia_rooms", "每百名学生拥有网络多媒体教室数"),
)
QUALITY_LABELS = dict(QUALITY_INDICATORS)


@dataclass(frozen=True)
class School:
    key: str
    enrolment: int
    values: Mapping[str, float]


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    mean: float | None
    cv: float | None
    # school key → CV(all) − CV(without the school); None where undefined
    effects: Mapping[str, float | None]


@dataclass(frozen=True)
class BalanceResult:
    indicators: Sequence[IndicatorResult]
    composite: float | None
    composite_effects: Mapping[str, float | None]
    schools: int
    enrolment: int


def weighted_cv(enrolments: Sequence[int], values: Sequence[float]) -> tuple[float, float] | None:
    """(x̄, CV) for one indicator, or None when there is no pupil or the mean is zero."""
    total = sum(enrolments)
    if total <= 0:
        return None
    mean = math.fsum(n * x for n, x in zip(enrolments, values, strict=True)) / total
    if mean == 0:
        return None
    var = math.fsum((n / total) * (x - mean) ** 2 for n, x in zip(enrolments, values, strict=True))
    return mean, math.sqrt(max(var, 0.0)) / mean


def _leave_one_out(enrolments: Sequence[int], values: Sequence[float]) -> list[float | None]:
    """CV of the set without school i, for every i, each recomputed from the remaining schools.

    Running sums would make this O(n) but lose every digit when the remaining schools are nearly
    equal (the remainder's spread cancels against the whole set's); a county has a few hundred
    schools per stage at most, so the exact O(n²) form costs milliseconds.
    """
    out: list[float | None] = []
    for i in range(len(values)):
        found = weighted_cv(
            [*enrolments[:i], *enrolments[i + 1 :]], [*values[:i], *values[i + 1 :]]
        )
        out.append(found[1] if found else None)
    return out


def balance_of(schools: Sequence[School], codes: Sequence[str] | None = None) -> BalanceResult:
    """Every indicator's x̄, CV and leave-one-out effects, and the composite (mean of the CVs)."""
    codes = list(codes or INDICATOR_LABELS)
    enrolments = [s.enrolment for s in schools]
    results: list[IndicatorResult] = []
    loo_by_code: dict[str, list[float | None]] = {}
    for code in codes:
        values = [float(s.values[code]) for s in schools]
        found = weighted_cv(enrolments, values)
        loo = _leave_one_out(enrolments, values)
        loo_by_code[code] = loo
        cv = found[1] if found else None
        effects = {
            s.key: (cv - without if cv is not None and without is not None else None)
            for s, without in zip(schools, loo, strict=True)
        }
        results.append(IndicatorResult(code, found[0] if found else None, cv, effects))
    cvs = [r.cv for r in results]
    composite = None if not cvs or None in cvs else math.fsum(c for c in cvs if c) / len(cvs)
    composite_effects: dict[str, float | None] = {}
    for i, school in enumerate(schools):
        without = [loo_by_code[c][i] for c in codes]
        if composite is None or any(w is None for w in without):
            composite_effects[school.key] = None
        else:
            composite_effects[school.key] = composite - math.fsum(
                w for w in without if w is not None
            ) / len(codes)
    return BalanceResult(results, composite, composite_effects, len(schools), sum(enrolments))


@dataclass(frozen=True)
class Shortfall:
    """One standard a school does not meet: its value, the standard, and the exact share."""

    code: str
    value: Decimal
    minimum: Decimal

    @property
    def percent(self) -> Decimal:
        """value ÷ standard × 100, exact to 28 digits (compare this, round only to show it)."""
        return self.value * 100 / self.minimum


@dataclass(frozen=True)
class SchoolStandards:
    met: int
    total: int
    shortfalls: tuple[Shortfall, ...]
    # the shortfalls below the floor (each one alone makes the school fail)
    below_floor: tuple[Shortfall, ...]
    passed: bool


def school_standards(
    values: Mapping[str, Decimal],
    minimums: Mapping[str, Decimal],
    *,
    min_met: int,
    floor_percent: Decimal,
) -> SchoolStandards:
    """One school against the per-school standards of quality balance.

    It passes when it meets at least ``min_met`` of the standards (value ≥ standard) and every
    standard it misses is reached to at least ``floor_percent`` % — all in exact decimals:
    value × 100 ≥ standard × floor, nothing rounded.
    """
    shortfalls = tuple(
        Shortfall(code, values[code], minimum)
        for code, minimum in minimums.items()
        if values[code] < minimum
    )
    below = tuple(s for s in shortfalls if s.value * 100 < s.minimum * floor_percent)
    met = len(minimums) - len(shortfalls)
    return SchoolStandards(met, len(minimums), shortfalls, below, met >= min_met and not below)
