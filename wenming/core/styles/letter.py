"""等级制: a letter grade worth a share of the item (A 100%, B 66%, C 33%, D 0% by default)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt, share_of
from wenming.core.styles.base import InputError, ScoringStyle, StyleParams, UnitProfile, register


class LetterParams(StyleParams):
    grades: dict[str, Decimal] | None = Field(default=None, min_length=1)


@register
class Letter(ScoringStyle):
    key = "letter"
    label = "等级制"
    summary = "按等级计本项分值的一定比例(默认A 100%、B 66%、C 33%、D 0%,可在框架或本项设定)。"
    Params = LetterParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, LetterParams)
        self.shares = dict(params.grades or framework.letter_grades)
        self.table = {g: share_of(self.points, pct) for g, pct in self.shares.items()}

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, LetterParams)
        bad = [g for g, pct in (params.grades or {}).items() if not 0 <= pct <= 100]
        return [f"等级“{g}”的比例应在0到100之间" for g in bad]

    def parse(self, raw: Any) -> str:
        grade = str(raw).strip().upper() if raw is not None else ""
        if grade not in self.table:
            allowed = "、".join(self.table)
            raise InputError(f"等级应为{allowed}之一,不能是“{raw}”")
        return grade

    def score(self, value: str, profile: UnitProfile) -> int:
        return self.table[value]

    def rule_text(self) -> str:
        parts = [
            f"评为{grade}等得{fmt(points)}分" if points else f"评为{grade}等不得分"
            for grade, points in self.table.items()
        ]
        return ",".join(parts)

    def amounts(self) -> frozenset[int]:
        return frozenset(self.table.values()) | {self.points}

    def describe(self, value: str, profile: UnitProfile, score: int, reason: str) -> str:
        line = (
            f"{self.code} 评为{value}等(计{fmt(int(self.shares[value] * 100))}%),"
            f"扣{fmt(self.points - score)}分"
        )
        return f"{line}:{reason}" if reason else line
