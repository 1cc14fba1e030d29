from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit


class DocumentTemplate(models.Model):
    """An administrator's .docx template for one kind of document (the newest one is used)."""

    kind = models.CharField("文书类型", max_length=40)
    name = models.CharField("文件名", max_length=200)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SelfInspectionReport(models.Model):
    """A unit's self-inspection report (自查报告): a draft generated from its data, then edited."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=200)
    generated_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "edition"], name="report_unique_per_edition")
        ]

    def __str__(self) -> str:
        return self.title


class ReportSection(models.Model):
    """One part of the report as text the unit may edit (lines starting 【需补充】 are notes)."""

    report = models.ForeignKey(
        SelfInspectionReport, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField()
    heading = models.CharField("标题", max_length=200)
    text = models.TextField("内容", blank=True)
    version = models.PositiveIntegerField(default=1)
    # who last changed the text by hand (None: it is the draft as generated); regenerating keeps
    # an edited section unless the person asks for it to be replaced
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="section_unique_position")
        ]

    def __str__(self) -> str:
        return self.heading

    @property
    def edited(self) -> bool:
        return self.edited_at is not None
