"""直接赋分: the assessor gives the points directly, between 0 and the item's points."""

from __future__ import annotations

from typing import Any

from wenming.core.points import PointsError, fmt, to_centi, to_decimal
from wenming.core.styles.base import InputError, ScoringStyle, UnitProfile, register


@register
class Direct(ScoringStyle):
    key = "direct"
    label = "直接赋分"
    summary = "评分人直接给出得分(0至本项分值,最多两位小数)。"

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool) or raw is None:
            raise InputError("直接赋分项应填写得分")
        try:
            centi = to_centi(raw)
        except PointsError as exc:
            raise InputError(str(exc)) from exc
        if not 0 <= centi <= self.points:
            raise InputError(f"得分{raw}超出范围,应在0到{fmt(self.points)}分之间")
        return centi

    def score(self, value: int, profile: UnitProfile) -> int:
        return value

    def describe(self, value: int, profile: UnitProfile, score: int, reason: str) -> str:
        line = f"{self.code} 得{fmt(score)}分,扣{fmt(self.points - score)}分"
        return f"{line}:{reason}" if reason else line

    def rule_text(self) -> str:
        return f"评分人在0至{fmt(self.points)}分之间直接赋分"

    def render(self, value: int) -> Any:
        return to_decimal(value)
