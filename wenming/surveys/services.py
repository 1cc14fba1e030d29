"""Building questionnaires: versions, sections, questions, mappings, targets and tokens.

Every change is one atomic, audited service. Only a draft version is edited; an opened version
is frozen (answers keep it), and a change is made on a new version copied from the last one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Campaign
from wenming.core.errors import ActionRefused
from wenming.frameworks.selectors import engine_of
from wenming.organizations.models import Region, Unit
from wenming.surveys.access import runs_questionnaire
from wenming.surveys.models import (
    CHOICE_KINDS,
    Audience,
    Mapping,
    Question,
    Questionnaire,
    Section,
    Target,
    Token,
    Version,
    VersionState,
)
from wenming.surveys.rules import MAX_QUESTIONS, QuestionSpec, check_question

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper
MAX_TOKENS_AT_ONCE = 2000


class SurveyRefused(ActionRefused):
    """A questionnaire action refused, with a Chinese message."""


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _runs(actor: User, questionnaire: Questionnaire) -> None:
    if not runs_questionnaire(actor, questionnaire):
        raise SurveyRefused("只有活动所在地区的文明办可以管理本问卷")


def _draft(version: Version) -> None:
    """Refuse unless the version is a draft, as stored now (locked for the change)."""
    state = (
        Version.objects.select_for_update().filter(pk=version.pk).values_list("state", flat=True)
    )
    if state.first() != VersionState.DRAFT:
        raise SurveyRefused(f"第{version.number}版已启用,不能修改;请建立新版本后修改")


@transaction.atomic
def questionnaire_create(
    *, actor: User, campaign: Campaign, title: str, audience: str
) -> Questionnaire:
    if not runs_campaign(actor, campaign):
        raise SurveyRefused("只有活动所在地区的文明办可以建立问卷")
    if audience not in Audience.values:
        raise SurveyRefused("请选择问卷对象")
    title = title.strip()
    if not title or len(title) > 100:
        raise SurveyRefused("问卷名称不能为空,且不超过100字")
    questionnaire = Questionnaire.objects.create(
        campaign=campaign,
        title=title,
        audience=audience,
        region_path=campaign.region.path,
        code=new_code(),
        created_by=actor,
    )
    version = Version.objects.create(questionnaire=questionnaire, number=1)
    Section.objects.create(version=version, order=1, title="基本问题")
    audit_record(actor=actor, action="survey.create", obj=questionnaire, new=title)
    return questionnaire


@transaction.atomic
def version_new(*, actor: User, questionnaire: Questionnaire) -> Version:
    """A new draft copied from the latest version (the latest stays as it was)."""
    _runs(actor, questionnaire)
    latest = Version.objects.select_for_update().filter(questionnaire=questionnaire).first()
    if latest is not None and latest.state == VersionState.DRAFT:
        raise SurveyRefused(f"第{latest.number}版仍在编辑中,请直接修改")
    number = (latest.number if latest else 0) + 1
    version = Version.objects.create(
        questionnaire=questionnaire,
        number=number,
        intro=latest.intro if latest else "",
        min_seconds=latest.min_seconds if latest else 30,
    )
    if latest is not None:
        sections = {}
        for section in latest.sections.all():
            sections[section.pk] = Section.objects.create(
                version=version, order=section.order, title=section.title
            )
        Question.objects.bulk_create(
            Question(
                version=version,
                section=sections[q.section_id],
                order=q.order,
                key=q.key,
                text=q.text,
                kind=q.kind,
                options=q.options,
                weights=q.weights,
                required=q.required,
                show_if_key=q.show_if_key,
                show_if_values=q.show_if_values,
            )
            for q in latest.questions.all()
        )
        Mapping.objects.bulk_create(
            Mapping(version=version, code=m.code, keys=m.keys) for m in latest.mappings.all()
        )
    audit_record(
        actor=actor, action="survey.version", obj=questionnaire, new=f"第{number}版(编辑中)"
    )
    return version


@transaction.atomic
def version_open(*, actor: User, version: Version) -> Version:
    """Start collecting answers on this draft; the version open before it stops."""
    questionnaire = version.questionnaire
    _runs(actor, questionnaire)
    version = Version.objects.select_for_update().get(pk=version.pk)
    _draft(version)
    if not version.questions.exists():
        raise SurveyRefused("问卷还没有题目")
    if not questionnaire.targets.exists():
        raise SurveyRefused("请先添加调查对象(单位或地区)及样本量")
    Version.objects.filter(questionnaire=questionnaire, state=VersionState.OPEN).update(
        state=VersionState.CLOSED
    )
    Version.objects.filter(pk=version.pk).update(state=VersionState.OPEN, opened_at=timezone.now())
    audit_record(
        actor=actor,
        action="survey.version",
        obj=questionnaire,
        old="编辑中",
        new=f"第{version.number}版开始收集",
    )
    version.refresh_from_db()
    return version


@transaction.atomic
def version_close(*, actor: User, version: Version) -> None:
    _runs(actor, version.questionnaire)
    changed = Version.objects.filter(pk=version.pk, state=VersionState.OPEN).update(
        state=VersionState.CLOSED
    )
    if not changed:
        raise SurveyRefused("该版本不在收集中")
    audit_record(
        actor=actor,
        action="survey.version",
        obj=version.questionnaire,
        old="收集中",
        new=f"第{version.number}版停止收集",
    )


@transaction.atomic
def settings_set(
    *,
    actor: User,
    version: Version,
    intro: str,
    min_seconds: int,
    device_limit: int,
    open_link: bool,
) -> None:
    """How answers are taken (any time) and the version's introduction (a draft only)."""
    questionnaire = version.questionnaire
    _runs(actor, questionnaire)
    if version.state == VersionState.DRAFT:
        Version.objects.filter(pk=version.pk).update(intro=intro.strip()[:1000])
    Version.objects.filter(pk=version.pk).update(min_seconds=min_seconds)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        device_limit=device_limit, open_link=open_link
    )
    audit_record(
        actor=actor,
        action="survey.version",
        obj=questionnaire,
        field="作答设置",
        new=f"最短{min_seconds}秒;每台设备{device_limit}次;{'开放链接' if open_link else '仅二维码'}",
    )


@transaction.atomic
def section_add(*, actor: User, version: Version, title: str) -> Section:
    _runs(actor, version.questionnaire)
    _draft(version)
    title = title.strip()
    if not title or len(title) > 100:
        raise SurveyRefused("部分标题不能为空,且不超过100字")
    if version.sections.filter(title=title).exists():
        raise SurveyRefused(f"已有部分“{title}”")
    order = (version.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    return Section.objects.create(version=version, order=order, title=title)


def _specs(version: Version) -> dict[str, QuestionSpec]:
    return {
        q.key: QuestionSpec(q.key, q.text, q.kind, list(q.options), dict(q.weights), q.required)
        for q in version.questions.all()
    }


@transaction.atomic
def question_add(
    *, actor: User, version: Version, section: Section, spec: QuestionSpec
) -> Question:
    _runs(actor, version.questionnaire)
    _draft(version)
    if section.version_id != version.pk:
        raise SurveyRefused("所选部分不属于本版本")
    earlier = _specs(version)
    if len(earlier) >= MAX_QUESTIONS:
        raise SurveyRefused(f"一份问卷最多{MAX_QUESTIONS}题")
    errors = check_question(spec, earlier)
    if errors:
        raise SurveyRefused(";".join(message for _, message in errors))
    order = (version.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question = Question.objects.create(
        version=version,
        section=section,
        order=order,
        key=spec.key,
        text=spec.text.strip(),
        kind=spec.kind,
        options=spec.options,
        weights=spec.weights,
        required=spec.required,
        show_if_key=spec.show_if_key,
        show_if_values=spec.show_if_values,
    )
    audit_record(
        actor=actor,
        action="survey.version",
        obj=version.questionnaire,
        field=f"第{version.number}版 {spec.key}",
        new=spec.text[:100],
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    version = question.version
    _runs(actor, version.questionnaire)
    _draft(version)
    if version.questions.filter(show_if_key=question.key).exists():
        raise SurveyRefused(f"有题目的显示条件依据第{question.key}题,请先修改那些题")
    if any(question.key in m.keys for m in version.mappings.all()):
        raise SurveyRefused(f"第{question.key}题计入指标,请先删除该指标对应")
    question.delete()
    audit_record(
        actor=actor,
        action="survey.version",
        obj=version.questionnaire,
        field=f"第{version.number}版 {question.key}",
        old=question.text[:100],
        new="删除",
    )


@transaction.atomic
def mapping_set(*, actor: User, version: Version, code: str, keys: Iterable[str]) -> Mapping:
    """The satisfaction rate of these questions is the measured value of indicator ``code``."""
    questionnaire = version.questionnaire
    _runs(actor, questionnaire)
    _draft(version)
    engine = engine_of(questionnaire.campaign.edition)
    code = code.strip()
    if code not in engine.index or code not in {c for _, c, _ in engine.leaves}:
        raise SurveyRefused(f"“{code[:40]}”不是本活动测评体系的末级指标")
    chosen = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    questions = {q.key: q for q in version.questions.all()}
    if not chosen:
        raise SurveyRefused("请选择计入满意率的题目")
    for key in chosen:
        q = questions.get(key)
        if q is None:
            raise SurveyRefused(f"没有第{key[:10]}题")
        if q.kind not in CHOICE_KINDS or not q.weights:
            raise SurveyRefused(f"第{key}题没有计分规则,不能计入满意率")
    mapping, _ = Mapping.objects.update_or_create(
        version=version, code=code, defaults={"keys": chosen}
    )
    audit_record(
        actor=actor,
        action="survey.version",
        obj=questionnaire,
        field=f"第{version.number}版 指标{code}",
        new="、".join(chosen),
    )
    return mapping


@transaction.atomic
def mapping_remove(*, actor: User, mapping: Mapping) -> None:
    _runs(actor, mapping.version.questionnaire)
    _draft(mapping.version)
    mapping.delete()


@transaction.atomic
def target_add(
    *,
    actor: User,
    questionnaire: Questionnaire,
    unit: Unit | None = None,
    region: Region | None = None,
    quota: int,
) -> Target:
    _runs(actor, questionnaire)
    if (unit is None) == (region is None):
        raise SurveyRefused("请选择一个单位或一个地区")
    if not 1 <= quota <= 100_000:
        raise SurveyRefused("样本量应在1到100000之间")
    where = unit.region_path if unit else region.path if region else ""
    if not where.startswith(questionnaire.region_path):
        raise SurveyRefused("调查对象须在活动所在地区内")
    try:
        with transaction.atomic():
            target = Target.objects.create(
                questionnaire=questionnaire, unit=unit, region=region, quota=quota
            )
    except IntegrityError:
        raise SurveyRefused("该调查对象已添加") from None
    audit_record(
        actor=actor,
        action="survey.target",
        obj=questionnaire,
        field=target.name,
        new=f"样本量{quota}",
    )
    return target


@transaction.atomic
def target_quota_set(*, actor: User, target: Target, quota: int) -> None:
    _runs(actor, target.questionnaire)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if quota < target.accepted or quota > 100_000:
        raise SurveyRefused(f"样本量不能少于已收答卷数({target.accepted}份),也不能超过100000")
    old = target.quota
    Target.objects.filter(pk=target.pk).update(quota=quota)
    audit_record(
        actor=actor,
        action="survey.target",
        obj=target.questionnaire,
        field=target.name,
        old=f"样本量{old}",
        new=f"样本量{quota}",
    )


@transaction.atomic
def tokens_create(*, actor: User, target: Target, count: int) -> list[Token]:
    """One-time codes for door-to-door or on-site answering (printed as QR codes)."""
    _runs(actor, target.questionnaire)
    if not 1 <= count <= MAX_TOKENS_AT_ONCE:
        raise SurveyRefused(f"一次可生成1到{MAX_TOKENS_AT_ONCE}个二维码")
    batch = (Token.objects.filter(target=target).aggregate(m=Max("batch"))["m"] or 0) + 1
    tokens = Token.objects.bulk_create(
        Token(questionnaire=target.questionnaire, target=target, code=new_code(12), batch=batch)
        for _ in range(count)
    )
    audit_record(
        actor=actor,
        action="survey.tokens",
        obj=target.questionnaire,
        field=target.name,
        new=f"第{batch}批 {count}个",
    )
    return tokens
