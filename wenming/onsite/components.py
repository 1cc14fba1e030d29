"""Separately scored components (分项, e.g. 文明校园's 未成年人思想道德建设测评) on site.

An expert enters a component's score like an item's: one ``Score`` row under the component's
code, reconciled by the campaign's rule with the items, recorded under ``components`` of the
results data (docs/results-format.md) — where the engine checks its threshold and weight.
"""

from __future__ import annotations

from wenming.core.engine import Engine
from wenming.core.framework import Component
from wenming.core.points import PointsError, fmt_decimal, to_centi
from wenming.onsite.errors import OnsiteRefused


def component_of(engine: Engine, code: str) -> Component | None:
    """The framework's component with this code (never a leaf item's code)."""
    if code in engine.styles:
        return None
    return next((c for c in engine.framework.components if c.code == code), None)


def component_score(component: Component, value: str) -> int:
    """The typed score in hundredths, between 0 and the component's points; refused in
    Chinese naming the component."""
    text = str(value).strip()
    if not text:
        raise OnsiteRefused(f"请填写分项“{component.name}”的得分")
    try:
        centi = to_centi(text)
    except PointsError:
        raise OnsiteRefused(
            f"分项“{component.name}”的得分“{text[:20]}”应为数字,最多两位小数"
        ) from None
    if not 0 <= centi <= to_centi(component.points):
        raise OnsiteRefused(
            f"分项“{component.name}”的得分应在0到{fmt_decimal(component.points)}之间"
        )
    return centi
