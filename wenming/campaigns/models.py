"""Campaigns (创建活动), applications (申报) and the review chain that carries them to a title."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Region, Unit, UnitType


class Level(models.TextChoices):
    DISTRICT = "district", "区级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "全国"


class Phase(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "申报中"
    PUBLICITY = "publicity", "公示中"
    CLOSED = "closed", "已命名"
    CANCELLED = "cancelled", "已撤销"


# The review chain: each step names who acts. ``role`` is "supervisor" (the unit's supervising
# body) or "office" (an office whose region is at ``level`` — 3 district, 2 city, 1 province —
# and covers the unit); a step with ``result`` needs an evaluation result before it passes.
DEFAULT_CHAIN: list[dict[str, Any]] = [
    {"key": "supervisor", "label": "主管部门审核", "role": "supervisor"},
    {"key": "accept", "label": "区文明办受理", "role": "office", "level": 3},
    {"key": "evaluate", "label": "初评", "role": "office", "level": 3, "result": True},
    {"key": "review", "label": "市级复核", "role": "office", "level": 2},
]


class Campaign(models.Model):
    name = models.CharField("活动名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="组织地区")
    # the office that runs it and signs its documents (通报, 公示): 江东区教育督导室 …; empty =
    # the region's spiritual-civilisation office
    organiser = models.CharField("主办机关", max_length=100, blank=True, default="")
    edition = models.ForeignKey(
        FrameworkEdition, on_delete=models.PROTECT, related_name="+", verbose_name="测评体系"
    )
    unit_types = models.ManyToManyField(UnitType, verbose_name="可申报单位类型", related_name="+")
    # eligibility conditions
    previous_title_required = models.BooleanField("须获上一届称号", default=False)
    clean_months = models.PositiveSmallIntegerField("无否决/负面清单事项的月数", default=24)
    legal_person_required = models.BooleanField("须为独立法人", default=False)
    # timeline
    apply_from = models.DateField("申报开始")
    apply_until = models.DateField("申报截止")
    evaluate_until = models.DateField("测评截止", null=True, blank=True)
    publicity_days = models.PositiveSmallIntegerField("公示天数", default=5)
    publicity_working_days = models.BooleanField("按工作日计算公示期", default=True)
    term_years = models.PositiveSmallIntegerField("称号有效期(年)", default=3)
    rectify_months = models.PositiveSmallIntegerField("基本达标整改期限(月)", default=12)
    # targets: a number, or a share (percent) of eligible units
    target_count = models.PositiveIntegerField("年度目标(个)", null=True, blank=True)
    target_percent = models.PositiveSmallIntegerField("年度目标(占比%)", null=True, blank=True)
    # results use: a township's (or body's) score = min(cap, qualified ÷ target × scale)
    target_score_scale = models.PositiveSmallIntegerField(
        "目标完成折算分(完成100%得分)", default=100
    )
    target_score_cap = models.PositiveSmallIntegerField("目标完成得分上限", default=100)
    chain = models.JSONField("审核流程", default=list)
    # school stage or unit type name → level of the region that names it (初中 → 2: the city)
    naming = models.JSONField("命名机关", default=dict, blank=True)
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices, default=Phase.DRAFT)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def title_name(self) -> str:
        return f"{self.year}年度{self.get_level_display()}{self.edition.campaign_type}"

    @property
    def organiser_name(self) -> str:
        """Who issues the campaign's documents."""
        return self.organiser or f"{self.region.name}精神文明建设办公室"

    @property
    def chain_text(self) -> str:
        """The review steps as a notice says them: 单位申报、主管部门审核、区县级测评."""
        return "、".join(["单位申报", *(str(s["label"]) for s in self.chain)])

    def step(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.chain if s["key"] == key), None)


class Target(models.Model):
    """A campaign's annual target for one township (region) or supervising body."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    supervisor = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    count = models.PositiveIntegerField("目标数")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=False, supervisor__isnull=True)
                | models.Q(region__isnull=True, supervisor__isnull=False),
                name="target_region_or_supervisor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region or self.supervisor} 目标{self.count}"


class State(models.TextChoices):
    PREPARING = "preparing", "待单位提交"
    RETURNED = "returned", "已退回单位"
    IN_REVIEW = "in_review", "审核中"
    LISTED = "listed", "拟命名"
    RECTIFYING = "rectifying", "基本达标·整改中"
    REMOVED = "removed", "公示后撤下"
    NAMED = "named", "已命名"
    NOT_PASSED = "not_passed", "未通过"


class Application(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications")
    assessment = models.ForeignKey(
        "assessments.SelfAssessment", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREPARING)
    step = models.CharField("当前环节", max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)  # compare-and-set on every transition
    submitted_at = models.DateTimeField(null=True, blank=True)
    # the evaluation result (paper score sheet now, on-site scoring later), cached for lists
    result_centi = models.IntegerField(null=True, blank=True)
    result_grade = models.CharField(max_length=40, blank=True)
    result_vetoed = models.BooleanField(default=False)
    region_path = models.CharField(max_length=200, default="")  # the unit's, for scoped lists
    supervisor = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_application_per_unit")
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "step"]),
            models.Index(fields=["campaign", "region_path", "id"]),
            # the API's list: keyset (region path, id) under an office's path prefix
            models.Index(fields=["region_path", "id"], name="application_keyset_idx"),
            models.Index(fields=["campaign", "result_grade"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.campaign.name}"

    @property
    def where(self) -> str:
        """The state as a person reads it: which step it waits on."""
        if self.state == State.IN_REVIEW:
            step = self.campaign.step(self.step)
            return f"待{step['label']}" if step else "审核中"
        return self.get_state_display()


class Transition(models.Model):
    """One step of an application's history: who did what, when, with which comment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(max_length=20)
    label = models.CharField(max_length=60)
    from_state = models.CharField(max_length=60)
    to_state = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.from_state}→{self.to_state}"


class SignatureRole(models.TextChoices):
    HEAD = "head", "单位负责人"
    SUPERVISOR = "supervisor", "主管部门"


class Signature(models.Model):
    """An electronic sign-off standing for 签字盖章: who signed exactly which content."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(max_length=12, choices=SignatureRole.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64)
    content = models.JSONField(encoder=DjangoJSONEncoder)  # what was signed, kept for comparison

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.digest[:12]}"


class WindowExtension(models.Model):
    """The office lets one unit apply after the window closed (recorded, with a reason)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    until = models.DateField("延长至")
    reason = models.CharField("原因", max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"延长至 {self.until:%Y-%m-%d}"


EVALUATION_SOURCES = {"paper": "纸质评分表导入", "onsite": "现场测评", "survey": "问卷调查"}


class Evaluation(models.Model):
    """An evaluation step's result for one application: item values in the results format."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evaluations"
    )
    step = models.CharField(max_length=40)
    source = models.CharField(max_length=10)  # paper | onsite | survey
    data = models.JSONField(encoder=DjangoJSONEncoder)  # results-file data scored by the engine
    total_centi = models.IntegerField()
    grade = models.CharField(max_length=40)
    vetoed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.step} {self.total_centi / 100:g} {self.grade}"

    @property
    def source_label(self) -> str:
        """Where the result came from, as the pages say it."""
        return EVALUATION_SOURCES.get(self.source, "其他")


class ObjectionState(models.TextChoices):
    OPEN = "open", "调查中"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(models.Model):
    """An objection (异议) filed by anyone against a unit on the publicity list."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30)
    text = models.TextField("异议内容")
    filed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    resolution = models.TextField("调查结论", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"异议 {self.name} {self.get_state_display()}"


class Reward(models.Model):
    """A reward (表彰奖励) recorded for a unit or a person as a result of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rewards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    person = models.CharField("受奖个人(可选)", max_length=50, blank=True)
    kind = models.CharField("奖励形式", max_length=40)
    description = models.CharField("奖励内容", max_length=300)
    amount = models.DecimalField("奖金(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    awarded_on = models.DateField("奖励日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind}"
