"""达标比例: partial credit by how close a measured value comes to a standard.

The standard may differ by school stage. For a nine-year school (九年一贯制) the required value
is the enrolment-weighted combination of the primary and junior standards; for the junior part
of a complete secondary school (完全中学) a shared resource is first apportioned by the junior
share of enrolment (DOMAIN.md section 2). Everything is computed with integers: values in
ten-thousandths and the ratio test cross-multiplied, so no rounding decides a band.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from wenming.core.framework import Framework, Indicator, MeasuredBand
from wenming.core.points import fmt, share_of
from wenming.core.styles.base import InputError, ScoringStyle, StyleParams, UnitProfile, register

VALUE_SCALE = 10_000
PRIMARY, JUNIOR, SENIOR = "小学", "初中", "高中"
NINE_YEAR, COMPLETE_SECONDARY = "九年一贯制", "完全中学"


class MeasuredParams(StyleParams):
    standard: Decimal | dict[str, Decimal]
    direction: Literal["higher", "lower"] = "higher"
    per_students: int | None = Field(default=None, ge=1)
    shared: bool = False
    unit: str = ""
    input: str = ""  # what the assessor enters, e.g. "校舍总建筑面积(平方米)"
    bands: tuple[MeasuredBand, ...] | None = None


def _scaled(value: Decimal) -> int:
    scaled = value * VALUE_SCALE
    if scaled != scaled.to_integral_value():
        raise InputError(f"数值“{value}”最多保留四位小数")
    return int(scaled)


@register
class Measured(ScoringStyle):
    key = "measured"
    label = "达标比例"
    summary = (
        "实测值与标准值相比:达到100%得满分,80%–99%得80%,60%–79%得50%,低于60%不得分"
        "(比例档次可设定;可按学段设标准,九年一贯制按在校生加权)。录入:实测值。"
    )
    Params = MeasuredParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, MeasuredParams)
        self.p = params
        bands = sorted(params.bands or framework.measured_bands, key=lambda b: -b.from_)
        # (threshold in hundredths of a percent, points earned in hundredths)
        self.steps = [(int(b.from_ * 100), share_of(self.points, b.share)) for b in bands]
        std = params.standard
        self.standards = (
            {k: _scaled(v) for k, v in std.items()} if isinstance(std, dict) else _scaled(std)
        )

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, MeasuredParams)
        problems: list[str] = []
        std = params.standard
        values = std.values() if isinstance(std, dict) else [std]
        if any(v < 0 for v in values):
            problems.append("标准值不能为负数")
        if isinstance(std, dict):
            unknown = [k for k in std if k not in (PRIMARY, JUNIOR)]
            if unknown:
                problems.append(f"按学段的标准值只能是小学、初中,不能是“{'、'.join(unknown)}”")
        bands = params.bands or framework.measured_bands
        if not any(b.from_ == 0 for b in bands):
            problems.append("达标比例档次须包含从0%起的最低一档")
        try:
            for v in values:
                _scaled(v)
        except InputError as exc:
            problems.append(str(exc))
        return problems

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool) or raw is None or str(raw).strip() == "":
            raise InputError("达标比例项应填写实测值")
        try:
            value = Decimal(str(raw).strip())
        except ArithmeticError as exc:
            raise InputError(f"实测值“{raw}”不是数字") from exc
        if not value.is_finite() or value < 0:
            raise InputError(f"实测值“{raw}”应为非负数")
        return _scaled(value)

    # -- profile-dependent factors -------------------------------------------------------

    def _required(self, profile: UnitProfile) -> tuple[int, int]:
        """The standard as a fraction (numerator, denominator) in ten-thousandths."""
        std = self.standards
        if isinstance(std, int):
            return std, 1
        stage = profile.stage
        if stage == NINE_YEAR and self.framework.combination.nine_year:
            n_p, n_j = _enrolment(profile, PRIMARY), _enrolment(profile, JUNIOR)
            return n_p * std[PRIMARY] + n_j * std[JUNIOR], n_p + n_j
        part = JUNIOR if stage in (COMPLETE_SECONDARY, NINE_YEAR) else stage
        if part in std:
            return std[part], 1
        if stage is None and len(std) == 1:
            return next(iter(std.values())), 1
        raise InputError(
            f"{self.code} 按学段设定标准,须说明学校学段(小学、初中、九年一贯制或完全中学)"
        )

    def standard_text(self, profile: UnitProfile) -> str:
        """The standard this unit is held to, showing each stage's part where they combine."""
        try:
            num, den = self._required(profile)
        except InputError as exc:
            return str(exc)
        unit = self.p.unit
        combined = f"{_dec(Fraction(num, den * VALUE_SCALE))}{unit}"
        std = self.standards
        if (
            isinstance(std, dict)
            and profile.stage == NINE_YEAR
            and self.framework.combination.nine_year
        ):
            n_p, n_j = _enrolment(profile, PRIMARY), _enrolment(profile, JUNIOR)
            return (
                f"小学{_dec(Fraction(std[PRIMARY], VALUE_SCALE))}{unit}({n_p}人)、"
                f"初中{_dec(Fraction(std[JUNIOR], VALUE_SCALE))}{unit}({n_j}人),按在校生加权:{combined}"
            )
        if isinstance(std, dict) and profile.stage == COMPLETE_SECONDARY and self.p.shared:
            n_j, n_s = _enrolment(profile, JUNIOR), _enrolment(profile, SENIOR)
            return f"初中标准{combined};共用资源按初中在校生占比{n_j}/{n_j + n_s}分摊"
        return f"标准{combined}"

    def _factor(self, profile: UnitProfile) -> tuple[int, int]:
        """Multiply the entered value by num/den to get the value compared with the standard."""
        num, den = 1, 1
        stage = profile.stage
        apportion = (
            self.p.shared
            and stage == COMPLETE_SECONDARY
            and self.framework.combination.complete_secondary
        )
        if apportion:
            n_j, n_s = _enrolment(profile, JUNIOR), _enrolment(profile, SENIOR)
            num, den = n_j, n_j + n_s
        if self.p.per_students:
            if stage == NINE_YEAR:
                students = _enrolment(profile, PRIMARY) + _enrolment(profile, JUNIOR)
            elif stage == COMPLETE_SECONDARY:
                students = _enrolment(profile, JUNIOR)
            elif stage in (PRIMARY, JUNIOR):
                students = _enrolment(profile, stage)
            else:
                students = profile.students
            if students <= 0:
                raise InputError(f"{self.code} 按生均计算,须填写在校生数")
            num, den = num * self.p.per_students, den * students
        return num, den

    def _sides(self, value: int, profile: UnitProfile) -> tuple[int, int]:
        r_num, r_den = self._required(profile)
        v_num, v_den = self._factor(profile)
        return value * v_num * r_den, r_num * v_den

    def score(self, value: int, profile: UnitProfile) -> int:
        measured, required = self._sides(value, profile)
        if self.p.direction == "higher":
            if required == 0:
                return self.points
            for threshold, earned in self.steps:
                if measured * 10_000 >= required * threshold:
                    return earned
        else:
            if measured == 0:
                return self.points
            for threshold, earned in self.steps:
                if required * 10_000 >= measured * threshold:
                    return earned
        return 0

    def describe(self, value: int, profile: UnitProfile, score: int, reason: str) -> str:
        r_num, r_den = self._required(profile)
        v_num, v_den = self._factor(profile)
        actual = Fraction(value * v_num, v_den * VALUE_SCALE)
        required = Fraction(r_num, r_den * VALUE_SCALE)
        if self.p.direction == "higher":
            ratio = actual / required if required else Fraction(1)
        else:
            ratio = required / actual if actual else Fraction(1)
        unit = self.p.unit
        line = (
            f"{self.code} 实测{_dec(actual, 4)}{unit},标准{_dec(required, 4)}{unit},"
            f"达到标准的{_dec_down(ratio * 100, 2)}%,扣{fmt(self.points - score)}分"
        )
        return f"{line}:{reason}" if reason else line

    def rule_text(self) -> str:
        std = self.standards
        unit = self.p.unit
        if isinstance(std, int):
            standard = f"{_dec(Fraction(std, VALUE_SCALE), 4)}{unit}"
        else:
            standard = "、".join(
                f"{stage}{_dec(Fraction(v, VALUE_SCALE), 4)}{unit}" for stage, v in std.items()
            )
        reach = "达到标准" if self.p.direction == "higher" else "不超过标准"
        parts = []
        for (threshold, earned), (upper, _) in zip(
            self.steps, [(None, 0), *self.steps], strict=False
        ):
            pct = fmt(threshold)
            if upper is None:
                what = f"{reach}{'' if threshold == 10_000 else f'的{pct}%'}"
            elif threshold == 0:
                what = f"低于{fmt(upper)}%"
            else:
                what = f"达到{pct}%至{fmt(upper)}%"
            parts.append(f"{what}得{fmt(earned)}分" if earned else f"{what}不得分")
        return (
            f"标准{standard}({'越高越好' if self.p.direction == 'higher' else '越低越好'});"
            + ",".join(parts)
        )

    def amounts(self) -> frozenset[int]:
        return frozenset(earned for _, earned in self.steps) | {self.points}

    def render(self, value: int) -> Any:
        return Decimal(value) / VALUE_SCALE


def _enrolment(profile: UnitProfile, stage: str) -> int:
    return int(profile.enrolment.get(stage, 0))


def _dec_down(value: Fraction, places: int) -> str:
    """Cut, not rounded: a share just under a band's threshold never reads as reaching it."""
    scale = 10**places
    return _dec(Fraction(math.floor(value * scale), scale), places)


def _dec(value: Fraction, places: int = 2) -> str:
    text = f"{float(round(value, places)):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
