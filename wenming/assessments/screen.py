"""What the self-assessment screen shows: the tree with each item's entry, score and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wenming.assessments.inputs import InputSpec, counts_shown, input_spec
from wenming.assessments.models import Entry, SelfAssessment
from wenming.assessments.scoring import unit_profile
from wenming.core.engine import Engine, Scorecard
from wenming.core.framework import Indicator
from wenming.core.points import fmt, fmt_decimal
from wenming.core.styles import NA_TEXT, ScoringStyle, UnitProfile
from wenming.core.styles.measured import Measured
from wenming.frameworks.selectors import engine_of


@dataclass
class ItemView:
    node: Indicator
    depth: int
    index: int
    points: str
    bonus: bool = False
    style: ScoringStyle | None = None
    entry: Entry | None = None
    score: str = ""
    lost: bool = False
    explanation: str = ""
    standard: str = ""
    grades: list[str] = field(default_factory=list)
    error: str = ""
    typed: dict[str, Any] | None = None
    conflict: Entry | None = None
    evidence: str = ""
    evidence_ok: bool = False
    evidence_manual: bool = False  # only checks a person must make are open (待人工确认)
    spec: InputSpec | None = None  # the input's hints: bands, kinds, 不适用, printed rule

    @property
    def stored(self) -> str:
        if self.typed is not None:
            return str(self.typed.get("value", ""))
        return self.entry.value if self.entry else ""

    @property
    def na(self) -> bool:
        """Entered as 不适用."""
        return self.stored.strip() == NA_TEXT

    @property
    def value(self) -> str:
        """The value for a single input ("" when the item is 不适用)."""
        return "" if self.na else self.stored

    @property
    def counts(self) -> list[tuple[int, str, str, str]]:
        """(position, kind, amount, count shown) for a findings or awards item's inputs."""
        if self.spec is None or not self.spec.counts or self.style is None:
            return []
        shown = counts_shown(self.style, self.stored)
        return [(i, k.name, k.amount, shown[i]) for i, k in enumerate(self.spec.kinds)]

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0


def profile_of(assessment: SelfAssessment) -> UnitProfile:
    """The unit's type, stage and enrolment as the engine takes them."""
    return unit_profile(assessment.unit, engine_of(assessment.edition))


def item_views(
    assessment: SelfAssessment, entries: dict[str, Entry], card: Scorecard | None
) -> list[ItemView]:
    engine = engine_of(assessment.edition)
    explanations = _explanations(engine, card)
    profile = profile_of(assessment)
    rows = []
    for index, (node, _, depth) in enumerate(engine.framework.walk()):
        if not engine.applies(node.code, profile):
            continue  # limited to other unit types or stages: not shown, scored or counted
        rows.append(
            item_view(
                engine, node, depth, index, entries.get(node.code), card, explanations, profile
            )
        )
    return rows


def item_view(
    engine: Engine,
    node: Indicator,
    depth: int,
    index: int,
    entry: Entry | None,
    card: Scorecard | None,
    explanations: dict[str, str],
    profile: UnitProfile,
) -> ItemView:
    view = ItemView(
        node=node,
        depth=depth,
        index=index,
        points=fmt_decimal(node.points),
        bonus=node.code in engine.bonus_codes,
        entry=entry,
    )
    if card is not None:
        score = card.node(node.code)
        view.score = fmt(score)
        # the item's maximum for this unit: 不适用 items drop out of their parents' maxima
        view.points = fmt(card.node_max[index])
        view.lost = score < card.node_max[index] and not view.bonus
    if node.is_leaf:
        style = engine.styles[node.code]
        view.style = style
        view.spec = input_spec(style, engine.framework)
        view.explanation = explanations.get(node.code, "")
        if isinstance(style, Measured):
            view.standard = style.standard_text(profile)
        if style.key == "letter":
            view.grades = list(style.table)  # type: ignore[attr-defined]
    return view


def _explanations(engine: Engine, card: Scorecard | None) -> dict[str, str]:
    if card is None:
        return {}
    out = {}
    for line in card.explain():
        code = line.split(" ", 1)[0]
        if code in engine.styles:
            out[code] = line
    return out
