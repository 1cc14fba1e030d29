"""扣分制: a fixed deduction per occurrence, never taking the item below zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt, to_centi
from wenming.core.styles.base import InputError, ScoringStyle, StyleParams, UnitProfile, register


class DeductionParams(StyleParams):
    per_occurrence: Decimal = Field(gt=0)
    max: Decimal | None = Field(default=None, gt=0)


@register
class Deduction(ScoringStyle):
    key = "deduction"
    label = "扣分制"
    summary = "每发现一处扣固定分值,扣完本项分值为止(可设扣分上限)。录入:发现处数(整数)。"
    Params = DeductionParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, DeductionParams)
        self.per = to_centi(params.per_occurrence)
        self.cap = min(self.points, to_centi(params.max)) if params.max else self.points

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, DeductionParams)
        if params.max is not None and params.max > item.points:
            return [f"扣分上限{params.max}分超过本项分值{item.points}分"]
        return []

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool) or raw is None:
            raise InputError("扣分项应填写发现问题的处数(非负整数)")
        try:
            count = Decimal(str(raw).strip())
        except ArithmeticError as exc:
            raise InputError(f"扣分项应填写发现问题的处数,“{raw}”不是整数") from exc
        if count != count.to_integral_value() or count < 0:
            raise InputError(f"扣分项应填写发现问题的处数(非负整数),不能是“{raw}”")
        return int(count)

    def score(self, value: int, profile: UnitProfile) -> int:
        lost = value * self.per
        return self.points - (lost if lost < self.cap else self.cap)

    def rule_text(self) -> str:
        tail = f"最多扣{fmt(self.cap)}分" if self.cap < self.points else "扣完本项分值为止"
        return f"每发现一处扣{fmt(self.per)}分,{tail}"

    def amounts(self) -> frozenset[int]:
        return frozenset({self.per, self.cap, self.points})

    def describe(self, value: int, profile: UnitProfile, score: int, reason: str) -> str:
        lost = self.points - score
        detail = f"{value}处×{fmt(self.per)}分"
        if value * self.per > lost:
            detail += f",最多扣{fmt(self.cap)}分"
        why = reason or self.item.name
        return f"{self.code} 扣{fmt(lost)}分:{why}({detail})"
