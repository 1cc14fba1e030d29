"""分档赋分: points by the tier a measured rate, count or value reaches.

“注册率达到30%得3分,20%至30%得2分,10%至20%得1分,低于10%不得分”: ``tiers`` lists
``{at: 30, points: 3}`` … ; with ``direction: higher`` (default) a value earns the points of the
highest ``at`` it reaches (value ≥ at), with ``lower`` (e.g. 投诉件数, 近视率) the points of the
lowest ``at`` it stays within (value ≤ at). Below every tier the item earns nothing. Values are
compared as integers in ten-thousandths, so no rounding decides a tier.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from wenming.core.framework import Framework, Indicator
from wenming.core.points import PointsError, fmt, to_centi
from wenming.core.styles.base import InputError, ScoringStyle, StyleParams, UnitProfile, register

VALUE_SCALE = 10_000


class Tier(StyleParams):
    at: Annotated[Decimal, Field(ge=0)]
    points: Annotated[Decimal, Field(ge=0)]


class TieredParams(StyleParams):
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=20)
    direction: Literal["higher", "lower"] = "higher"
    unit: str = Field(default="", max_length=20)  # of the entered value, e.g. "%", "次"
    input: str = Field(default="", max_length=80)  # what the assessor enters, e.g. "注册率(%)"


def _scaled(value: Decimal) -> int:
    scaled = value * VALUE_SCALE
    if scaled != scaled.to_integral_value():
        raise InputError(f"数值“{value}”最多保留四位小数")
    return int(scaled)


def _num(scaled: int) -> str:
    return fmt(scaled // 100) if scaled % 100 == 0 else str(Decimal(scaled) / VALUE_SCALE)


@register
class Tiered(ScoringStyle):
    key = "tiered"
    label = "分档赋分"
    summary = "按实测的比率、次数或数值所在档次赋分(如≥30%得3分、20%–30%得2分)。录入:实测值。"
    Params = TieredParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, TieredParams)
        self.p = params
        self.higher = params.direction == "higher"
        tiers = sorted(((_scaled(t.at), to_centi(t.points)) for t in params.tiers), reverse=True)
        # best tier first: highest threshold when more is better, lowest when less is
        self.tiers = tiers if self.higher else tiers[::-1]

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, TieredParams)
        problems = []
        try:
            pairs = sorted((_scaled(t.at), to_centi(t.points)) for t in params.tiers)
        except (InputError, PointsError) as exc:
            return [str(exc)]
        points = to_centi(item.points)
        ats = [a for a, _ in pairs]
        if len(set(ats)) < len(ats):
            problems.append("分档的起点重复")
        high = [p for _, p in pairs if p > points]
        if high:
            problems.append(f"分档得分{fmt(max(high))}分超过本项分值{item.points}分")
        if max(p for _, p in pairs) < points:
            problems.append(
                f"最好一档应得满分{item.points}分(现为{fmt(max(p for _, p in pairs))}分)"
            )
        earned = [p for _, p in pairs]
        better = earned if params.direction == "higher" else earned[::-1]
        if better != sorted(better):
            problems.append("分档得分应随档次提高而不减少(更好的档次不能得分更少)")
        return problems

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool) or raw is None or str(raw).strip() == "":
            raise InputError("分档赋分项应填写实测值")
        text = str(raw).strip().removesuffix("%").strip()
        try:
            value = Decimal(text)
        except ArithmeticError as exc:
            raise InputError(f"实测值“{raw}”不是数字") from exc
        if not value.is_finite() or value < 0:
            raise InputError(f"实测值“{raw}”应为非负数")
        if value > 10**12:
            raise InputError(f"实测值“{raw}”过大")
        return _scaled(value)

    def score(self, value: int, profile: UnitProfile) -> int:
        if self.higher:
            for at, points in self.tiers:
                if value >= at:
                    return points
        else:
            for at, points in self.tiers:
                if value <= at:
                    return points
        return 0

    def describe(self, value: int, profile: UnitProfile, score: int, reason: str) -> str:
        unit = self.p.unit
        line = (
            f"{self.code} 实测{_num(value)}{unit},得{fmt(score)}分,扣{fmt(self.points - score)}分"
        )
        return f"{line}:{reason}" if reason else line

    def render(self, value: int) -> Any:
        return Decimal(value) / VALUE_SCALE

    def rule_text(self) -> str:
        unit = self.p.unit
        parts = []
        previous: int | None = None
        for at, points in self.tiers:
            here = f"{_num(at)}{unit}"
            if previous is None:
                what = f"达到{here}" if self.higher else f"不超过{here}"
            else:
                there = f"{_num(previous)}{unit}"
                what = f"{here}(含)至{there}" if self.higher else f"超过{there}至{here}(含)"
            parts.append(f"{what}得{fmt(points)}分" if points else f"{what}不得分")
            previous = at
        last = self.tiers[-1][0]
        if self.higher and last > 0:
            parts.append(f"低于{_num(last)}{unit}不得分")
        if not self.higher:
            parts.append(f"超过{_num(last)}{unit}不得分")
        head = f"按{self.p.input}赋分:" if self.p.input else ""
        return head + ",".join(parts)

    def amounts(self) -> frozenset[int]:
        return frozenset(p for _, p in self.tiers) | {self.points}
