"""Reads of the documents app: which template is in force, a report as a document."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.scope import scope_for, scoped_get
from wenming.documents.model import Document
from wenming.documents.models import DocumentTemplate, ReportSection, SelfInspectionReport
from wenming.documents.report import document_of
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


def report_document(report: SelfInspectionReport) -> Document:
    sections = list(report.sections.order_by("position").values_list("heading", "text"))
    return document_of(report.title, sections)


def editions_for(unit: Unit) -> list[FrameworkEdition]:
    return [
        e for e in FrameworkEdition.objects.defer("source") if unit.unit_type.name in e.unit_types
    ]
