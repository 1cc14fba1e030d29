"""The printed 评分标准, generated from the scoring parameters, and the check that keeps them.

``rule_text`` is what documents and pages print: the style's own wording of its parameters,
plus an optional free-text addition. ``rule_mismatch`` is what the validator runs on a written
``rule``: every amount of points it names ("扣2分", "得1.5分") must be one the parameters give,
so that the text cannot drift from the scoring.
"""

from __future__ import annotations

import re
from decimal import Decimal

from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt
from wenming.core.styles import ScoringStyle, style_for

# a number of points: "扣2分", "得1.5分", "最多扣5分" (not "30分钟", "3分之1")
AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*分(?![钟之])")


def rule_text(item: Indicator, framework: Framework, *, extra: str = "") -> str:
    """The 评分标准 of a leaf item as printed: generated wording, then ``extra`` if any."""
    generated = style_for(item, framework).rule_text() + "。"
    extra = extra.strip()
    return f"{generated}{extra}" if extra else generated


def printed_rule(item: Indicator, framework: Framework) -> str:
    """What to print for an item: its written ``rule``, or the generated one when it has none."""
    if item.rule or not item.is_leaf:
        return item.rule
    return rule_text(item, framework)


def rule_mismatch(style: ScoringStyle) -> str | None:
    """A Chinese message when the item's ``rule`` names points its parameters do not give."""
    text = style.item.rule
    if not text:
        return None
    allowed = style.amounts()
    wrong: list[str] = []
    for match in AMOUNT.finditer(text):
        centi = int(Decimal(match.group(1)) * 100)
        ok = 0 <= centi <= style.points if allowed is None else centi == 0 or centi in allowed
        if not ok and match.group(1) not in wrong:
            wrong.append(match.group(1))
    if not wrong:
        return None
    named = "、".join(f"{w}分" for w in wrong)
    if allowed is None:
        return f"评分标准中的{named}超过本项分值{fmt(style.points)}分"
    given = "、".join(f"{fmt(a)}分" for a in sorted(allowed))
    return (
        f"评分标准中的{named}与评分参数不一致(参数给出的分值:{given};"
        f"按参数生成的评分标准为“{style.rule_text()}”)"
    )
