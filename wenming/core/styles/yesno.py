"""是否制: full points when the requirement is met, none when it is not."""

from __future__ import annotations

from typing import Any

from wenming.core.points import fmt
from wenming.core.styles.base import InputError, ScoringStyle, UnitProfile, register

YES = {"是", "达到", "符合", "yes", "y", "true", "1", "√"}
NO = {"否", "未达到", "不符合", "no", "n", "false", "0", "×"}


@register
class YesNo(ScoringStyle):
    key = "yesno"
    label = "是否制"
    summary = "达到要求得满分,未达到不得分。录入:是/否。"

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise InputError(f"是否项应填写“是”或“否”,不能是“{raw}”")

    def score(self, value: bool, profile: UnitProfile) -> int:
        return self.points if value else 0

    def describe(self, value: bool, profile: UnitProfile, score: int, reason: str) -> str:
        return f"{self.code} 扣{fmt(self.points)}分:{reason or '未达到要求'}({self.item.name})"

    def rule_text(self) -> str:
        return f"达到要求得{fmt(self.points)}分,未达到不得分"

    def amounts(self) -> frozenset[int]:
        return frozenset({self.points})

    def render(self, value: bool) -> str:
        return "是" if value else "否"
