"""Build results for tests: full marks, or an exact total reached by giving points back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from wenming.core.engine import Engine, Event, ItemResult, UnitResult
from wenming.core.styles import ScoringStyle, UnitProfile
from wenming.core.styles.awards import Awards
from wenming.core.styles.deduction import Deduction
from wenming.core.styles.letter import Letter
from wenming.core.styles.measured import Measured
from wenming.core.styles.tiered import Tiered

AS_OF = date(2026, 6, 30)
BIG = 10**9  # a measured value that beats any standard
PRIMARY = UnitProfile(stage="小学", enrolment={"小学": 800})


def full_value(style: ScoringStyle) -> object:
    """An entry that earns the item's full points in any style."""
    if isinstance(style, Measured | Tiered):
        return 0 if style.p.direction == "lower" else BIG
    if isinstance(style, Awards):
        best = max(range(len(style.names)), key=lambda i: style.each[i])
        return {style.names[best]: -(-style.cap // style.each[best])}
    if isinstance(style, Letter):
        return max(style.table, key=lambda grade: style.table[grade])
    simple = {"deduction": 0, "findings": 0, "yesno": True}
    return simple.get(style.key, style.item.points)


def full_marks(engine: Engine, *, bonus: bool = False) -> dict[str, ItemResult]:
    items: dict[str, ItemResult] = {}
    for code, style in engine.styles.items():
        if code in engine.bonus_codes and not bonus:
            continue
        items[code] = engine.parse_item(code, full_value(style))
    return items


def with_total(engine: Engine, target_centi: int, **kwargs: object) -> UnitResult:
    """Results whose base total is exactly ``target_centi`` hundredths (no bonus, no events)."""
    items = full_marks(engine)
    deficit = engine.total_max - target_centi
    assert deficit >= 0
    for code, style in engine.styles.items():
        if deficit == 0:
            break
        if code in engine.bonus_codes or style.key != "direct":
            continue
        take = min(deficit, style.points)
        items[code] = ItemResult(style.points - take)
        deficit -= take
    for code, style in engine.styles.items():
        if deficit == 0:
            break
        if code in engine.bonus_codes or style.key != "yesno" or style.points > deficit:
            continue
        items[code] = ItemResult(False)
        deficit -= style.points
    for code, style in engine.styles.items():
        if deficit == 0:
            break
        if code in engine.bonus_codes or not isinstance(style, Deduction):
            continue
        per = style.per
        if deficit % per == 0:
            n = min(deficit // per, style.cap // per)
            items[code] = ItemResult(n)
            deficit -= n * per
    assert deficit == 0, f"could not reach the target, {deficit} left"
    kwargs.setdefault("profile", PRIMARY)
    return UnitResult(items=items, as_of=kwargs.pop("as_of", AS_OF), **kwargs)  # type: ignore[arg-type]


def events(*pairs: tuple[str, date | None]) -> tuple[Event, ...]:
    return tuple(Event(code, day) for code, day in pairs)


def primary_school(students: int = 800) -> UnitProfile:
    return UnitProfile(stage="小学", enrolment={"小学": students})


def codes(lines: Iterable[str]) -> str:
    return "\n".join(lines)
