"""Questionnaires (问卷): versions with sections, questions, show-if rules and indicator
mappings; targets with quotas; one-time tokens; anonymous responses and their answers.

A response holds no token, address or device id: a token's use is a separate row
(:class:`TokenUse`, unique per token) and a device's count is a separate tally
(:class:`DeviceTally`), neither pointing at the response.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.campaigns.models import Campaign
from wenming.organizations.models import Region, Unit


class Audience(models.TextChoices):
    STAFF = "staff", "职工问卷"
    PUBLIC = "public", "群众满意度调查"


class Kind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    SATISFACTION = "satisfaction", "满意度(满意/基本满意/不满意)"
    RATING = "rating", "评分(1–5)"
    NUMBER = "number", "数字"
    TEXT = "text", "简答"


CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.SATISFACTION, Kind.RATING)
SATISFACTION_OPTIONS = ["满意", "基本满意", "不满意"]
RATING_OPTIONS = ["5", "4", "3", "2", "1"]
# the default scoring rules (data on each question; the office may change them)
SATISFACTION_WEIGHTS = {"满意": "1", "基本满意": "0.8", "不满意": "0"}
RATING_WEIGHTS = {"5": "1", "4": "0.75", "3": "0.5", "2": "0.25", "1": "0"}


class Questionnaire(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("问卷名称", max_length=100)
    audience = models.CharField("对象", max_length=10, choices=Audience.choices)
    # the campaign's region path: offices of that region (and above) run the questionnaire
    region_path = models.CharField(max_length=200, editable=False)
    code = models.CharField(max_length=16, unique=True, editable=False)  # the open link /s/<code>/
    open_link = models.BooleanField("开放链接作答", default=True)
    device_limit = models.PositiveSmallIntegerField("每台设备限答次数", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class VersionState(models.TextChoices):
    DRAFT = "draft", "编辑中"
    OPEN = "open", "收集中"
    CLOSED = "closed", "已停止"


class Version(models.Model):
    """One version of a questionnaire's content. Only a draft is edited; once opened it is
    frozen (answers keep the version they were given on) and a change is a new version."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=VersionState.choices, default=VersionState.DRAFT)
    intro = models.TextField("说明", max_length=1000, blank=True)
    min_seconds = models.PositiveIntegerField("最短合理作答时间(秒)", default=30)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="survey_version_no"),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=Q(state="open"),
                name="survey_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} 第{self.number}版"


class Section(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField()
    title = models.CharField("部分标题", max_length=100)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "title"], name="survey_section_title")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Question(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    key = models.CharField("题号", max_length=10)
    text = models.CharField("题目", max_length=300)
    kind = models.CharField("题型", max_length=12, choices=Kind.choices)
    options = models.JSONField("选项", default=list, blank=True)
    weights = models.JSONField("计分规则", default=dict, blank=True)  # option → share, text
    required = models.BooleanField("必答", default=True)
    show_if_key = models.CharField("显示条件题号", max_length=10, blank=True)
    show_if_values = models.JSONField("显示条件选项", default=list, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="survey_q_key")]

    def __str__(self) -> str:
        return f"{self.key} {self.text}"


class Mapping(models.Model):
    """The satisfaction rate of chosen questions becomes an indicator item's measured value."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="mappings")
    code = models.CharField("指标编码", max_length=40)
    keys = models.JSONField("计入题号", default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="survey_map_code")]

    def __str__(self) -> str:
        return f"{self.code} ← {'、'.join(self.keys)}"


class Target(models.Model):
    """Who is surveyed: a unit (its staff or its public) or a region, with a quota."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField("样本量")
    accepted = models.PositiveIntegerField(default=0)  # answers taken, counted with the answer

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, region__isnull=True)
                | Q(unit__isnull=True, region__isnull=False),
                name="survey_target_unit_or_region",
            ),
            models.CheckConstraint(
                condition=Q(accepted__lte=models.F("quota")), name="survey_target_within_quota"
            ),
            models.UniqueConstraint(fields=["questionnaire", "unit"], name="survey_target_unit"),
            models.UniqueConstraint(
                fields=["questionnaire", "region"], name="survey_target_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.region.name if self.region else ""


class Token(models.Model):
    """A one-time code printed as a QR code; its use is recorded apart from the answer."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="tokens")
    code = models.CharField(max_length=16, unique=True)
    batch = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class TokenUse(models.Model):
    token = models.OneToOneField(Token, on_delete=models.CASCADE, related_name="use")
    used_on = models.DateField()  # the day only: the minute would let a use be matched

    def __str__(self) -> str:
        return f"{self.token_id} {self.used_on}"


class DeviceTally(models.Model):
    """How often a device (a random cookie, stored hashed) answered one questionnaire."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    device = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "device"], name="survey_device")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.count}"


class Flag(models.TextChoices):
    FAST = "fast", "作答过快"
    SAME = "same", "所有选项相同"
    BURST = "burst", "同一设备短时多次"


class Response(models.Model):
    """One anonymous answer sheet: no token, address or device id."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="responses")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="responses")
    via_token = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    seconds = models.PositiveIntegerField()
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    excluded = models.BooleanField(default=False)
    exclude_reason = models.CharField("剔除理由", max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excluded=False) | ~Q(exclude_reason=""),
                name="survey_exclusion_has_reason",
            )
        ]
        indexes = [models.Index(fields=["target", "excluded"])]

    def __str__(self) -> str:
        return f"答卷{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.CharField(max_length=100, blank=True)  # one row per chosen option
    number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.question_id} {self.option or self.text}"


class Figure(models.Model):
    """A satisfaction figure recorded into an application's evaluation (the source shown)."""

    mapping = models.ForeignKey(Mapping, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        "campaigns.Application", on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=40)
    rate = models.DecimalField(max_digits=7, decimal_places=4)  # percent
    valid = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    score_centi = models.IntegerField()
    lines = models.JSONField(default=list)  # the engine's explanation lines for the item
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.rate}%"
