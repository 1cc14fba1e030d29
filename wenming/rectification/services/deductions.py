"""Deductions become problems: one problem per item a scorecard deducted, written once here
for every origin (a self-assessment, an on-site sheet, a campaign's evaluation)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.assessments.scoring import scorecard_of
from wenming.core.engine import Scorecard
from wenming.core.points import fmt
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit
from wenming.rectification.access import can_supervise, is_unit_lead
from wenming.rectification.models import (
    Problem,
    ProblemSource,
    RectificationPlan,
)
from wenming.rectification.services.base import NOT_SUBMITTED, ProblemRefused
from wenming.rectification.services.lifecycle import problem_create


@transaction.atomic
def problems_from_scorecard(
    *,
    actor: User,
    unit: Unit,
    card: Scorecard,
    origin: models.Model,
    source: str,
    edition: FrameworkEdition | None,
    prefix: str = "",
    deadline: date | None = None,
    plan: RectificationPlan | None = None,
) -> list[Problem]:
    """One problem per deducted item of ``card`` (bonus items and items not scored left out),
    linked to its indicator and to ``origin``; ``prefix`` starts each description.

    Idempotent: an item that already has a problem from ``origin`` is skipped, so running it
    again creates nothing new. The caller locks ``origin``'s row (``select_for_update``) so that
    two runs at once wait for each other instead of both creating."""
    engine = card.engine
    done = set(
        Problem.objects.filter(
            origin_type=ContentType.objects.get_for_model(origin), origin_id=origin.pk
        ).values_list("indicator_code", flat=True)
    )
    created = []
    for index, code, _ in engine.leaves:
        if code in engine.bonus_codes or code in done:
            continue
        entry = card.result.items.get(code)
        lost = engine.max_points[index] - card.scores[index]
        if entry is None or lost <= 0:
            continue
        why = engine.styles[code].describe(
            entry.value, card.result.profile, card.scores[index], entry.reason
        )
        created.append(
            problem_create(
                actor=actor,
                unit=unit,
                source=source,
                title=f"{code} {engine.nodes[index].name}(扣{fmt(lost)}分)",
                description=f"{prefix}{why}",
                indicator_code=code,
                edition=edition,
                origin=origin,
                deadline=deadline,
                plan=plan,
            )
        )
    return created


@transaction.atomic
def problems_from_self_assessment(*, actor: User, assessment: SelfAssessment) -> list[Problem]:
    """One problem per deducted item of a submitted self-assessment, linked to its indicator
    and the assessment. Running it again creates nothing new."""
    locked = (
        SelfAssessment.objects.select_for_update()
        .select_related("unit", "edition")
        .get(pk=assessment.pk)
    )
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ProblemRefused(NOT_SUBMITTED)
    unit = locked.unit
    if not (can_supervise(actor, unit) or is_unit_lead(actor, unit.pk)):
        raise ProblemRefused("只有本单位负责人、管理员或主管部门、测评办公室可以生成整改问题")
    card, issues = scorecard_of(locked, locked.entries.all())
    if card is None:
        raise ProblemRefused("自评有错误:" + ";".join(issues))
    return problems_from_scorecard(
        actor=actor,
        unit=unit,
        card=card,
        origin=locked,
        source=ProblemSource.SELF_ASSESSMENT,
        edition=locked.edition,
    )
