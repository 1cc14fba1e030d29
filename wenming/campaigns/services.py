"""An application's way through the review chain: prepare, sign, submit, pass, return, and the
evaluation results recorded on the way. One atomic, audited service each; every state change goes
through ``campaigns.transitions.application_move`` (compare-and-set on the version, guarded by the
``APPLICATION`` table).

Setting a campaign up lives in ``campaign_setup``; its names are importable from here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wenming.accounts.selectors import unit_admins
from wenming.assessments.models import AssessmentStatus
from wenming.audit.services import audit_record
from wenming.campaigns.access import (
    can_act_on_step,
    can_prepare,
    can_sign_as_head,
    runs_campaign,
)
from wenming.campaigns.campaign_setup import (
    CHAIN_STEP_FIELDS,
    CampaignInput,
    campaign_copy,
    campaign_create,
    campaign_open,
    chain_problems,
    window_extend,
)
from wenming.campaigns.eligibility import (
    eligibility_reasons,
    latest_submitted,
    window_problem,
)
from wenming.campaigns.models import (
    Application,
    Campaign,
    Evaluation,
    Phase,
    Signature,
    SignatureRole,
    State,
)
from wenming.campaigns.signatures import digest_of, signed_content
from wenming.campaigns.transitions import (
    APPLICATION,
    NEW,
    STALE,
    Refused,
    application_changed_fire,
    application_log,
    application_move,
)
from wenming.core.engine import Scorecard
from wenming.core.errors import FileInvalid
from wenming.core.points import fmt
from wenming.core.results import results_from_data
from wenming.frameworks.selectors import engine_of, framework_of
from wenming.frameworks.services import framework_mark_used
from wenming.notices.services import notice_send
from wenming.organizations.models import Unit

__all__ = [
    "CHAIN_STEP_FIELDS",
    "COMMENT_REQUIRED",
    "HEAD_SIGNATURE_MISSING",
    "NOT_YOUR_STEP",
    "RESULT_MISSING",
    "STALE",
    "CampaignInput",
    "Refused",
    "application_pass",
    "application_prepare",
    "application_reject",
    "application_return",
    "application_sign",
    "application_submit",
    "campaign_copy",
    "campaign_create",
    "campaign_open",
    "chain_problems",
    "evaluation_record",
    "result_shortfall",
    "score_result",
    "window_extend",
]

NOT_YOUR_STEP = "您不是该环节的审核人"
HEAD_SIGNATURE_MISSING = "单位负责人尚未签署,或签署后内容已变更,须重新签署"
RESULT_MISSING = "该环节须先录入测评结果"
COMMENT_REQUIRED = "请填写退回原因"


@transaction.atomic
def application_prepare(*, actor: User, campaign: Campaign, unit: Unit) -> Application:
    """The unit administrator starts an application with the unit's submitted self-assessment."""
    if not can_prepare(actor, unit.pk):
        raise Refused("只有本单位管理员可以申报")
    if campaign.phase != Phase.OPEN:
        raise Refused("该活动当前不接受申报")
    today = timezone.localdate()
    late = window_problem(campaign, unit, today)
    if late:
        raise Refused(late)
    reasons = eligibility_reasons(campaign, unit, today=today)
    if reasons:
        raise Refused("不符合申报条件:" + ";".join(reasons))
    assessment = latest_submitted(campaign, unit)
    assert assessment is not None  # eligibility requires it
    application, created = Application.objects.get_or_create(
        campaign=campaign,
        unit=unit,
        defaults={
            "assessment": assessment,
            "region_path": unit.region_path,
            "supervisor_id": unit.supervisor_id,
        },
    )
    if created:
        row = APPLICATION.check("prepare", NEW, to=application.state, refuse=Refused)
        application_log(
            application,
            actor=actor,
            action=row.audit_name,
            label=row.label,
            old="",
            new=application.where,
        )
    return application


@transaction.atomic
def application_sign(*, actor: User, application: Application, role: str) -> Signature:
    """Sign exactly the current content (the unit head before submitting, the supervisor when
    approving)."""
    application = Application.objects.select_related("unit", "assessment__edition").get(
        pk=application.pk
    )
    if role == SignatureRole.HEAD:
        if not can_sign_as_head(actor, application.unit_id):
            raise Refused("只有本单位负责人可以签署")
        if application.state not in APPLICATION["submit"].sources:
            raise Refused("申报已提交,不能再签署")
    elif role == SignatureRole.SUPERVISOR:
        step = application.campaign.step(application.step)
        if application.state != State.IN_REVIEW or not step or step["role"] != "supervisor":
            raise Refused("申报未处于主管部门审核环节")
        if not can_act_on_step(actor, application, step):
            raise Refused(NOT_YOUR_STEP)
    else:
        raise Refused("签署角色无效")
    content = signed_content(application)
    signature = Signature.objects.create(
        application=application,
        role=role,
        signer=actor,
        digest=digest_of(content),
        content=content,
    )
    audit_record(
        actor=actor,
        action="application.sign",
        obj=application,
        field=SignatureRole(role).label,
        new=signature.digest,
    )
    return signature


def _valid_signature(application: Application, role: str) -> bool:
    latest = application.signatures.filter(role=role).first()
    return latest is not None and latest.digest == digest_of(signed_content(application))


@transaction.atomic
def application_submit(*, actor: User, application_id: int, version: int) -> Application:
    """Submit (or resubmit after 退回): needs a valid head signature, the window and eligibility."""
    application = Application.objects.select_related("campaign", "unit", "assessment").get(
        pk=application_id
    )
    if not can_prepare(actor, application.unit_id):
        raise Refused("只有本单位管理员可以提交申报")
    APPLICATION.check("submit", application.state, refuse=Refused)
    campaign, unit = application.campaign, application.unit
    today = timezone.localdate()
    late = window_problem(campaign, unit, today)
    if late and application.state == State.PREPARING:
        raise Refused(late)
    newest = latest_submitted(campaign, unit)
    follow: dict[str, Any] = {}
    if newest is not None and newest.pk != application.assessment_id:
        # the unit fixed its self-assessment after a 退回: the application follows it
        application.assessment = newest
        follow["assessment"] = newest
    reasons = eligibility_reasons(campaign, unit, today=today, assessment=application.assessment)
    if reasons:
        raise Refused("不符合申报条件:" + ";".join(reasons))
    if application.assessment.status != AssessmentStatus.SUBMITTED:
        raise Refused("自评已被退回修改,请重新提交自评后再提交申报")
    if not _valid_signature(application, SignatureRole.HEAD):
        raise Refused(HEAD_SIGNATURE_MISSING)
    application_move(
        application,
        actor=actor,
        action="submit",
        to=State.IN_REVIEW,
        version=version,
        step=campaign.chain[0]["key"],
        submitted_at=timezone.now(),
        **follow,
    )
    framework_mark_used(edition=application.assessment.edition)
    return application


def _current_step(application: Application, actor: User) -> dict[str, Any]:
    APPLICATION.check("pass", application.state, refuse=Refused)
    step = application.campaign.step(application.step)
    if step is None:
        raise Refused("审核流程已变更,请联系测评办公室")
    if not can_act_on_step(actor, application, step):
        raise Refused(NOT_YOUR_STEP)
    return step


@transaction.atomic
def application_pass(
    *, actor: User, application_id: int, version: int, comment: str = ""
) -> Application:
    """The current step's reviewer passes the application on (the supervisor signs as they do)."""
    application = Application.objects.select_related("campaign", "unit").get(pk=application_id)
    if application.version != version:
        raise Refused(STALE)
    step = _current_step(application, actor)
    if step["role"] == "supervisor":
        if not _valid_signature(application, SignatureRole.HEAD):
            raise Refused(HEAD_SIGNATURE_MISSING)
        application_sign(actor=actor, application=application, role=SignatureRole.SUPERVISOR)
    if step.get("result") and application.result_grade == "":
        raise Refused(RESULT_MISSING)
    chain = application.campaign.chain
    index = [s["key"] for s in chain].index(step["key"])
    if index + 1 < len(chain):
        to, following = State.IN_REVIEW.value, chain[index + 1]["key"]
    else:
        to, following = _final_state(application), ""
    application_move(
        application,
        actor=actor,
        action="pass",
        to=to,
        version=version,
        label=f"{step['label']}通过",
        comment=comment,
        step=following,
    )
    return application


def _final_state(application: Application) -> str:
    """After the last step: the top grade goes on the list; the middle grade (基本达标) is
    rectified; the rest do not pass."""
    bands = framework_of(application.campaign.edition).bands
    if application.result_vetoed or not bands:
        return State.NOT_PASSED
    names = [b.name for b in sorted(bands, key=lambda b: b.min, reverse=True)]
    if application.result_grade == names[0]:
        return State.LISTED
    if len(names) > 2 and application.result_grade == names[1]:
        return State.RECTIFYING
    return State.NOT_PASSED


@transaction.atomic
def application_return(
    *, actor: User, application_id: int, version: int, reason: str
) -> Application:
    """Send the application back to the unit with the reasons; it fixes and resubmits."""
    application = Application.objects.select_related("campaign", "unit").get(pk=application_id)
    if application.version != version:
        raise Refused(STALE)
    step = _current_step(application, actor)
    return _decline(
        application,
        actor=actor,
        action="return",
        to=State.RETURNED,
        version=version,
        reason=reason,
        missing_reason=COMMENT_REQUIRED,
        label=f"{step['label']}退回",
        title="申报被退回",
    )


@transaction.atomic
def application_reject(
    *, actor: User, application_id: int, version: int, reason: str
) -> Application:
    """The current step's reviewer — or the office running the campaign, to set aside an
    application that would hold up publicity — decides it does not pass (不通过), with the
    reason; the unit is told. It is final for this campaign (a return lets the unit fix it)."""
    application = Application.objects.select_related("campaign", "unit").get(pk=application_id)
    if application.version != version:
        raise Refused(STALE)
    if runs_campaign(actor, application.campaign):
        APPLICATION.check("reject", application.state, refuse=Refused)
        step = application.campaign.step(application.step) or {"label": "审核"}
    else:
        step = _current_step(application, actor)
    return _decline(
        application,
        actor=actor,
        action="reject",
        to=State.NOT_PASSED,
        version=version,
        reason=reason,
        missing_reason="请填写不通过的理由",
        label=f"{step['label']}不通过",
        title=f"申报未通过{step['label']}",
    )


def _decline(
    application: Application,
    *,
    actor: User,
    action: str,
    to: str,
    version: int,
    reason: str,
    missing_reason: str,
    label: str,
    title: str,
) -> Application:
    """A move that needs a reason the unit reads (退回, 不通过): moved, then the unit told."""
    if not reason.strip():
        raise Refused(missing_reason)
    application_move(
        application,
        actor=actor,
        action=action,
        to=to,
        version=version,
        label=label,
        comment=reason.strip(),
        step="",
    )
    notice_send(
        actor=actor,
        recipients=unit_admins(application.unit_id),
        title=f"{application.campaign.name}:{title}",
        body=reason.strip(),
        url=f"/campaigns/applications/{application.pk}/",
        kind="application",
        obj=application,
    )
    return application


def result_shortfall(application: Application) -> str:
    """Why the recorded result does not meet the campaign ("" when it does or there is none):
    said before a reviewer passes it on, since the last step would then turn it into 未通过."""
    if not application.result_grade:
        return ""
    if _final_state(application) != State.NOT_PASSED:
        return ""
    veto = "(一票否决)" if application.result_vetoed else ""
    points = fmt(application.result_centi or 0)
    return f"测评结果为{points}分 · {application.result_grade}{veto},达不到本活动的通过等级"


def score_result(
    application: Application, data: dict[str, Any]
) -> tuple[Scorecard | None, list[str]]:
    engine = engine_of(application.campaign.edition)
    try:
        result = results_from_data(engine, data)
    except FileInvalid as exc:
        return None, [issue.message for issue in exc.issues]
    return engine.score(result), []


@transaction.atomic
def evaluation_record(
    *, actor: User, application: Application, data: dict[str, Any], source: str
) -> Evaluation:
    """Record an evaluation step's result (paper score sheet, later on-site scoring)."""
    application = Application.objects.select_related("campaign", "unit").get(pk=application.pk)
    step = _current_step(application, actor)
    if not step.get("result"):
        raise Refused(f"“{step['label']}”环节不录入测评结果")
    card, problems = score_result(application, data)
    if card is None:
        raise Refused("测评结果有误:" + ";".join(problems))
    if card.missing:
        raise Refused(f"还有{len(card.missing)}项未评分(如{'、'.join(card.missing[:5])})")
    evaluation = Evaluation.objects.create(
        application=application,
        step=step["key"],
        source=source,
        data=data,
        total_centi=card.total,
        grade=card.grade,
        vetoed=card.vetoed,
        recorded_by=actor,
    )
    old = (
        f"{application.result_centi / 100:g} {application.result_grade}"
        if application.result_centi is not None
        else ""
    )
    Application.objects.filter(pk=application.pk).update(
        result_centi=card.total, result_grade=card.grade, result_vetoed=card.vetoed
    )
    audit_record(
        actor=actor,
        action="application.result",
        obj=application,
        field="测评结果",
        old=old,
        new=f"{card.total / 100:g} {card.grade}",
        comment="纸质评分表导入" if source == "paper" else "现场测评",
    )
    application_changed_fire(application.pk, card=card)
    return evaluation


@transaction.atomic
def evaluation_item_set(
    *, actor: User, application: Application, code: str, item: dict[str, Any], source: str
) -> Evaluation | None:
    """Put one measured item (a survey's satisfaction rate) into the application's latest
    evaluation: a new evaluation row from the same data with this item replaced, scored by the
    engine like any other, audited. None when the application has no evaluation yet (the value
    is then kept by its source and entered with the step's result)."""
    application = Application.objects.select_related("campaign", "unit").get(pk=application.pk)
    latest = application.evaluations.first()
    if latest is None:
        return None
    data = dict(latest.data)
    items = dict(data.get("items") or {})
    old_item = items.get(code)
    items[code] = item
    data["items"] = items
    card, problems = score_result(application, data)
    if card is None:
        raise Refused("测评结果有误:" + ";".join(problems))
    evaluation = Evaluation.objects.create(
        application=application,
        step=latest.step,
        source=source,
        data=data,
        total_centi=card.total,
        grade=card.grade,
        vetoed=card.vetoed,
        recorded_by=actor,
    )
    Application.objects.filter(pk=application.pk).update(
        result_centi=card.total, result_grade=card.grade, result_vetoed=card.vetoed
    )
    old_value = old_item.get("value") if isinstance(old_item, dict) else old_item
    audit_record(
        actor=actor,
        action="application.result",
        obj=application,
        field=f"{code} 实测值",
        old="" if old_value is None else str(old_value),
        new=f"{item.get('value')}(总分{card.total / 100:g} {card.grade})",
        comment=str(item.get("note") or ""),
    )
    application_changed_fire(application.pk, card=card)
    return evaluation
