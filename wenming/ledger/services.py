"""Writes to the ledger: record an activity with its files, delete it, explain an indicator,
confirm a rule by hand. Only the unit's own fillers and administrators may write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction

from wenming.assessments.access import can_fill
from wenming.attachments.detect import FileRejected
from wenming.attachments.models import Attachment
from wenming.attachments.services import attachment_remove, attachment_store, attachments_of
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.ledger.models import (
    DEFAULT_ACTIVITY_TYPES,
    Activity,
    ActivityIndicator,
    ActivityType,
    EvidenceConfirmation,
    IndicatorExplanation,
)
from wenming.organizations.models import Department, Unit
from wenming.web.cache import kept_until_changed

EXPLANATION_LIMIT = 2000


class LedgerRefused(ActionRefused):
    """Not allowed or not valid; the message says why in Chinese."""


@dataclass(frozen=True)
class ActivityInput:
    activity_type: ActivityType
    title: str
    day: date
    place: str = ""
    department: Department | None = None
    participants: int = 0
    participant_names: str = ""
    description: str = ""


def _check_writer(actor: User, unit: Unit) -> None:
    if not can_fill(actor, unit.pk):
        raise LedgerRefused("只有本单位的填报员或管理员可以维护台账")


def _check_links(unit: Unit, links: list[tuple[FrameworkEdition, str]]) -> None:
    for edition, code in links:
        if unit.unit_type.name not in edition.unit_types:
            raise LedgerRefused(f"“{edition.name}”不适用于本单位")
        if code not in engine_of(edition).index:
            raise LedgerRefused(f"指标“{code}”不在“{edition.name}”中")


@transaction.atomic
def activity_create(
    *,
    actor: User,
    unit: Unit,
    data: ActivityInput,
    links: list[tuple[FrameworkEdition, str]],
    files: Sequence[tuple[str, IO[bytes]]],
) -> tuple[Activity, list[str]]:
    """Record an activity with its files; all or nothing. Returns it and notes about reused files."""
    _check_writer(actor, unit)
    if not data.title.strip():
        raise LedgerRefused("请填写标题")
    if data.department is not None and data.department.unit_id != unit.pk:
        raise LedgerRefused("组织科室不属于本单位")
    _check_links(unit, links)
    activity = Activity.objects.create(
        unit=unit,
        activity_type=data.activity_type,
        title=data.title.strip()[:200],
        day=data.day,
        place=data.place.strip()[:200],
        department=data.department,
        participants=data.participants,
        participant_names=data.participant_names.strip(),
        description=data.description.strip(),
        created_by=actor,
    )
    ActivityIndicator.objects.bulk_create(
        [
            ActivityIndicator(activity=activity, edition=edition, code=code, unit=unit)
            for edition, code in set(links)
        ]
    )
    notes = []
    for name, stream in files:
        try:
            attachment, reused = attachment_store(
                unit=unit, owner=activity, name=name, stream=stream, actor=actor
            )
        except FileRejected as exc:
            raise LedgerRefused(str(exc)) from None
        if reused:
            notes.append(f"“{attachment.name}”与已上传的文件内容相同,未重复保存")
    _count_files(activity)
    audit_record(
        actor=actor,
        action="ledger.create",
        obj=activity,
        new=f"{activity.activity_type} {activity.title}",
    )
    return activity, notes


def _count_files(activity: Activity) -> None:
    uses = list(attachments_of(activity).values_list("file__kind", flat=True))
    activity.photo_count = sum(1 for kind in uses if kind == "image")
    activity.file_count = len(uses)
    activity.save(update_fields=["photo_count", "file_count"])


ACTIVITY_FIELDS = {
    "activity_type": "类型",
    "title": "标题",
    "day": "日期",
    "place": "地点",
    "department": "组织科室",
    "participants": "参加人数",
    "participant_names": "参加人员",
    "description": "内容",
}


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity: Activity,
    data: ActivityInput,
    links: list[tuple[FrameworkEdition, str]],
    files: Sequence[tuple[str, IO[bytes]]] = (),
) -> list[str]:
    """Change a record; every changed field and link is audited (old → new)."""
    unit = activity.unit
    _check_writer(actor, unit)
    if not data.title.strip():
        raise LedgerRefused("请填写标题")
    if data.department is not None and data.department.unit_id != unit.pk:
        raise LedgerRefused("组织科室不属于本单位")
    _check_links(unit, links)
    cleaned = {
        "activity_type": data.activity_type,
        "title": data.title.strip()[:200],
        "day": data.day,
        "place": data.place.strip()[:200],
        "department": data.department,
        "participants": data.participants,
        "participant_names": data.participant_names.strip(),
        "description": data.description.strip(),
    }
    for field, value in cleaned.items():
        old = getattr(activity, field)
        if old != value:
            audit_record(
                actor=actor,
                action="ledger.update",
                obj=activity,
                field=ACTIVITY_FIELDS[field],
                old=old,
                new=value,
            )
            setattr(activity, field, value)
    activity.save()
    before = {(link.edition_id, link.code) for link in activity.indicators.all()}
    after = {(edition.pk, code) for edition, code in links}
    if before != after:
        activity.indicators.all().delete()
        ActivityIndicator.objects.bulk_create(
            [
                ActivityIndicator(activity=activity, edition=edition, code=code, unit=unit)
                for edition, code in set(links)
            ]
        )
        audit_record(
            actor=actor,
            action="ledger.update",
            obj=activity,
            field="关联指标",
            old="、".join(sorted(c for _, c in before)),
            new="、".join(sorted(c for _, c in after)),
        )
    return activity_add_files(actor=actor, activity=activity, files=files) if files else []


@transaction.atomic
def activity_add_files(
    *, actor: User, activity: Activity, files: Sequence[tuple[str, IO[bytes]]]
) -> list[str]:
    _check_writer(actor, activity.unit)
    notes = []
    for name, stream in files:
        try:
            attachment, reused = attachment_store(
                unit=activity.unit, owner=activity, name=name, stream=stream, actor=actor
            )
        except FileRejected as exc:
            raise LedgerRefused(str(exc)) from None
        if reused:
            notes.append(f"“{attachment.name}”与已上传的文件内容相同,未重复保存")
    _count_files(activity)
    return notes


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    """Delete a record; the audit trail keeps what it was."""
    _check_writer(actor, activity.unit)
    uses: list[Attachment] = list(attachments_of(activity))
    for attachment in uses:
        attachment_remove(attachment=attachment, actor=actor)
    codes = "、".join(activity.indicators.values_list("code", flat=True))
    audit_record(
        actor=actor,
        action="ledger.delete",
        obj=activity,
        old=f"{activity.day} {activity.activity_type} {activity.title};指标 {codes};附件{len(uses)}个",
    )
    activity.delete()


@transaction.atomic
def explanation_save(
    *, actor: User, unit: Unit, edition: FrameworkEdition, code: str, text: str
) -> IndicatorExplanation:
    _check_writer(actor, unit)
    _check_links(unit, [(edition, code)])
    if len(text) > EXPLANATION_LIMIT:
        raise LedgerRefused(f"说明不能超过{EXPLANATION_LIMIT}字")
    current = IndicatorExplanation.objects.filter(unit=unit, edition=edition, code=code).first()
    old = current.text if current else ""
    explanation, _ = IndicatorExplanation.objects.update_or_create(
        unit=unit, edition=edition, code=code, defaults={"text": text, "updated_by": actor}
    )
    if old != text:
        audit_record(
            actor=actor,
            action="ledger.explanation",
            obj=unit,
            field=f"{edition.code}:{code}.说明",
            old=old,
            new=text,
        )
    return explanation


@transaction.atomic
def confirmation_set(
    *,
    actor: User,
    unit: Unit,
    edition: FrameworkEdition,
    code: str,
    rule_index: int,
    confirmed: bool,
) -> None:
    _check_writer(actor, unit)
    node = engine_of(edition).framework.find(code)
    if (
        node is None
        or not 0 <= rule_index < len(node.evidence_rules)
        or node.evidence_rules[rule_index].kind != "manual"
    ):
        raise LedgerRefused("该规则不需要人工确认")
    existing = EvidenceConfirmation.objects.filter(
        unit=unit, edition=edition, code=code, rule_index=rule_index
    )
    if confirmed and not existing.exists():
        EvidenceConfirmation.objects.create(
            unit=unit, edition=edition, code=code, rule_index=rule_index, confirmed_by=actor
        )
    elif not confirmed:
        existing.delete()
    audit_record(
        actor=actor,
        action="ledger.confirm",
        obj=unit,
        field=f"{edition.code}:{code} 人工确认",
        new="已确认" if confirmed else "取消确认",
        comment=node.evidence_rules[rule_index].text,
    )


def activity_types() -> list[ActivityType]:
    """The activity types (the default ones are written the first time), for the ledger's
    forms and filter: kept until a change commits or ``TODO_CACHE_SECONDS`` pass (two queries
    a page otherwise)."""
    return kept_until_changed("activity-types", _activity_types)


def _activity_types() -> list[ActivityType]:
    if not ActivityType.objects.exists():
        ActivityType.objects.bulk_create([ActivityType(name=n) for n in DEFAULT_ACTIVITY_TYPES])
    return list(ActivityType.objects.all())
