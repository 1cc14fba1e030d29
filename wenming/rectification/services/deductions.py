"""Problems from a submitted self-assessment's deducted items."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from wenming.rectification.access import can_supervise, is_unit_lead
from wenming.rectification.models import (
    Problem,
    ProblemSource,
)
from wenming.rectification.services.base import NOT_SUBMITTED, ProblemRefused
from wenming.rectification.services.lifecycle import problem_create

# -- self-assessment deductions ----------------------------------------------------------


@transaction.atomic
def problems_from_self_assessment(*, actor: User, assessment: Any) -> list[Problem]:
    """One problem per deducted item of a submitted self-assessment, linked to its indicator
    and the assessment. Running it again creates nothing new."""
    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.assessments.scoring import scorecard_of
    from wenming.core.points import fmt

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
    engine = card.engine
    done = set(
        Problem.objects.filter(
            origin_type=ContentType.objects.get_for_model(SelfAssessment), origin_id=locked.pk
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
        node = engine.nodes[index]
        why = engine.styles[code].describe(
            entry.value, card.result.profile, card.scores[index], entry.reason
        )
        created.append(
            problem_create(
                actor=actor,
                unit=unit,
                source=ProblemSource.SELF_ASSESSMENT,
                title=f"{code} {node.name}(扣{fmt(lost)}分)",
                description=why,
                indicator_code=code,
                edition=locked.edition,
                origin=locked,
            )
        )
    return created
