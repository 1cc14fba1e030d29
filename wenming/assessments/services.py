"""Self-assessment writes: start, save an entry (optimistic locking), submit, send back.

Every state change is one atomic service that checks the actor's right, changes the state
with a compare-and-set update, and writes the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wenming.accounts.models import Role
from wenming.accounts.selectors import unit_people
from wenming.assessments.access import can_fill, can_return, can_submit
from wenming.assessments.models import (
    VALUE_MAX,
    AssessmentStatus,
    Entry,
    EntryKind,
    SelfAssessment,
)
from wenming.assessments.scoring import scorecard_of, unit_profile
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused, FileInvalid
from wenming.core.results import results_from_data
from wenming.core.styles import InputError
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.frameworks.services import framework_mark_used
from wenming.notices.services import notice_send
from wenming.organizations.models import Unit

NOTE_LIMIT = 500
NOT_EDITABLE = "该自评已提交,不能再修改"


class AssessmentRefused(ActionRefused):
    """The action is not allowed; the message says why in Chinese."""


@dataclass
class EntryConflict(Exception):
    """Someone else saved this entry since the form was loaded."""

    current: Entry


def edition_applies(edition: FrameworkEdition, unit: Unit) -> bool:
    return unit.unit_type.name in edition.unit_types


@transaction.atomic
def self_assessment_start(*, actor: User, unit: Unit, edition: FrameworkEdition) -> SelfAssessment:
    """Open a draft (or return the open one) of ``unit`` against ``edition``."""
    if not can_fill(actor, unit.pk):
        raise AssessmentRefused("只有本单位的填报员或管理员可以开始自评")
    if not edition_applies(edition, unit):
        raise AssessmentRefused(f"“{edition.name}”不适用于{unit.unit_type.name}")
    open_draft = SelfAssessment.objects.filter(
        unit=unit, edition=edition, status=AssessmentStatus.DRAFT
    ).first()
    if open_draft is not None:
        return open_draft
    if SelfAssessment.objects.filter(
        unit=unit, edition=edition, status=AssessmentStatus.SUBMITTED
    ).exists():
        raise AssessmentRefused("本单位已提交该测评体系的自评,如需修改须由主管部门或测评办公室退回")
    revision = SelfAssessment.objects.filter(unit=unit, edition=edition).count() + 1
    assessment = SelfAssessment.objects.create(
        unit=unit, edition=edition, revision=revision, as_of=timezone.localdate(), created_by=actor
    )
    framework_mark_used(edition=edition)
    _refresh_figures(assessment)
    audit_record(actor=actor, action="assessment.start", obj=assessment, new=f"第{revision}版")
    return assessment


def _kind_of(assessment: SelfAssessment, code: str) -> EntryKind:
    engine = engine_of(assessment.edition)
    if code in engine.styles:
        return EntryKind.ITEM
    if code in engine.vetoes or code in engine.negative:
        return EntryKind.EVENT
    if any(c.code == code for c in engine.framework.components):
        return EntryKind.COMPONENT
    raise AssessmentRefused(f"指标“{code}”不存在")


def _check_value(assessment: SelfAssessment, kind: EntryKind, code: str, value: str) -> str:
    """Validate with the engine's own parser; return the value as it will be stored."""
    engine = engine_of(assessment.edition)
    value = value.strip()
    if kind == EntryKind.ITEM and not engine.applies(code, unit_profile(assessment.unit, engine)):
        raise AssessmentRefused(f"{code} 不适用于本单位的类型或学段,不评分")
    if len(value) > VALUE_MAX:
        raise AssessmentRefused(f"填写内容不能超过{VALUE_MAX}字")
    if kind == EntryKind.ITEM and value:
        try:
            engine.parse_item(code, value)
        except InputError as exc:
            raise AssessmentRefused(str(exc)) from None
    elif kind == EntryKind.EVENT and value not in ("", "是", "否"):
        raise AssessmentRefused("请选择是否发生")
    elif kind == EntryKind.COMPONENT and value:
        try:  # the same check as a results file
            results_from_data(engine, {"components": {code: value}, "as_of": assessment.as_of})
        except FileInvalid as exc:
            messages = [i.message for i in exc.issues if i.loc[:1] == ("components",)]
            if messages:
                raise AssessmentRefused(messages[0]) from None
    return value


@transaction.atomic
def entry_save(
    *,
    actor: User,
    assessment_id: int,
    code: str,
    value: str,
    reason: str = "",
    note: str = "",
    event_date: date | None = None,
    until: date | None = None,
    version: int = 0,
) -> Entry:
    """Save one entry if nobody changed it since ``version``; audit every changed field.

    ``until`` is the end of a state veto (a D-class building taken out of use): only a state
    veto takes it, and it must come after the start date."""
    assessment = SelfAssessment.objects.select_related("unit__unit_type", "edition").get(
        pk=assessment_id
    )
    if not can_fill(actor, assessment.unit_id):
        raise AssessmentRefused("只有本单位的填报员或管理员可以填写自评")
    if not assessment.is_editable:
        raise AssessmentRefused(NOT_EDITABLE)
    if len(note) > NOTE_LIMIT:
        raise AssessmentRefused(f"说明不能超过{NOTE_LIMIT}字(现有{len(note)}字)")
    kind = _kind_of(assessment, code)
    value = _check_value(assessment, kind, code, value)
    _check_until(assessment, code, event_date, until)
    new = {
        "value": value,
        "reason": reason.strip()[:500],
        "note": note,
        "event_date": event_date,
        "until": until,
    }
    current = Entry.objects.filter(assessment=assessment, code=code).first()
    if current is None:
        if version:
            raise AssessmentRefused("该项已被删除,请刷新页面")
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    assessment=assessment, code=code, kind=kind, updated_by=actor, **new
                )
        except IntegrityError:
            raise EntryConflict(
                Entry.objects.select_related("updated_by").get(assessment=assessment, code=code)
            ) from None
        old = {"value": "", "reason": "", "note": "", "event_date": None, "until": None}
    else:
        # A newer save by someone else is a conflict; one's own newer save (a second request
        # from the same form while typing) is simply superseded.
        if current.version != version and current.updated_by_id != actor.pk:
            raise EntryConflict(current)
        old = {f: getattr(current, f) for f in new}
        changed = Entry.objects.filter(pk=current.pk, version=current.version).update(
            version=current.version + 1, updated_by=actor, updated_at=timezone.now(), **new
        )
        if not changed:  # lost a race between the read and the update
            raise EntryConflict(Entry.objects.select_related("updated_by").get(pk=current.pk))
        entry = Entry.objects.get(pk=current.pk)
    for field, before in old.items():
        if before != new[field]:
            audit_record(
                actor=actor,
                action="assessment.entry",
                obj=assessment,
                field=f"{code}.{field}",
                old=before or "",
                new=new[field] or "",
            )
    _refresh_figures(assessment)
    return entry


def _check_until(
    assessment: SelfAssessment, code: str, start: date | None, until: date | None
) -> None:
    if until is None:
        return
    veto = engine_of(assessment.edition).vetoes.get(code)
    if veto is None or veto.kind != "state":
        raise AssessmentRefused(f"{code} 不是状态类否决项,不能填写消除日期")
    if start is not None and until <= start:
        raise AssessmentRefused(f"{code} 的消除日期应晚于开始日期")


def _refresh_figures(assessment: SelfAssessment) -> None:
    card, _ = scorecard_of(assessment, assessment.entries.all())
    total, grade, vetoed = (card.total, card.grade, card.vetoed) if card else (0, "", False)
    SelfAssessment.objects.filter(pk=assessment.pk).update(
        total_centi=total, grade=grade, vetoed=vetoed
    )
    assessment.total_centi, assessment.grade, assessment.vetoed = total, grade, vetoed


@transaction.atomic
def self_assessment_submit(*, actor: User, assessment_id: int) -> SelfAssessment:
    assessment = SelfAssessment.objects.select_related("unit", "edition").get(pk=assessment_id)
    if not can_submit(actor, assessment.unit_id):
        raise AssessmentRefused("只有本单位管理员可以提交自评")
    card, problems = scorecard_of(assessment, assessment.entries.all())
    if card is None:
        raise AssessmentRefused("自评有错误,不能提交:" + ";".join(problems))
    if card.missing:
        raise AssessmentRefused(
            f"还有{len(card.missing)}项未评分(如{'、'.join(card.missing[:5])}),不能提交"
        )
    updated = SelfAssessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.DRAFT).update(
        status=AssessmentStatus.SUBMITTED, submitted_by=actor, submitted_at=timezone.now()
    )
    if not updated:
        raise AssessmentRefused(NOT_EDITABLE)
    audit_record(
        actor=actor,
        action="assessment.submit",
        obj=assessment,
        field="status",
        old="填报中",
        new="已提交",
    )
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def self_assessment_return(*, actor: User, assessment_id: int, reason: str) -> SelfAssessment:
    """Send a submitted revision back: it stays as it was; a new draft revision copies it."""
    assessment = SelfAssessment.objects.select_related("unit", "unit__region", "edition").get(
        pk=assessment_id
    )
    if not can_return(actor, assessment):
        raise AssessmentRefused("只有主管部门或测评办公室可以退回自评")
    if not reason.strip():
        raise AssessmentRefused("请填写退回原因")
    updated = SelfAssessment.objects.filter(
        pk=assessment.pk, status=AssessmentStatus.SUBMITTED
    ).update(status=AssessmentStatus.RETURNED, return_reason=reason.strip())
    if not updated:
        raise AssessmentRefused("只有已提交的自评可以退回")
    audit_record(
        actor=actor,
        action="assessment.return",
        obj=assessment,
        field="status",
        old="已提交",
        new="已退回",
        comment=reason,
    )
    draft = SelfAssessment.objects.create(
        unit=assessment.unit,
        edition=assessment.edition,
        revision=assessment.revision + 1,
        as_of=assessment.as_of,
        created_by=actor,
        total_centi=assessment.total_centi,
        grade=assessment.grade,
        vetoed=assessment.vetoed,
    )
    Entry.objects.bulk_create(
        [
            Entry(
                assessment=draft,
                code=e.code,
                kind=e.kind,
                value=e.value,
                reason=e.reason,
                note=e.note,
                event_date=e.event_date,
                until=e.until,
                updated_by=e.updated_by,
            )
            for e in assessment.entries.all()
        ]
    )
    audit_record(
        actor=actor,
        action="assessment.start",
        obj=draft,
        new=f"第{draft.revision}版(退回后重新填报)",
    )
    notice_send(
        actor=actor,
        recipients=unit_people(assessment.unit_id, Role.UNIT_ADMIN, Role.UNIT_FILLER),
        title=f"自评被退回:{assessment.edition.name}",
        body=(
            f"{assessment.unit.name}第{assessment.revision}版自评已被退回,退回原因:{reason.strip()}。"
            f"已生成第{draft.revision}版,保留原有填报内容,请修改后重新提交。"
        ),
        url=reverse("assessments:detail", args=[draft.pk]),
        kind="assessment",
        obj=draft,
    )
    return draft
