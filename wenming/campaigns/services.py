"""Every change to a campaign or an application: one atomic, audited service each.

Transitions are compare-and-set updates on the application's ``version``: a double click or two
people acting at once apply a transition exactly once; the loser gets a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenming.assessments.models import AssessmentStatus
from wenming.audit.services import audit_record
from wenming.campaigns.access import (
    can_act_on_step,
    can_prepare,
    can_sign_as_head,
    runs_campaign,
)
from wenming.campaigns.eligibility import (
    eligibility_reasons,
    latest_submitted,
    window_problem,
)
from wenming.campaigns.models import (
    DEFAULT_CHAIN,
    Application,
    Campaign,
    Evaluation,
    Level,
    Phase,
    Signature,
    SignatureRole,
    State,
    Target,
    Transition,
    WindowExtension,
)
from wenming.campaigns.notify import unit_admins
from wenming.campaigns.signatures import digest_of, signed_content
from wenming.core.engine import Scorecard
from wenming.core.errors import ActionRefused, FileInvalid
from wenming.core.results import results_from_data
from wenming.dashboards.services import dashboard_application_sync
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_of
from wenming.frameworks.services import framework_mark_used
from wenming.notices.services import notice_send
from wenming.organizations.models import Region, Unit, UnitType


class Refused(ActionRefused):
    """A campaign action that is not allowed; the message is shown as is."""


STALE = "该申报已被他人处理或页面已过期,请刷新后再试"
NOT_YOUR_STEP = "您不是该环节的审核人"
HEAD_SIGNATURE_MISSING = "单位负责人尚未签署,或签署后内容已变更,须重新签署"
RESULT_MISSING = "该环节须先录入测评结果"
COMMENT_REQUIRED = "请填写退回原因"
CHAIN_STEP_FIELDS = {"key", "label", "role", "level", "result"}


@dataclass
class CampaignInput:
    name: str
    year: int
    level: str
    region: Region
    edition: FrameworkEdition
    unit_types: list[UnitType]
    apply_from: date
    apply_until: date
    evaluate_until: date | None = None
    publicity_days: int = 5
    publicity_working_days: bool = True
    term_years: int = 3
    rectify_months: int = 12
    previous_title_required: bool = False
    clean_months: int = 24
    legal_person_required: bool = False
    target_count: int | None = None
    target_percent: int | None = None
    target_score_scale: int = 100
    target_score_cap: int = 100
    chain: list[dict[str, Any]] = field(default_factory=lambda: [dict(s) for s in DEFAULT_CHAIN])
    naming: dict[str, int] = field(default_factory=dict)


def chain_problems(chain: list[dict[str, Any]]) -> list[str]:
    problems = []
    if not chain:
        problems.append("审核流程至少需要一个环节")
    keys = set()
    for n, step in enumerate(chain, start=1):
        if set(step) - CHAIN_STEP_FIELDS or not {"key", "label", "role"} <= set(step):
            problems.append(f"第{n}个环节的字段应为 key、label、role(可选 level、result)")
            continue
        if step["key"] in keys:
            problems.append(f"环节标识“{step['key']}”重复")
        keys.add(step["key"])
        if step["role"] not in ("supervisor", "office"):
            problems.append(f"第{n}个环节“{step['label']}”的角色应为主管部门或测评办公室")
    if not any(s.get("result") for s in chain):
        problems.append("审核流程中至少一个环节须录入测评结果(如“初评”)")
    return problems


@transaction.atomic
def campaign_create(
    *, actor: User, data: CampaignInput, copied_from: Campaign | None = None
) -> Campaign:
    if not runs_campaign(actor, Campaign(region=data.region)):
        raise Refused("只有本地区(或上级)测评办公室可以创建活动")
    if data.apply_until < data.apply_from:
        raise Refused("申报截止日期早于开始日期")
    if data.level not in Level.values:
        raise Refused(f"级别“{data.level}”无效")
    if data.target_percent is not None and not 0 < data.target_percent <= 100:
        raise Refused("目标占比应在1到100之间")
    problems = chain_problems(data.chain)
    if problems:
        raise Refused(";".join(problems))
    campaign = Campaign.objects.create(
        name=data.name,
        year=data.year,
        level=data.level,
        region=data.region,
        edition=data.edition,
        apply_from=data.apply_from,
        apply_until=data.apply_until,
        evaluate_until=data.evaluate_until,
        publicity_days=data.publicity_days,
        publicity_working_days=data.publicity_working_days,
        term_years=data.term_years,
        rectify_months=data.rectify_months,
        previous_title_required=data.previous_title_required,
        clean_months=data.clean_months,
        legal_person_required=data.legal_person_required,
        target_count=data.target_count,
        target_percent=data.target_percent,
        target_score_scale=data.target_score_scale,
        target_score_cap=data.target_score_cap,
        chain=data.chain,
        naming={str(k): v for k, v in data.naming.items()},
        copied_from=copied_from,
        created_by=actor,
    )
    campaign.unit_types.set(data.unit_types)
    audit_record(actor=actor, action="campaign.create", obj=campaign, new=campaign.name)
    return campaign


@transaction.atomic
def campaign_copy(
    *, actor: User, campaign: Campaign, year: int, edition: FrameworkEdition
) -> Campaign:
    """Next year's campaign: the same rules, chain and targets, with a new framework edition."""
    shift = year - campaign.year

    def moved(day: date | None) -> date | None:
        if day is None:
            return None
        try:
            return day.replace(year=day.year + shift)
        except ValueError:  # 29 February
            return day.replace(year=day.year + shift, day=28)

    data = CampaignInput(
        name=campaign.name.replace(str(campaign.year), str(year)),
        year=year,
        level=campaign.level,
        region=campaign.region,
        edition=edition,
        unit_types=list(campaign.unit_types.all()),
        apply_from=moved(campaign.apply_from) or campaign.apply_from,
        apply_until=moved(campaign.apply_until) or campaign.apply_until,
        evaluate_until=moved(campaign.evaluate_until),
        publicity_days=campaign.publicity_days,
        publicity_working_days=campaign.publicity_working_days,
        term_years=campaign.term_years,
        rectify_months=campaign.rectify_months,
        previous_title_required=campaign.previous_title_required,
        clean_months=campaign.clean_months,
        legal_person_required=campaign.legal_person_required,
        target_count=campaign.target_count,
        target_percent=campaign.target_percent,
        target_score_scale=campaign.target_score_scale,
        target_score_cap=campaign.target_score_cap,
        chain=[dict(s) for s in campaign.chain],
        naming=dict(campaign.naming),
    )
    copy = campaign_create(actor=actor, data=data, copied_from=campaign)
    Target.objects.bulk_create(
        Target(campaign=copy, region_id=t.region_id, supervisor_id=t.supervisor_id, count=t.count)
        for t in campaign.targets.all()
    )
    return copy


def _phase_change(*, actor: User, campaign: Campaign, old: str, new: str, **extra: Any) -> None:
    changed = Campaign.objects.filter(pk=campaign.pk, phase=old, version=campaign.version).update(
        phase=new, version=F("version") + 1, **extra
    )
    if not changed:
        raise Refused("活动状态已变化,请刷新后再试")
    audit_record(
        actor=actor,
        action="campaign.phase",
        obj=campaign,
        field="phase",
        old=Phase(old).label,
        new=Phase(new).label,
    )
    campaign.refresh_from_db()


@transaction.atomic
def campaign_open(*, actor: User, campaign: Campaign) -> None:
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以发布申报")
    _phase_change(actor=actor, campaign=campaign, old=Phase.DRAFT, new=Phase.OPEN)


@transaction.atomic
def window_extend(
    *, actor: User, campaign: Campaign, unit: Unit, until: date, reason: str
) -> WindowExtension:
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以延长申报期限")
    if not reason.strip():
        raise Refused("请填写延期原因")
    if until < campaign.apply_until:
        raise Refused("延长后的日期不能早于原截止日期")
    extension = WindowExtension.objects.create(
        campaign=campaign, unit=unit, until=until, reason=reason.strip(), granted_by=actor
    )
    audit_record(
        actor=actor,
        action="campaign.extend",
        obj=campaign,
        field=unit.name,
        old=f"{campaign.apply_until:%Y-%m-%d}",
        new=f"{until:%Y-%m-%d}",
        comment=reason,
    )
    return extension


def _log(
    *,
    actor: User,
    application: Application,
    action: str,
    label: str,
    old: str,
    new: str,
    comment: str = "",
) -> None:
    Transition.objects.create(
        application=application,
        action=action,
        label=label,
        from_state=old,
        to_state=new,
        actor=actor,
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        field="state",
        old=old,
        new=new,
        comment=comment,
    )
    dashboard_application_sync(application_id=application.pk)


def _compare_and_set(application: Application, version: int, **values: Any) -> None:
    """Apply ``values`` only if nobody changed the application since ``version`` was read."""
    changed = Application.objects.filter(pk=application.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not changed:
        raise Refused(STALE)
    application.refresh_from_db()


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
        _log(
            actor=actor,
            application=application,
            action="prepare",
            label="发起申报",
            old="",
            new=State.PREPARING.label,
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
        if application.state not in (State.PREPARING, State.RETURNED):
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
    if application.state not in (State.PREPARING, State.RETURNED):
        raise Refused("申报已提交,不能重复提交")
    campaign, unit = application.campaign, application.unit
    today = timezone.localdate()
    late = window_problem(campaign, unit, today)
    if late and application.state == State.PREPARING:
        raise Refused(late)
    newest = latest_submitted(campaign, unit)
    if newest is not None and newest.pk != application.assessment_id:
        # the unit fixed its self-assessment after a 退回: the application follows it
        _compare_and_set(application, version, assessment=newest)
        version = application.version
    reasons = eligibility_reasons(campaign, unit, today=today, assessment=application.assessment)
    if reasons:
        raise Refused("不符合申报条件:" + ";".join(reasons))
    if application.assessment.status != AssessmentStatus.SUBMITTED:
        raise Refused("自评已被退回修改,请重新提交自评后再提交申报")
    if not _valid_signature(application, SignatureRole.HEAD):
        raise Refused(HEAD_SIGNATURE_MISSING)
    old = application.get_state_display()
    first = campaign.chain[0]
    _compare_and_set(
        application,
        version,
        state=State.IN_REVIEW,
        step=first["key"],
        submitted_at=timezone.now(),
    )
    _log(
        actor=actor,
        application=application,
        action="submit",
        label="提交申报",
        old=old,
        new=f"待{first['label']}",
    )
    framework_mark_used(edition=application.assessment.edition)
    return application


def _current_step(application: Application, actor: User) -> dict[str, Any]:
    if application.state != State.IN_REVIEW:
        raise Refused(f"申报当前状态为“{application.where}”,不能审核")
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
    old = application.where
    if index + 1 < len(chain):
        following = chain[index + 1]
        _compare_and_set(application, version, step=following["key"])
        new = f"待{following['label']}"
    else:
        state = _final_state(application)
        _compare_and_set(application, version, state=state, step="")
        new = State(state).label
    _log(
        actor=actor,
        application=application,
        action="pass",
        label=f"{step['label']}通过",
        old=old,
        new=new,
        comment=comment,
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
    if not reason.strip():
        raise Refused(COMMENT_REQUIRED)
    old = application.where
    _compare_and_set(application, version, state=State.RETURNED, step="")
    _log(
        actor=actor,
        application=application,
        action="return",
        label=f"{step['label']}退回",
        old=old,
        new=State.RETURNED.label,
        comment=reason.strip(),
    )
    notice_send(
        actor=actor,
        recipients=unit_admins(application.unit_id),
        title=f"{application.campaign.name}:申报被退回",
        body=reason.strip(),
        url=f"/campaigns/applications/{application.pk}/",
        kind="application",
        obj=application,
    )
    return application


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
    dashboard_application_sync(application_id=application.pk, card=card)
    return evaluation
