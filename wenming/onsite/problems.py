"""Experts' deductions become problems to fix (整改), through the rectification service."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from wenming.campaigns.models import Application
from wenming.campaigns.services import score_result
from wenming.core.points import fmt
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.models import Sheet, SheetState
from wenming.rectification.models import Problem, ProblemSource
from wenming.rectification.services import ProblemRefused, problem_create


@transaction.atomic
def problems_from_sheet(*, actor: User, application: Application) -> list[Problem]:
    """One problem (source 专家扣分) per deducted item of the signed sheet, linked to the sheet;
    running it again creates nothing new."""
    sheet = Sheet.objects.select_for_update().filter(application=application).first()
    if sheet is None or sheet.state != SheetState.SIGNED:
        raise OnsiteRefused("合议表须经组长签署后才能生成整改问题")
    signature = sheet.signatures.first()
    assert signature is not None
    card, problems = score_result(application, signature.content)
    if card is None:
        raise OnsiteRefused("合议结果有误:" + ";".join(problems))
    engine = card.engine
    done = set(
        Problem.objects.filter(
            origin_type=ContentType.objects.get_for_model(Sheet), origin_id=sheet.pk
        ).values_list("indicator_code", flat=True)
    )
    created = []
    for index, code, _ in engine.leaves:
        entry = card.result.items.get(code)
        lost = engine.max_points[index] - card.scores[index]
        if code in engine.bonus_codes or code in done or entry is None or lost <= 0:
            continue
        why = engine.styles[code].describe(
            entry.value, card.result.profile, card.scores[index], entry.reason
        )
        try:
            created.append(
                problem_create(
                    actor=actor,
                    unit=application.unit,
                    source=ProblemSource.EXPERT,
                    title=f"{code} {engine.nodes[index].name}(扣{fmt(lost)}分)",
                    description=f"现场测评:{why}",
                    indicator_code=code,
                    edition=application.campaign.edition,
                    origin=sheet,
                )
            )
        except ProblemRefused as exc:
            raise OnsiteRefused(str(exc)) from None
    return created
