from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"


class SelfAssessment(models.Model):
    """One revision of a unit's self-assessment (自评) against one framework edition.

    Submitting locks a revision; sending it back keeps it unchanged (status 已退回) and opens
    the next revision as a copy for the unit to fix.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="self_assessments")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    as_of = models.DateField("评分日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    # cached figures for lists, recomputed by the engine on every change
    total_centi = models.IntegerField(default=0)
    grade = models.CharField(max_length=40, blank=True)
    vetoed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "edition", "revision"], name="assessment_revision_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.unit.name} 自评(第{self.revision}版)"

    @property
    def is_editable(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


# counts per kind ("缺项:1、不规范:2") need more room than a single number or grade
VALUE_MAX = 300


class EntryKind(models.TextChoices):
    ITEM = "item", "测评内容"
    EVENT = "event", "否决/负面清单事项"
    COMPONENT = "component", "分项得分"


class Entry(models.Model):
    """One entered value, as typed (the engine parses it), with optimistic-locking version."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.ITEM)
    value = models.CharField(max_length=VALUE_MAX, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    event_date = models.DateField(null=True, blank=True)
    # the end of a state veto (a D-class building no longer in use); empty: it still holds
    until = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="entry_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"
