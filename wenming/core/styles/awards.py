"""按级别加分: each award earns the amount of its level, up to a cap.

“获国家级表彰加3分、省级加2分,最多加5分”: ``levels`` maps each level to its amount and the
item's points (5) cap the sum, so the item can always reach its points. The entered value is
the number of awards at each level. Usually a bonus item, but any leaf may use it.
"""

from __future__ import annotations

from decimal import Decimal
from operator import mul
from typing import Annotated, Any

from pydantic import Field

from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt, to_centi
from wenming.core.styles.base import ScoringStyle, StyleParams, UnitProfile, register
from wenming.core.styles.counts import parse_counts, render_counts

Level = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^、,,;;:：\n\d]+$")]


class AwardsParams(StyleParams):
    levels: dict[Level, Annotated[Decimal, Field(gt=0)]] = Field(min_length=1, max_length=20)


@register
class Awards(ScoringStyle):
    key = "awards"
    label = "按级别加分"
    summary = (
        "每项表彰或成果按级别计分(如国家级3分、省级2分),合计不超过本项分值。录入:各级别的项数。"
    )
    Params = AwardsParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, AwardsParams)
        self.names = tuple(params.levels)
        self.each = tuple(to_centi(v) for v in params.levels.values())
        self.cap = self.points

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, AwardsParams)
        problems = []
        high = [name for name, v in params.levels.items() if v > item.points]
        if high:
            problems.append(f"级别“{'、'.join(high)}”的分值超过本项分值{item.points}分")
        return problems

    def parse(self, raw: Any) -> tuple[int, ...]:
        return parse_counts(raw, self.names, what="级别")

    def earned(self, value: tuple[int, ...]) -> int:
        return sum(map(mul, value, self.each))

    def score(self, value: tuple[int, ...], profile: UnitProfile) -> int:
        earned = sum(map(mul, value, self.each))
        return earned if earned < self.cap else self.cap

    def describe(
        self, value: tuple[int, ...], profile: UnitProfile, score: int, reason: str
    ) -> str:
        parts = [
            f"{name}{n}项×{fmt(each)}分"
            for name, n, each in zip(self.names, value, self.each, strict=True)
            if n
        ]
        detail = "、".join(parts) or "无"
        if self.earned(value) > score:
            detail += f",最多计{fmt(self.cap)}分"
        line = f"{self.code} 得{fmt(score)}分,少{fmt(self.points - score)}分({detail})"
        return f"{line}:{reason}" if reason else line

    def render(self, value: tuple[int, ...]) -> str:
        return render_counts(value, self.names)

    def rule_text(self) -> str:
        parts = [
            f"{name}每项加{fmt(each)}分" for name, each in zip(self.names, self.each, strict=True)
        ]
        return ",".join(parts) + f";最多加{fmt(self.cap)}分"

    def amounts(self) -> frozenset[int]:
        return frozenset(self.each) | {self.cap, self.points}
