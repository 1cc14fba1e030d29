"""What the phone scoring screen shows: each leaf item with its method, evidence and my entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User

from wenming.assessments.inputs import InputSpec, counts_shown, input_spec
from wenming.assessments.screen import profile_of
from wenming.core.evidence import COMPLETE
from wenming.core.framework import Component, Indicator
from wenming.core.points import fmt, fmt_decimal
from wenming.core.styles import NA_TEXT, ScoringStyle
from wenming.frameworks.selectors import engine_of
from wenming.ledger.selectors import evidence_status
from wenming.onsite.models import Assignment, Photo, Score


@dataclass
class ScoreItem:
    node: Indicator
    path: str
    style: ScoringStyle
    points: str
    grades: list[str] = field(default_factory=list)
    score: Score | None = None
    evidence_ok: bool = False
    evidence: str = ""
    photos: list[Photo] = field(default_factory=list)
    spec: InputSpec | None = None  # bands, kinds, 不适用 and the printed rule

    @property
    def score_text(self) -> str:
        return fmt(self.score.score_centi) if self.score else ""

    @property
    def na(self) -> bool:
        return self.score is not None and self.score.value.strip() == NA_TEXT

    @property
    def value(self) -> str:
        """My entry for a single input ("" when it is 不适用)."""
        return "" if self.score is None or self.na else self.score.value

    @property
    def counts(self) -> list[tuple[str, str, str]]:
        """(kind, amount, my count) for a findings or awards item's inputs."""
        if self.spec is None or not self.spec.counts:
            return []
        shown = counts_shown(self.style, self.score.value if self.score else "")
        return [(k.name, k.amount, shown[i]) for i, k in enumerate(self.spec.kinds)]


def score_items(assignment: Assignment, expert: User, *, as_of: date) -> list[ScoreItem]:
    """Every leaf of the campaign's edition, in framework order (five queries)."""
    application = assignment.application
    edition = assignment.campaign.edition
    engine = engine_of(edition)
    mine = {s.code: s for s in Score.objects.filter(application=application, expert=expert)}
    photos: dict[int, list[Photo]] = {}
    for photo in Photo.objects.filter(score__in=list(mine.values())).select_related("attachment"):
        photos.setdefault(photo.score_id, []).append(photo)
    status = {
        row.node.code: row
        for row in evidence_status(unit=assignment.unit, edition=edition, as_of=as_of)
    }
    profile = profile_of(application.assessment)
    names: dict[str, str] = {}
    items = []
    for node, parent, _ in engine.framework.walk():
        names[node.code] = node.name
        if not node.is_leaf or not engine.applies(node.code, profile):
            continue  # a leaf limited to other unit types or stages is not scored here
        style = engine.styles[node.code]
        row = status.get(node.code)
        missing = [c.reason for c in row.checks if c.status != COMPLETE] if row is not None else []
        items.append(
            ScoreItem(
                node=node,
                path=names.get(parent.code, "") if parent else "",
                style=style,
                points=fmt(style.points),
                grades=list(getattr(style, "table", {})),
                spec=input_spec(style, engine.framework),
                score=mine.get(node.code),
                photos=photos.get(mine[node.code].pk, []) if node.code in mine else [],
                evidence_ok=row is not None and row.status == COMPLETE,
                evidence=";".join(missing) or ("" if row and row.records else "没有关联的台账记录"),
            )
        )
    return items


@dataclass
class ComponentItem:
    """A separately scored component on the phone: its rule and my score."""

    component: Component
    score: Score | None = None

    @property
    def code(self) -> str:
        return self.component.code

    @property
    def points(self) -> str:
        return fmt_decimal(self.component.points)

    @property
    def threshold(self) -> str:
        return fmt_decimal(self.component.threshold)

    @property
    def weight(self) -> str:
        return fmt_decimal(self.component.weight)

    @property
    def value(self) -> str:
        return self.score.value if self.score else ""


def score_components(assignment: Assignment, expert: User) -> list[ComponentItem]:
    """The framework's separately scored components with my scores (one query, none when the
    framework has no component)."""
    components = engine_of(assignment.campaign.edition).framework.components
    if not components:
        return []
    mine = {
        s.code: s
        for s in Score.objects.filter(
            application=assignment.application,
            expert=expert,
            code__in=[c.code for c in components],
        )
    }
    return [ComponentItem(c, mine.get(c.code)) for c in components]
