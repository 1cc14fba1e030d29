"""Writes of the documents app: report drafts and edits, template uploads (all audited)."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wenming.accounts.models import UNIT_ROLES
from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.documents.bulletin import sample_document
from wenming.documents.models import DocumentTemplate, ReportSection, SelfInspectionReport
from wenming.documents.placeholders import placeholders_in
from wenming.documents.report import draft_sections, report_title
from wenming.documents.selectors import report_versions
from wenming.documents.templating import KINDS, check_template
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class DocumentRefused(ActionRefused):
    """The change cannot be made; the message says why in Chinese."""


def can_edit_report(user: User, unit_id: int) -> bool:
    scope = scope_for(user)
    return any(scope.holds(role, unit_id) for role in UNIT_ROLES)


def _listed(headings: list[str]) -> str:
    return ";".join(headings)


@transaction.atomic
def report_generate(
    *,
    actor: User,
    unit: Unit,
    edition: FrameworkEdition,
    replace: Collection[int] = (),
    seen: str = "",
) -> SelfInspectionReport:
    """Create the report from the unit's data, or regenerate it section by section: a section
    the unit edited is kept unless its position is in ``replace`` (the replaced text stays in
    the audit trail). ``seen`` is :func:`report_versions` as the person confirmed it; when the
    report changed since, nothing is written."""
    if not can_edit_report(actor, unit.pk):
        raise DocumentRefused("只有本单位人员可以生成和修改自查报告")
    if unit.unit_type.name not in edition.unit_types:
        raise DocumentRefused("测评体系不适用于本单位")
    drafts = draft_sections(unit, edition, timezone.localdate())
    report = (
        SelfInspectionReport.objects.select_for_update().filter(unit=unit, edition=edition).first()
    )
    if report is None:
        report = SelfInspectionReport.objects.create(
            unit=unit,
            edition=edition,
            title=report_title(unit, edition),
            generated_at=timezone.now(),
        )
        ReportSection.objects.bulk_create(
            ReportSection(report=report, position=i, heading=h, text=t)
            for i, (h, t) in enumerate(drafts, start=1)
        )
        audit_record(
            actor=actor,
            action="report.draft",
            obj=unit,
            field=f"自查报告({edition.name})",
            new="生成",
        )
        return report
    if seen and seen != report_versions(report):
        raise DocumentRefused("自查报告在您确认期间已被他人修改,请重新查看后再确认")
    existing = {s.position: s for s in report.sections.select_for_update()}
    updated: list[str] = []
    kept: list[str] = []
    for position, (heading, text) in enumerate(drafts, start=1):
        current = existing.get(position)
        if current is None:
            ReportSection.objects.create(
                report=report, position=position, heading=heading, text=text
            )
            updated.append(heading)
            continue
        if current.edited and position not in replace:
            kept.append(current.heading)
            continue
        if current.edited:
            audit_record(
                actor=actor,
                action="report.section",
                obj=unit,
                field=f"自查报告.{current.heading}",
                old=current.text,
                new="按最新数据重新生成(替换本单位修改的内容)",
            )
        if current.text != text or current.heading != heading or current.edited:
            current.heading, current.text = heading, text
            current.version += 1
            current.edited_by, current.edited_at = None, None
            current.save(update_fields=["heading", "text", "version", "edited_by", "edited_at"])
        updated.append(heading)
    report.title = report_title(unit, edition)
    report.generated_at = timezone.now()
    report.save(update_fields=["title", "generated_at", "updated_at"])
    outcome = f"重新生成:按最新数据更新{_listed(updated)}" if updated else "重新生成"
    if kept:
        outcome += f";保留本单位修改的{_listed(kept)}"
    audit_record(
        actor=actor,
        action="report.draft",
        obj=unit,
        field=f"自查报告({edition.name})",
        new=outcome,
    )
    return report


@transaction.atomic
def report_section_save(*, actor: User, section_id: int, text: str, version: int) -> ReportSection:
    section = (
        ReportSection.objects.select_for_update()
        .select_related("report__unit")
        .filter(pk=section_id)
        .first()
    )
    if section is None:
        raise DocumentRefused("报告段落不存在")
    if not can_edit_report(actor, section.report.unit_id):
        raise DocumentRefused("只有本单位人员可以修改自查报告")
    if section.version != version:
        raise DocumentRefused("该段落已被他人修改,请刷新后再改")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > 20000:
        raise DocumentRefused("内容过长(上限20000字)")
    found = placeholders_in(text)
    if found:
        shown = "、".join(dict.fromkeys(found))
        raise DocumentRefused(f"内容中有未填写的占位符:{shown}。请填写实际内容后再保存")
    if text != section.text:
        audit_record(
            actor=actor,
            action="report.section",
            obj=section.report.unit,
            field=f"自查报告.{section.heading}",
            old=section.text,
            new=text,
        )
        section.text = text
        section.version += 1
        section.edited_by, section.edited_at = actor, timezone.now()
        section.save(update_fields=["text", "version", "edited_by", "edited_at"])
        section.report.save(update_fields=["updated_at"])
    return section


@transaction.atomic
def template_upload(*, actor: User, kind: str, name: str, content: bytes) -> DocumentTemplate:

    if not scope_for(actor).is_admin:
        raise DocumentRefused("只有系统管理员可以修改文书模板")
    if kind not in KINDS:
        raise DocumentRefused("没有这种文书类型")
    if not name.lower().endswith(".docx"):
        raise DocumentRefused("请上传Word(.docx)格式的模板")
    if len(content) > MAX_TEMPLATE_BYTES:
        raise DocumentRefused("模板文件过大(上限5MB)")
    check_template(content, sample_document(kind))  # raises TemplateInvalid
    template = DocumentTemplate.objects.create(
        kind=kind, name=name[:200], content=content, uploaded_by=actor
    )
    audit_record(actor=actor, action="template.upload", obj=template, field=KINDS[kind], new=name)
    return template


@transaction.atomic
def template_reset(*, actor: User, kind: str) -> None:
    """Back to the shipped default: uploads of the kind are removed (the audit trail keeps who)."""
    if not scope_for(actor).is_admin:
        raise DocumentRefused("只有系统管理员可以修改文书模板")
    latest = DocumentTemplate.objects.filter(kind=kind).first()
    if latest is not None:
        audit_record(actor=actor, action="template.reset", obj=latest, field=KINDS[kind])
        DocumentTemplate.objects.filter(kind=kind).delete()
