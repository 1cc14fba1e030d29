"""What the phone scoring screen shows: each leaf item with its method, evidence and my entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User

from wenming.core.evidence import COMPLETE
from wenming.core.framework import Indicator
from wenming.core.points import fmt
from wenming.core.styles import ScoringStyle
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

    @property
    def score_text(self) -> str:
        return fmt(self.score.score_centi) if self.score else ""


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
    names: dict[str, str] = {}
    items = []
    for node, parent, _ in engine.framework.walk():
        names[node.code] = node.name
        if not node.is_leaf:
            continue
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
                score=mine.get(node.code),
                photos=photos.get(mine[node.code].pk, []) if node.code in mine else [],
                evidence_ok=row is not None and row.status == COMPLETE,
                evidence=";".join(missing) or ("" if row and row.records else "没有关联的台账记录"),
            )
        )
    return items
