from __future__ import annotations

from typing import Any

from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "区县"
    TOWNSHIP = 4, "乡镇街道"
    COMMUNITY = 5, "社区村"


class Region(models.Model):
    """A node of the administrative tree. ``path`` ("/3/17/42/") makes sub-trees one prefix."""

    name = models.CharField("名称", max_length=100)
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.name


class UnitType(models.Model):
    """A kind of unit (机关, 学校, 医院 …): data, not code."""

    name = models.CharField("名称", max_length=40, unique=True)
    is_school = models.BooleanField("是否学校", default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SchoolStage(models.TextChoices):
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"
    NINE_YEAR = "九年一贯制", "九年一贯制"
    COMPLETE_SECONDARY = "完全中学", "完全中学"


class Unit(models.Model):
    """A unit (单位) that is evaluated, or that supervises others (主管部门)."""

    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    unit_type = models.ForeignKey(UnitType, on_delete=models.PROTECT, verbose_name="单位类型")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="所属地区")
    # A copy of region.path so that "this region and everything below" is one indexed prefix
    # match on this table, without a join; kept in step by save() and region moves.
    region_path = models.CharField(max_length=200, editable=False, default="")
    # True once any unit names this one as its supervising body (for the filter list).
    supervises = models.BooleanField(default=False, editable=False)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised",
        verbose_name="主管部门",
    )
    address = models.CharField("地址", max_length=300, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    headcount = models.PositiveIntegerField("职工人数", default=0)
    legal_person = models.BooleanField("独立法人", default=True)
    party_members = models.PositiveIntegerField("党员人数", default=0)
    stage = models.CharField("学段", max_length=10, choices=SchoolStage.choices, blank=True)
    enrolment_primary = models.PositiveIntegerField("小学在校生", default=0)
    enrolment_junior = models.PositiveIntegerField("初中在校生", default=0)
    enrolment_senior = models.PositiveIntegerField("高中在校生", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_path", "name", "id"]
        indexes = [
            # lists are ordered by region, then name: one index serves scope, order and paging
            models.Index(fields=["region_path", "name", "id"], name="unit_region_path_idx"),
            models.Index(fields=["unit_type", "name"]),
            models.Index(fields=["supervisor", "name"]),
            models.Index(
                fields=["region_path", "name"],
                name="unit_supervises_idx",
                condition=models.Q(supervises=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived columns only; the business rules live in services.
        self.region_path = self.region.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "region_path"}
        super().save(*args, **kwargs)
        if self.supervisor_id:
            Unit.objects.filter(pk=self.supervisor_id, supervises=False).update(supervises=True)

    @property
    def enrolment(self) -> dict[str, int]:
        pairs = (
            ("小学", self.enrolment_primary),
            ("初中", self.enrolment_junior),
            ("高中", self.enrolment_senior),
        )
        return {stage: n for stage, n in pairs if n}


class Department(models.Model):
    """A department (科室/股室) of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField("名称", max_length=100)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="department_unique_in_unit")
        ]

    def __str__(self) -> str:
        return self.name
