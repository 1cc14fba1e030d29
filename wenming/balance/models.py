from __future__ import annotations

from django.db import models

from wenming.organizations.models import Unit


class Stage(models.TextChoices):
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"


class BalanceLevel(models.TextChoices):
    BASIC = "basic", "基本均衡"
    QUALITY = "quality", "优质均衡"


def _value(label: str) -> models.DecimalField[float, float]:
    return models.DecimalField(label, max_digits=12, decimal_places=2)


class SchoolIndicators(models.Model):
    """The eight balanced-development indicators of one school's stage in one year.

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
    """The composite-CV threshold a stage must not exceed to reach a level (data, not code)."""

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
