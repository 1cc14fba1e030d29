"""Experts' deductions become problems to fix (整改), through the rectification service."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from wenming.campaigns.models import Application
from wenming.campaigns.services import score_result
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.models import Sheet, SheetState
from wenming.rectification.models import Problem, ProblemSource
from wenming.rectification.services import ProblemRefused, problems_from_scorecard


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
    try:
        return problems_from_scorecard(
            actor=actor,
            unit=application.unit,
            card=card,
            origin=sheet,
            source=ProblemSource.EXPERT,
            edition=application.campaign.edition,
            prefix="现场测评:",
        )
    except ProblemRefused as exc:
        raise OnsiteRefused(str(exc)) from None
