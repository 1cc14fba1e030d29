from __future__ import annotations

from django.db import models

from wenming.core.balance import QUALITY_INDICATORS
from wenming.organizations.models import Unit


class Stage(models.TextChoices):
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"


class BalanceLevel(models.TextChoices):
    BASIC = "basic", "基本均衡"
    QUALITY = "quality", "优质均衡"


# Values keep the precision the sheets use (师生比 to 4 decimals, per-student ratios computed by
# formulas): six decimals, never fewer than the four the national sheets use.
VALUE_PLACES = 6


def _value(label: str) -> models.DecimalField[float, float]:
    return models.DecimalField(label, max_digits=18, decimal_places=VALUE_PLACES)


def _quality_value(label: str) -> models.DecimalField[float | None, float | None]:
    """A quality-balance indicator of its own: empty until the office imports it."""
    return models.DecimalField(
        label, max_digits=18, decimal_places=VALUE_PLACES, null=True, blank=True
    )


class SchoolIndicators(models.Model):
    """The balanced-development indicators of one school's stage in one year: the eight of basic
    balance and the three more that quality balance's seven add (empty where not imported).

    A nine-year school has one row per stage (its primary and junior sections are computed with
    the primary and junior schools respectively)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=200, editable=False, default="")  # copy of unit's
    year = models.PositiveSmallIntegerField("年度")
    stage = models.CharField("学段", max_length=4, choices=Stage.choices)
    enrolment = models.PositiveIntegerField("在校生数")
    floor_area = _value("生均教学及辅助用房面积")
    sports_area = _value("生均体育运动场馆面积")
    equipment_value = _value("生均教学仪器设备值")
    computers = _value("每百名学生拥有计算机台数")
    books = _value("生均图书册数")
    teacher_ratio = _value("每百名学生拥有教师数")
    qualified_teachers = _value("每百名学生拥有高于规定学历教师数")
    senior_teachers = _value("每百名学生拥有中级及以上专业技术职务教师数")
    key_teachers = _quality_value("每百名学生拥有县级及以上骨干教师数")
    pe_arts_teachers = _quality_value("每百名学生拥有体育、艺术专任教师数")
    multimedia_rooms = _quality_value("每百名学生拥有网络多媒体教室数")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "stage", "region_path", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "stage"], name="school_indicators_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(enrolment__gt=0), name="school_indicators_enrolment_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    floor_area__gte=0,
                    sports_area__gte=0,
                    equipment_value__gte=0,
                    computers__gte=0,
                    books__gte=0,
                    teacher_ratio__gte=0,
                    qualified_teachers__gte=0,
                    senior_teachers__gte=0,
                    key_teachers__gte=0,
                    pe_arts_teachers__gte=0,
                    multimedia_rooms__gte=0,
                ),
                name="school_indicators_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["year", "stage", "region_path"])]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年{self.stage}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.region_path = self.unit.region_path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class BalanceThreshold(models.Model):
    """The composite-CV threshold a stage must not exceed to reach basic balance (data, not
    code). Quality balance has no composite: its limits are ``QualityStandard`` rows."""

    stage = models.CharField("学段", max_length=4, choices=Stage.choices)
    level = models.CharField("均衡水平", max_length=10, choices=BalanceLevel.choices)
    max_cv = models.DecimalField("综合差异系数上限", max_digits=4, decimal_places=3)

    class Meta:
        ordering = ["level", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "level"], name="balance_threshold_unique"),
            models.CheckConstraint(
                condition=models.Q(max_cv__gt=0, max_cv__lt=10), name="balance_threshold_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.stage}≤{self.max_cv}"


class QualityStandard(models.Model):
    """Quality balance (2017), one of the seven resource indicators of a stage: the standard
    every school is held to, and the limit of the indicator's coefficient of variation."""

    stage = models.CharField("学段", max_length=4, choices=Stage.choices)
    indicator = models.CharField("指标", max_length=30, choices=QUALITY_INDICATORS)
    minimum = models.DecimalField("校际标准", max_digits=18, decimal_places=VALUE_PLACES)
    max_cv = models.DecimalField("差异系数上限", max_digits=4, decimal_places=3)

    class Meta:
        ordering = ["stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "indicator"], name="quality_standard_unique"),
            models.CheckConstraint(
                condition=models.Q(minimum__gt=0, max_cv__gt=0, max_cv__lt=10),
                name="quality_standard_range",
            ),
        ]

    def __str__(self) -> str:
        return f"优质均衡{self.stage}{self.indicator}≥{self.minimum},CV≤{self.max_cv}"


class QualityRule(models.Model):
    """How many of the seven standards a school of the stage must meet, and how far it must
    reach (in % of the standard) each one it misses."""

    stage = models.CharField("学段", max_length=4, choices=Stage.choices, unique=True)
    min_met = models.PositiveSmallIntegerField("至少达标项数")
    floor_percent = models.DecimalField(
        "未达标项不低于标准的百分比", max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    min_met__gte=1, min_met__lte=7, floor_percent__gt=0, floor_percent__lte=100
                ),
                name="quality_rule_range",
            ),
        ]

    def __str__(self) -> str:
        return f"优质均衡{self.stage}至少{self.min_met}项达标,其余≥{self.floor_percent}%"
