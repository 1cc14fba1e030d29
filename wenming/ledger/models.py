from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Department, Unit

DEFAULT_ACTIVITY_TYPES = [
    "理论学习",
    "日常阅读",
    "中心组学习",
    "会议",
    "培训",
    "志愿服务",
    "捐赠",
    "文体活动",
    "道德讲堂",
    "检查督查",
    "表彰奖励",
    "调研报告",
    "其他",
]


class ActivityType(models.Model):
    name = models.CharField("名称", max_length=40, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """One recorded activity of a unit's ledger (台账), linked to the indicators it evidences."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activities")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, verbose_name="类型")
    title = models.CharField("标题", max_length=200)
    day = models.DateField("日期")
    place = models.CharField("地点", max_length=200, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="组织科室"
    )
    participants = models.PositiveIntegerField("参加人数", default=0)
    participant_names = models.TextField("参加人员", blank=True)
    description = models.TextField("内容", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    photo_count = models.PositiveIntegerField(default=0, editable=False)
    file_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["unit", "-day", "-id"])]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.title}"


class ActivityIndicator(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="indicators")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+"
    )  # copy for indexed reads

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "edition", "code"], name="activity_indicator_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "edition", "code"])]

    def __str__(self) -> str:
        return self.code


class IndicatorExplanation(models.Model):
    """The unit's explanation (说明) of how it meets one indicator; goes into the binder."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "edition", "code"], name="explanation_unique")
        ]

    def __str__(self) -> str:
        return self.code


class EvidenceConfirmation(models.Model):
    """A person's confirmation of a rule no machine can judge (人工确认)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    rule_index = models.PositiveSmallIntegerField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "edition", "code", "rule_index"], name="confirmation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}#{self.rule_index}"


class IndicatorAssignment(models.Model):
    """A line of the 考核指标任务分解表: an indicator given to a department and a person."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL)
    person = models.CharField("责任人", max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline = models.DateField("完成时限", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "edition", "code"], name="assignment_unique")
        ]
        indexes = [models.Index(fields=["user", "deadline"])]

    def __str__(self) -> str:
        return f"{self.code} {self.person}"
