"""Titles (称号) a unit holds, from a campaign or from the imported lists of earlier years."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.core.points import fmt
from wenming.organizations.models import Region, Unit

# the title levels, lowest first (a campaign's level is one of these)
LEVELS = ["district", "city", "province", "national"]
LEVEL_LABELS = {"district": "区级", "city": "市级", "province": "省级", "national": "全国"}


class TitleStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "撤销"


class TitleSource(models.TextChoices):
    CAMPAIGN = "campaign", "创建活动命名"
    IMPORTED = "imported", "历届名单导入"


class Title(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="titles")
    name = models.CharField("称号", max_length=200)
    kind = models.CharField("创建类型", max_length=80)
    level = models.CharField("级别", max_length=10)
    year = models.PositiveSmallIntegerField("年度")
    term_years = models.PositiveSmallIntegerField("有效期(年)")
    valid_until = models.DateField("有效期至")
    naming_authority = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="命名机关"
    )
    status = models.CharField(
        "状态", max_length=10, choices=TitleStatus.choices, default=TitleStatus.VALID
    )
    reason = models.TextField("原因", blank=True)
    source = models.CharField(max_length=10, choices=TitleSource.choices)
    # the campaign application that granted it (generic: no dependency on the campaigns app)
    origin_type = models.CharField(max_length=100, blank=True)
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    region_path = models.CharField(max_length=200, default="")  # the unit's, for scoped lists
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "level", "year"], name="one_title_a_year"
            )
        ]
        indexes = [
            models.Index(fields=["status", "valid_until", "region_path"]),
            models.Index(fields=["unit", "kind"]),
            # the API's list: keyset (region path, id) under an office's path prefix
            models.Index(fields=["region_path", "id"], name="title_keyset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.name}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


class TitleWarning(models.Model):
    """限期整改: a warning to a holder with a deadline (decline found at a re-check)."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="warnings")
    reason = models.TextField("原因")
    deadline = models.DateField("整改期限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"限期整改至 {self.deadline:%Y-%m-%d}"


class RecheckOutcome(models.TextChoices):
    KEPT = "kept", "保持称号"
    WARNED = "warned", "限期整改"
    REVOKED = "revoked", "撤销称号"


class TitleRecheck(models.Model):
    """复查: the yearly check of a title already granted (dynamic management), one a year."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="rechecks")
    year = models.PositiveSmallIntegerField("复查年度")
    checked_on = models.DateField("复查日期")
    outcome = models.CharField("复查结论", max_length=10, choices=RecheckOutcome.choices)
    score_centi = models.IntegerField("复查得分(百分之一分)", null=True, blank=True)
    comment = models.TextField("复查意见", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["title", "year"], name="one_recheck_a_year")]

    def __str__(self) -> str:
        return f"{self.title} {self.year}年复查:{self.get_outcome_display()}"

    @property
    def score(self) -> str:

        return "" if self.score_centi is None else fmt(self.score_centi)
