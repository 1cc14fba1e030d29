"""What approval does to each application: a title, or a rectification plan (基本达标).

Titles are granted through the titles app and problems created through the rectification app:
one model each for every campaign, never a second one here.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application, Campaign, State, Transition
from wenming.campaigns.naming import naming_region
from wenming.campaigns.services import Refused, score_result
from wenming.campaigns.transitions import APPLICATION, application_move
from wenming.rectification.models import ProblemSource, RectificationPlan
from wenming.rectification.selectors import plan_state, plans_of
from wenming.rectification.services import problems_from_scorecard, rectification_plan_create
from wenming.titles.services import title_grant


def grant_titles(
    *,
    actor: User,
    campaign: Campaign,
    application: Application,
    today: date,
    label: str = "命名",
    comment: str = "",
) -> None:
    APPLICATION.check("name", application.state, refuse=Refused)
    title_grant(
        actor=actor,
        unit=application.unit,
        name=campaign.title_name,
        kind=campaign.edition.campaign_type,
        level=campaign.level,
        year=campaign.year,
        term_years=campaign.term_years,
        naming_authority=naming_region(campaign, application),
        origin=application,
    )
    application_move(
        application,
        actor=actor,
        action="name",
        to=State.NAMED,
        version=application.version,
        label=label,
        comment=comment,
    )


def plan_rectification(
    *, actor: User, campaign: Campaign, application: Application, today: date
) -> RectificationPlan:
    """A 基本达标 unit: one problem per item the evaluation deducted, in one plan with the
    campaign's rectification deadline. Running it again adds nothing: the plan made from the
    application is reused and deducted items that have a problem already are skipped."""
    Application.objects.select_for_update().filter(pk=application.pk).first()  # one run at a time
    plan = plans_of(application).first()
    if plan is None:
        plan = rectification_plan_create(
            actor=actor,
            unit=application.unit,
            title=f"{campaign.name}基本达标整改",
            deadline=_add_months(today, campaign.rectify_months),
            origin=application,
        )
    deadline = plan.deadline
    evaluation = application.evaluations.first()
    if evaluation is not None:
        card, _ = score_result(application, evaluation.data)
        if card is not None:
            problems_from_scorecard(
                actor=actor,
                unit=application.unit,
                card=card,
                origin=application,
                source=ProblemSource.EXPERT,
                edition=campaign.edition,
                deadline=deadline,
                plan=plan,
            )
    Transition.objects.create(
        application=application,
        action="rectify",
        label="下达整改",
        from_state=application.where,
        to_state=application.where,
        actor=actor,
        comment=f"整改期限 {deadline:%Y-%m-%d}",
    )
    return plan


@transaction.atomic
def rectification_recheck(
    *, actor: User, application: Application, passed: bool, comment: str, today: date
) -> None:
    """整改复验: confirm (all problems of the plan closed → the title) or refuse."""
    campaign = application.campaign
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以整改复验")
    APPLICATION.check("recheck_fail", application.state, refuse=Refused)
    plan = plans_of(application).first()
    if plan is None:
        raise Refused("尚未下达整改计划:命名时为基本达标单位下达整改,之后才能复验")
    if passed:
        state = plan_state(plan, today=today)
        if not state.all_closed:
            raise Refused(f"整改计划还有{state.open}个问题未结案,复验不能通过")
        grant_titles(
            actor=actor,
            campaign=campaign,
            application=application,
            today=today,
            label="整改复验通过,命名",
            comment=comment.strip(),
        )
    else:
        if not comment.strip():
            raise Refused("请填写复验不通过的原因")
        application_move(
            application,
            actor=actor,
            action="recheck_fail",
            to=State.NOT_PASSED,
            version=application.version,
            comment=comment.strip(),
        )


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    from calendar import monthrange

    return date(year, month, min(day.day, monthrange(year, month)[1]))
