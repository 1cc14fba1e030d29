"""Problems to fix (整改问题), their steps, rectification plans, 督办 notices and the
per-month tallies the overview reads (kept up to date by every transition)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q

from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Region, Unit


class ProblemSource(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "自评扣分"
    EXPERT = "expert", "专家扣分"
    RECHECK = "recheck", "复查"
    NEGATIVE = "negative", "负面清单"
    COMPLAINT = "complaint", "投诉"
    PATROL = "patrol", "巡查"
    CITIZEN = "citizen", "群众随手拍"  # a report of the public page (wenming.citizen)


# the sources whose problem has a person to call back (回访) before it is closed: a complaint
# (also a 12345 hotline ticket, taken in through Open311) and a citizen's 随手拍 report
CALLED_BACK = frozenset({ProblemSource.COMPLAINT.value, ProblemSource.CITIZEN.value})
# the sources a person may pick when registering or importing a problem (群众随手拍 problems
# come from the public page only, each with its report)
HAND_SOURCES = [(v, label) for v, label in ProblemSource.choices if v != ProblemSource.CITIZEN]


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    SERIOUS = "serious", "较重"
    URGENT = "urgent", "紧急"


# the deadline rule: days from receipt by severity (a deadline given by hand wins)
DEADLINE_DAYS = {Severity.GENERAL: 30, Severity.SERIOUS: 15, Severity.URGENT: 7}


class ProblemState(models.TextChoices):
    FOUND = "found", "发现"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已分派"
    HANDLED = "handled", "已处理"
    VERIFIED = "verified", "已核查"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已结案"


# the lifecycle's order; only 退回 (handled → assigned) goes backwards
STATE_ORDER = {s: i for i, s in enumerate(ProblemState)}


class RectificationPlan(models.Model):
    """A group of problems with one deadline, e.g. a 基本达标 unit's 1–2 year plan."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rectification_plans")
    title = models.CharField("整改计划", max_length=200)
    deadline = models.DateField("整改期限")
    origin_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["origin_type", "origin_id"])]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}"


class Problem(models.Model):
    """One problem to fix, from wherever it was found, through one lifecycle."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="problems", verbose_name="责任单位"
    )
    # copies taken when the problem is received, so that scope filters and the tallies need
    # no join and keep counting the problem where it was received
    region_path = models.CharField(max_length=200, editable=False)
    body = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the unit's supervising body (主管部门)
    source = models.CharField("来源", max_length=20, choices=ProblemSource.choices)
    severity = models.CharField(
        "严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    state = models.CharField(
        "状态", max_length=12, choices=ProblemState.choices, default=ProblemState.FOUND
    )
    title = models.CharField("问题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    location = models.CharField("地点/点位", max_length=200, blank=True)
    complainant = models.CharField("投诉人及联系方式", max_length=100, blank=True)
    indicator_code = models.CharField("指标编码", max_length=40, blank=True)
    edition = models.ForeignKey(
        FrameworkEdition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    plan = models.ForeignKey(
        RectificationPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name="整改计划",
    )
    received_on = models.DateField("受理日期")  # the date found/received: the tally month
    deadline = models.DateField("整改期限")
    deadline_by_rule = models.BooleanField(default=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任人",
    )
    measures = models.TextField("整改措施", blank=True)
    fix = models.TextField("整改情况", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    callback_reached = models.BooleanField("回访是否联系上", null=True, blank=True)
    callback_satisfied = models.BooleanField("是否满意", null=True, blank=True)
    called_back_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)  # local date of 结案
    return_count = models.PositiveSmallIntegerField(default=0)
    # closed by 合并办理: the problem repeats this one (a duplicate citizen report)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # 督办: who chases it now (level 0 = the first supervisor of the chain)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    chaser_body = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chaser_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["region_path", "received_on"], name="problem_region_idx"),
            # the API's list: keyset (region path, id) under an office's path prefix
            models.Index(fields=["region_path", "id"], name="problem_keyset_idx"),
            models.Index(fields=["origin_type", "origin_id"], name="problem_origin_idx"),
            # open problems are few: the overdue counts and to-do lists read only these
            # (state is listed so that SQLite too reads the overdue counts from the index alone)
            models.Index(
                fields=["region_path", "deadline", "received_on", "unit", "state"],
                name="problem_open_idx",
                condition=~Q(state="closed"),
            ),
            # covering: the overview's overdue counts per region, body and unit are read from
            # this index alone (index-only scans on PostgreSQL), never from the table
            models.Index(
                fields=["deadline", "received_on", "region_path", "body", "unit", "state"],
                name="problem_open_cover_idx",
                condition=~Q(state="closed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("received_on")), name="problem_deadline_after_receipt"
            ),
            # a problem cannot be closed without verification (and a closing date)
            # (or merged into the problem it repeats: closed without a fix of its own)
            models.CheckConstraint(
                condition=~Q(state="closed")
                | Q(verified_by__isnull=False, closed_at__isnull=False, closed_on__isnull=False)
                | Q(merged_into__isnull=False, closed_at__isnull=False, closed_on__isnull=False),
                name="problem_closed_is_verified",
            ),
            # a complaint or a citizen's report is closed only after its call-back (回访)
            models.CheckConstraint(
                condition=~Q(state="closed", source__in=sorted(CALLED_BACK))
                | Q(callback_reached__isnull=False)
                | Q(merged_into__isnull=False),
                name="problem_complaint_called_back",
            ),
            # the person who handled a problem does not verify it
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True)
                | Q(handled_by__isnull=True)
                | ~Q(verified_by=F("handled_by")),
                name="problem_verifier_not_handler",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != ProblemState.CLOSED


class StepAction(models.TextChoices):
    CREATE = "create", "发现登记"
    ACCEPT = "accept", "受理"
    ASSIGN = "assign", "分派"
    HANDLE = "handle", "处理"
    VERIFY = "verify", "核查通过"
    RETURN = "return", "退回"
    CALL_BACK = "call_back", "回访"
    CLOSE = "close", "结案"
    ESCALATE = "escalate", "逾期升级督办"
    UPDATE = "update", "修改"
    MERGE = "merge", "合并办理"


class ProblemStep(models.Model):
    """One step of a problem's life: who, when, from → to, comment; files attach to it."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=12, choices=StepAction.choices)
    from_state = models.CharField(max_length=12, choices=ProblemState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ProblemState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.problem_id}"


class SupervisionNotice(models.Model):
    """A formal 督办 notice from an office or supervising body to a unit, with a reply deadline."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervision_notices")
    problems = models.ManyToManyField(Problem, related_name="notices")
    title = models.CharField("督办事项", max_length=200)
    body = models.TextField("督办要求", blank=True)
    reply_due = models.DateField("回复期限")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField("回复内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["unit", "replied_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="notice_reply_has_text"
            )
        ]

    def __str__(self) -> str:
        return self.title


class TallyKind(models.TextChoices):
    UNIT = "unit", "单位"
    REGION = "region", "地区(含下级)"
    BODY = "body", "主管部门"


class TallySpan(models.TextChoices):
    MONTH = "m", "月"
    QUARTER = "q", "季度"
    YEAR = "y", "年"


# the counters of a Tally row, in the order the services add to them and the measures read them
TALLY_FIELDS = (
    "received",
    "closed",
    "closed_on_time",
    "days_total",
    "complaints_closed",
    "callbacks_reached",
    "callbacks_satisfied",
    "returned",
)


class Tally(models.Model):
    """Counts of the problems received in one month, quarter or year by one unit, region (with
    everything below it) or supervising body. Updated in the same transaction as each change:
    every problem counts in its month's, its quarter's and its year's row, so that a period of
    many months is read from a few rows (see ``selectors.pieces``).

    ``days`` is how many of the closed problems took 0, 1, 2 … whole days to close (a dense
    histogram, one little-endian uint32 per day): the exact 90th percentile of any period comes
    from summing the histograms of its few rows."""

    kind = models.CharField(max_length=6, choices=TallyKind.choices)
    key = models.BigIntegerField()  # unit, region or body id
    span = models.CharField(max_length=1, choices=TallySpan.choices, default=TallySpan.MONTH)
    start = models.DateField()  # first day of the month, quarter or year of receipt
    received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    days_total = models.BigIntegerField(default=0)  # sum of whole days from receipt to 结案
    complaints_closed = models.IntegerField(default=0)
    callbacks_reached = models.IntegerField(default=0)
    callbacks_satisfied = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)  # 退回 steps
    days = models.BinaryField(db_default=b"")

    class Meta:
        constraints = [
            # (no CHECK closed <= received: SQLite checks an upsert's proposed row, whose
            # figures are increments; tests compare the tallies with a rebuild instead)
            models.UniqueConstraint(fields=["kind", "key", "span", "start"], name="tally_unique"),
        ]
        # every unit's rows of a period at once (the bulletin of a whole city)
        indexes = [models.Index(fields=["kind", "span", "start"], name="tally_period_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.span}{self.start:%Y-%m}"
