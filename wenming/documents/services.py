"""Writes of the documents app: report drafts and edits, template uploads (all audited)."""

from __future__ import annotations

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
from wenming.documents.templating import KINDS, check_template
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class DocumentRefused(ActionRefused):
    """The change cannot be made; the message says why in Chinese."""


def can_edit_report(user: User, unit_id: int) -> bool:
    scope = scope_for(user)
    return any(scope.holds(role, unit_id) for role in UNIT_ROLES)


@transaction.atomic
def report_generate(*, actor: User, unit: Unit, edition: FrameworkEdition) -> SelfInspectionReport:
    """Create the report from the unit's data, or regenerate it (the edited text is replaced)."""
    if not can_edit_report(actor, unit.pk):
        raise DocumentRefused("只有本单位人员可以生成和修改自查报告")
    if unit.unit_type.name not in edition.unit_types:
        raise DocumentRefused("测评体系不适用于本单位")
    sections = draft_sections(unit, edition, timezone.localdate())
    report, created = SelfInspectionReport.objects.update_or_create(
        unit=unit,
        edition=edition,
        defaults={"title": report_title(unit, edition), "generated_at": timezone.now()},
    )
    report.sections.all().delete()
    ReportSection.objects.bulk_create(
        ReportSection(report=report, position=i, heading=h, text=t)
        for i, (h, t) in enumerate(sections, start=1)
    )
    audit_record(
        actor=actor,
        action="report.draft",
        obj=unit,
        field=f"自查报告({edition.name})",
        new="生成" if created else "重新生成",
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
        section.save(update_fields=["text", "version"])
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
