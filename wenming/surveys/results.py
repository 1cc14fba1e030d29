"""What the answers say: quota progress, option counts and satisfaction rates per target and
region, with and without the excluded answers. Counting happens in the database (one grouped
query per table); the rule (option → share) is applied to the counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from wenming.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Mapping,
    Question,
    Questionnaire,
    Target,
    Version,
)


@dataclass
class Progress:
    target: Target
    quota: int
    accepted: int
    valid: int
    flagged: int
    excluded: int

    @property
    def percent(self) -> int:
        return min(100, self.accepted * 100 // self.quota) if self.quota else 0


def progress(questionnaire: Questionnaire, version: Version | None = None) -> list[Progress]:
    """Sample size against quota per target (one query)."""
    on = Q(responses__version=version) if version is not None else Q()
    rows = (
        Target.objects.filter(questionnaire=questionnaire)
        .select_related("unit", "region", "unit__region")
        .annotate(
            n_valid=Count("responses", filter=on & Q(responses__excluded=False)),
            n_flagged=Count("responses", filter=on & Q(responses__flagged=True)),
            n_excluded=Count("responses", filter=on & Q(responses__excluded=True)),
        )
    )
    return [Progress(t, t.quota, t.accepted, t.n_valid, t.n_flagged, t.n_excluded) for t in rows]


def region_of(target: Target) -> str:
    if target.region is not None:
        return target.region.name
    return target.unit.region.name if target.unit is not None else ""


@dataclass
class Rate:
    """A satisfaction rate: Σ share of each answer ÷ answers, with the counts behind it."""

    answers: int = 0
    points: Decimal = Decimal(0)
    responses: int = 0
    options: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> Decimal | None:
        if not self.answers:
            return None
        return (self.points * 100 / self.answers).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def add(self, other: Rate) -> None:
        self.answers += other.answers
        self.points += other.points
        self.responses += other.responses
        for k, v in other.options.items():
            self.options[k] = self.options.get(k, 0) + v


def option_counts(version: Version, *, with_excluded: bool) -> dict[tuple[int, int, str], int]:
    """(target id, question id, option) → count of answers (one grouped query)."""
    rows = Answer.objects.filter(response__version=version).exclude(option="")
    if not with_excluded:
        rows = rows.filter(response__excluded=False)
    grouped = rows.values_list("response__target_id", "question_id", "option").annotate(
        n=Count("id")
    )
    return {(t, q, o): n for t, q, o, n in grouped}


def response_counts(version: Version, *, with_excluded: bool) -> dict[int, int]:
    rows = version.responses.all()
    if not with_excluded:
        rows = rows.filter(excluded=False)
    return dict(rows.values_list("target_id").annotate(n=Count("id")).values_list("target_id", "n"))


@dataclass
class MappingRates:
    mapping: Mapping
    by_target: dict[int, Rate]
    by_region: dict[str, Rate]
    total: Rate


def mapping_rates(
    version: Version, targets: list[Target], *, with_excluded: bool
) -> list[MappingRates]:
    questions = {q.pk: q for q in version.questions.all()}
    by_key = {q.key: q for q in questions.values()}
    counts = option_counts(version, with_excluded=with_excluded)
    responses = response_counts(version, with_excluded=with_excluded)
    out = []
    for mapping in version.mappings.order_by("code"):
        ids = {by_key[k].pk for k in mapping.keys if k in by_key}
        by_target: dict[int, Rate] = {t.pk: Rate(responses=responses.get(t.pk, 0)) for t in targets}
        for (target_id, question_id, option), n in counts.items():
            if question_id not in ids or target_id not in by_target:
                continue
            weight = questions[question_id].weights.get(option)
            if weight is None:
                continue
            rate = by_target[target_id]
            rate.answers += n
            rate.points += Decimal(weight) * n
            rate.options[option] = rate.options.get(option, 0) + n
        by_region: dict[str, Rate] = defaultdict(Rate)
        total = Rate()
        for t in targets:
            by_region[region_of(t)].add(by_target[t.pk])
            total.add(by_target[t.pk])
        out.append(MappingRates(mapping, by_target, dict(by_region), total))
    return out


@dataclass
class QuestionCounts:
    question: Question
    counts: list[tuple[str, int]]
    total: int


def question_counts(version: Version, *, with_excluded: bool) -> list[QuestionCounts]:
    counts = option_counts(version, with_excluded=with_excluded)
    merged: dict[tuple[int, str], int] = defaultdict(int)
    for (_, question_id, option), n in counts.items():
        merged[(question_id, option)] += n
    out = []
    for q in version.questions.all():
        if q.kind not in CHOICE_KINDS:
            continue
        pairs = [(o, merged.get((q.pk, o), 0)) for o in q.options]
        out.append(QuestionCounts(q, pairs, sum(n for _, n in pairs)))
    return out


def free_texts(version: Version) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(response__version=version, response__excluded=False)
        .exclude(text="")
        .select_related("question", "response__target__unit", "response__target__region")
        .order_by("question__order", "-response_id")
    )


def current_version(questionnaire: Questionnaire) -> Version | None:
    """The version being collected, else the latest that was ever opened, else the draft."""
    versions = list(questionnaire.versions.all())
    for state in ("open", "closed"):
        for v in versions:
            if v.state == state:
                return v
    return versions[0] if versions else None
