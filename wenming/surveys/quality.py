"""Setting answers aside (剔除) with a reason, and taking them back; both audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from wenming.audit.services import audit_record
from wenming.surveys.access import runs_questionnaire
from wenming.surveys.models import Flag, Response
from wenming.surveys.services import SurveyRefused

FLAG_LABELS = dict(Flag.choices)


def flags_text(response: Response) -> str:
    return "、".join(FLAG_LABELS.get(f, f) for f in response.flags)


@transaction.atomic
def response_exclude(*, actor: User, response: Response, reason: str) -> None:
    questionnaire = response.version.questionnaire
    if not runs_questionnaire(actor, questionnaire):
        raise SurveyRefused("只有活动所在地区的文明办可以剔除答卷")
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise SurveyRefused("请填写剔除理由(不超过200字)")
    changed = Response.objects.filter(pk=response.pk, excluded=False).update(
        excluded=True, exclude_reason=reason
    )
    if not changed:
        raise SurveyRefused("该答卷已被剔除")
    audit_record(
        actor=actor,
        action="survey.exclude",
        obj=questionnaire,
        field=f"答卷{response.pk}",
        old=flags_text(response),
        new="剔除",
        comment=reason,
    )


@transaction.atomic
def response_include(*, actor: User, response: Response, reason: str) -> None:
    questionnaire = response.version.questionnaire
    if not runs_questionnaire(actor, questionnaire):
        raise SurveyRefused("只有活动所在地区的文明办可以恢复答卷")
    changed = Response.objects.filter(pk=response.pk, excluded=True).update(
        excluded=False, exclude_reason=""
    )
    if not changed:
        raise SurveyRefused("该答卷未被剔除")
    audit_record(
        actor=actor,
        action="survey.include",
        obj=questionnaire,
        field=f"答卷{response.pk}",
        old=f"剔除:{response.exclude_reason}",
        new="恢复",
        comment=reason.strip()[:200],
    )
