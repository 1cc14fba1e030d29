"""Reads of the documents app: which template is in force, a report as a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from wenming.accounts.scope import scope_for, scoped_get
from wenming.documents.model import Document
from wenming.documents.models import DocumentTemplate, ReportSection, SelfInspectionReport
from wenming.documents.report import (
    SignOff,
    document_of,
    draft_sections,
    report_title,
    sign_off_of,
)
from wenming.documents.templating import default_template
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit


def template_in_force(kind: str) -> tuple[bytes, str]:
    """(template bytes, label): the newest upload, or the shipped default."""
    uploaded = DocumentTemplate.objects.filter(kind=kind).first()
    if uploaded is not None:
        return bytes(uploaded.content), uploaded.name
    return default_template(kind), "默认模板"


def report_of(unit: Unit, edition: FrameworkEdition) -> SelfInspectionReport | None:
    return SelfInspectionReport.objects.filter(unit=unit, edition=edition).first()


def report_sections_visible_to(user: User | AnonymousUser) -> QuerySet[ReportSection]:
    """Sections of the self-inspection reports of the units the person may see."""
    return ReportSection.objects.filter(scope_for(user).via_unit_q("report__unit"))


def report_section_get_for_user(user: User | AnonymousUser, pk: int) -> ReportSection:
    return scoped_get(
        report_sections_visible_to(user).select_related("report__unit", "report__edition"),
        pk,
        missing="报告段落不存在",
    )


def report_versions(report: SelfInspectionReport) -> str:
    """The sections' versions in order ("3,1,2,1"): what a confirmation was given for."""
    return ",".join(
        str(v) for v in report.sections.order_by("position").values_list("version", flat=True)
    )


def report_sections(report: SelfInspectionReport) -> list[tuple[str, str]]:
    return list(report.sections.order_by("position").values_list("heading", "text"))


def report_sign_off(report: SelfInspectionReport) -> SignOff:
    """The stored report's sign-off, dated the day it was last changed."""
    return sign_off_of(report.unit, timezone.localtime(report.updated_at).date())


def report_document(report: SelfInspectionReport) -> Document:
    return document_of(report.title, report_sections(report), report_sign_off(report))


def export_sections(
    unit: Unit, edition: FrameworkEdition
) -> tuple[SelfInspectionReport | None, list[tuple[str, str]]]:
    """What an export prints: the unit's report, or a draft from its data when it has none."""
    report = report_of(unit, edition)
    if report is not None:
        return report, report_sections(report)
    return None, draft_sections(unit, edition, timezone.localdate())


def export_document(unit: Unit, edition: FrameworkEdition) -> Document:
    report, sections = export_sections(unit, edition)
    if report is not None:
        return report_document(report)
    today = timezone.localdate()
    return document_of(report_title(unit, edition), sections, sign_off_of(unit, today))


@dataclass(frozen=True)
class SectionState:
    """One section as the regeneration confirmation shows it."""

    position: int
    heading: str
    edited: bool
    edited_by: str
    edited_at: datetime | None
    changes: bool  # the new draft differs from the text now stored


def regeneration_preview(report: SelfInspectionReport) -> list[SectionState]:
    drafts = dict(draft_sections(report.unit, report.edition, timezone.localdate()))
    out = []
    for s in report.sections.select_related("edited_by").order_by("position"):
        who = (s.edited_by.get_full_name() or s.edited_by.username) if s.edited_by else ""
        out.append(
            SectionState(
                s.position, s.heading, s.edited, who, s.edited_at, drafts.get(s.heading) != s.text
            )
        )
    return out


def editions_for(unit: Unit) -> list[FrameworkEdition]:
    return [
        e for e in FrameworkEdition.objects.defer("source") if unit.unit_type.name in e.unit_types
    ]
