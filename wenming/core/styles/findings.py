"""按问题类型扣分: each kind of finding has its own deduction, all under one cap.

“缺一项扣2分,不规范一处扣1分,最多扣5分”: ``kinds`` lists the kinds with their amounts,
``max`` (optional, at most the item's points) caps the sum. The entered value is the number of
findings of each kind.
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

Name = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^、,,;;:：\n\d]+$")]


class Finding(StyleParams):
    name: Name
    per: Decimal = Field(gt=0)


class FindingsParams(StyleParams):
    kinds: tuple[Finding, ...] = Field(min_length=1, max_length=20)
    max: Decimal | None = Field(default=None, gt=0)


@register
class Findings(ScoringStyle):
    key = "findings"
    label = "分类扣分"
    summary = (
        "按问题类型分别扣分(如缺一项扣2分、不规范一处扣1分),合计可设上限。录入:各类问题的处数。"
    )
    Params = FindingsParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        super().__init__(item=item, params=params, framework=framework)
        assert isinstance(params, FindingsParams)
        self.names = tuple(k.name for k in params.kinds)
        self.pers = tuple(to_centi(k.per) for k in params.kinds)
        self.cap = min(self.points, to_centi(params.max)) if params.max else self.points

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        assert isinstance(params, FindingsParams)
        problems = []
        names = [k.name for k in params.kinds]
        if len(set(names)) < len(names):
            problems.append("问题类型名称重复")
        if params.max is not None and params.max > item.points:
            problems.append(f"扣分上限{fmt(to_centi(params.max))}分超过本项分值{item.points}分")
        return problems

    def parse(self, raw: Any) -> tuple[int, ...]:
        return parse_counts(raw, self.names, what="问题类型")

    def lost(self, value: tuple[int, ...]) -> int:
        return sum(map(mul, value, self.pers))

    def score(self, value: tuple[int, ...], profile: UnitProfile) -> int:
        lost = sum(map(mul, value, self.pers))
        return self.points - (lost if lost < self.cap else self.cap)

    def describe(
        self, value: tuple[int, ...], profile: UnitProfile, score: int, reason: str
    ) -> str:
        parts = [
            f"{name}{n}处×{fmt(per)}分"
            for name, n, per in zip(self.names, value, self.pers, strict=True)
            if n
        ]
        detail = "、".join(parts)
        if self.lost(value) > self.points - score:
            detail += f",最多扣{fmt(self.cap)}分"
        return f"{self.code} 扣{fmt(self.points - score)}分:{reason or self.item.name}({detail})"

    def render(self, value: tuple[int, ...]) -> str:
        return render_counts(value, self.names)

    def rule_text(self) -> str:
        parts = [
            f"{name}每处扣{fmt(per)}分" for name, per in zip(self.names, self.pers, strict=True)
        ]
        tail = f"合计最多扣{fmt(self.cap)}分" if self.cap < self.points else "扣完本项分值为止"
        return ",".join(parts) + f";{tail}"

    def amounts(self) -> frozenset[int]:
        return frozenset(self.pers) | {self.cap, self.points}
