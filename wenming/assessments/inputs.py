"""How an item is entered on a page: what to show beside its input, and typed input → value.

Every page that takes an item's value (the self-assessment screen, the expert's phone, the
paper score sheet) shows the same hints (a tiered item's bands, a findings item's kinds with
their amounts, an awards item's levels, the 不适用 rule) and turns what was typed into the text
a results file holds, which the engine then parses like any other entry. One place, so the
pages cannot disagree on how a count or a 不适用 is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from wenming.core.framework import Framework
from wenming.core.points import fmt, to_centi
from wenming.core.rules import printed_rule
from wenming.core.styles import NA_TEXT, InputError, ScoringStyle
from wenming.core.styles.awards import Awards
from wenming.core.styles.counts import MAX_COUNT, parse_counts
from wenming.core.styles.findings import Findings
from wenming.core.styles.tiered import VALUE_SCALE, Tiered

COUNT_STYLES = ("findings", "awards")


@dataclass(frozen=True)
class Band:
    """One tier of a tiered item as shown: “≥30%” → 3分."""

    reach: str
    points: str


@dataclass(frozen=True)
class CountKind:
    """One kind of finding (or level of award) with its amount: “缺项” 每处扣2分."""

    name: str
    amount: str


@dataclass(frozen=True)
class InputSpec:
    """What an item's input looks like on a page."""

    key: str  # the scoring style's key
    rule: str  # the printed 评分标准
    unit: str = ""  # of a tiered item's measured value
    prompt: str = ""  # what to enter (tiered: 志愿者注册率(%))
    bands: tuple[Band, ...] = ()
    kinds: tuple[CountKind, ...] = ()
    allow_na: bool = False

    @property
    def counts(self) -> bool:
        return self.key in COUNT_STYLES


def _measured(scaled: int) -> str:
    return format((Decimal(scaled) / VALUE_SCALE).normalize(), "f")


def input_spec(style: ScoringStyle, framework: Framework) -> InputSpec:
    """The hints shown with the input of one leaf item."""
    item = style.item
    rule = printed_rule(item, framework)
    if isinstance(style, Tiered):
        unit, sign = style.p.unit, "≥" if style.higher else "≤"
        bands = tuple(
            Band(f"{sign}{_measured(at)}{unit}", fmt(points)) for at, points in style.tiers
        )
        prompt = style.p.input or (f"实测值({unit})" if unit else "实测值")
        return InputSpec(style.key, rule, unit, prompt, bands=bands, allow_na=item.allow_na)
    if isinstance(style, Findings):
        kinds = tuple(
            CountKind(name, f"每处扣{fmt(per)}分")
            for name, per in zip(style.names, style.pers, strict=True)
        )
        return InputSpec(
            style.key, rule, prompt="各类问题处数", kinds=kinds, allow_na=item.allow_na
        )
    if isinstance(style, Awards):
        kinds = tuple(
            CountKind(name, f"每项加{fmt(each)}分")
            for name, each in zip(style.names, style.each, strict=True)
        )
        return InputSpec(style.key, rule, prompt="各级别项数", kinds=kinds, allow_na=item.allow_na)
    return InputSpec(style.key, rule, allow_na=item.allow_na)


def na_note(framework: Framework) -> str:
    """What choosing 不适用 does to the total, by the framework's ``na_total`` rule."""
    head = "选“不适用”后本项不评分,也不计入满分;"
    if framework.na_total == "keep":
        return head + "基本分按适用指标的实得分计,不折算。"
    return (
        head
        + f"基本分按适用指标满分折算到{fmt(to_centi(framework.total))}分"
        + "(实得分×总分÷适用指标满分,四舍五入到0.01分)。"
    )


def counts_text(style: ScoringStyle, counts: Sequence[int | None]) -> str:
    """Counts typed per kind (None: left empty) → the entry text, or "" when nothing was typed.

    Raises InputError in Chinese for a count the style cannot take.
    """
    names: tuple[str, ...] = getattr(style, "names", ())
    if len(counts) != len(names):
        raise InputError(f"应填写{len(names)}个数量")
    if all(c is None for c in counts):
        return ""
    typed = {name: (c or 0) for name, c in zip(names, counts, strict=True)}
    parsed = parse_counts(typed, names, what="问题类型" if style.key == "findings" else "级别")
    parts = [f"{name}:{n}" for name, n in zip(names, parsed, strict=True) if n]
    return "、".join(parts) or "0"


def counts_from_mapping(style: ScoringStyle, counts: Mapping[str, int | None]) -> str:
    """Counts by kind name (from the phone) → the entry text; unknown names are refused."""
    names: tuple[str, ...] = getattr(style, "names", ())
    unknown = [name for name in counts if name not in names]
    if unknown:
        what = "问题类型" if style.key == "findings" else "级别"
        raise InputError(f"“{unknown[0]}”不是本项的{what},可填:{'、'.join(names)}")
    return counts_text(style, [counts.get(name) for name in names])


def counts_shown(style: ScoringStyle, value: str) -> list[str]:
    """The count of each kind in a stored entry text, for the inputs ("" where none stored)."""
    names: tuple[str, ...] = getattr(style, "names", ())
    if not value.strip() or value.strip() == NA_TEXT:
        return [""] * len(names)
    try:
        parsed = parse_counts(value, names, what="类型")
    except InputError:
        return [""] * len(names)
    return [str(n) for n in parsed]


__all__ = [
    "MAX_COUNT",
    "Band",
    "CountKind",
    "InputSpec",
    "counts_from_mapping",
    "counts_shown",
    "counts_text",
    "input_spec",
    "na_note",
]
