"""On-site evaluation (现场测评): experts, teams, assignments, scores and the signed sheet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.campaigns.models import Application, Campaign
from wenming.organizations.models import Region, Unit


class Rule(models.TextChoices):
    MEAN = "mean", "算术平均"
    MEDIAN = "median", "中位数"
    TRIMMED = "trimmed", "去掉最高最低分后平均"
    LEADER = "leader", "组长裁定"


class OnsiteSettings(models.Model):
    """A campaign's on-site rules; kept here so the campaigns app needs no change."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="onsite")
    rule = models.CharField("合议规则", max_length=10, choices=Rule.choices, default=Rule.MEAN)
    exclude_own_township = models.BooleanField("专家回避本乡镇(街道)", default=False)
    # an item is flagged when max − min exceeds this share (%) of the item's points
    spread_percent = models.PositiveSmallIntegerField("分差预警(占本项分值%)", default=30)
    # an expert is flagged when |z| of the mean deviation reaches this and the bias is material
    z_threshold = models.DecimalField("偏差z值预警", max_digits=4, decimal_places=2, default=3)
    bias_percent = models.PositiveSmallIntegerField("平均偏差预警(占分值%)", default=5)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.campaign} 现场测评规则"


class Expert(models.Model):
    """An expert's profile: the person (role 测评专家), specialties, home unit and region."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert"
    )
    name = models.CharField("姓名", max_length=50)
    specialties = models.CharField("专业特长", max_length=200, blank=True)
    home_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在单位",
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在地区"
    )

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField("组名", max_length=60)
    leader = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="+", verbose_name="组长"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """An expert in a team (the leader is a member too); one team per campaign and expert."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="memberships")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "expert"], name="one_team_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.expert}"


class Assignment(models.Model):
    """A team sent to one application's unit; one team per application."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assignments")
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="onsite_assignment"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["team", "unit"])]

    def __str__(self) -> str:
        return f"{self.team} → {self.unit}"


class Score(models.Model):
    """One expert's entry for one item of one unit, as typed, with the engine's points.

    ``client_id`` is made by the browser when the entry is first typed and re-sent with every
    later edit of that item: a re-sent entry updates the same row and never adds a second.
    """

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField()
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    value = models.CharField(max_length=60)
    score_centi = models.IntegerField()
    points_centi = models.IntegerField()  # the item's points, for deviations as a share
    reason = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    entered_at = models.DateTimeField()  # on the expert's phone
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expert", "client_id"], name="score_client_id_unique"),
            models.UniqueConstraint(
                fields=["application", "code", "expert"], name="score_one_per_item"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "application", "code"])]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"


class DeviationSum(models.Model):
    """One expert's deviation sums over one unit's items, derived from the scores.

    d = (score − the item's mean over the unit's experts) × 100 ÷ the item's points. An item's
    mean moves only with that unit's scores, so a unit's rows are rewritten whenever its sheet
    is refreshed (``reconciliation.sheets_refresh``) and an expert's deviation over the whole
    campaign is the sum of their rows: the office's page adds a few rows per expert instead of
    running a window over every score of the campaign.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField()
    total = models.FloatField()  # Σ d
    squares = models.FloatField()  # Σ d²

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="deviation_sum_one_per_expert"
            )
        ]
        indexes = [models.Index(fields=["campaign", "expert"])]

    def __str__(self) -> str:
        return f"偏差 {self.expert_id}@{self.application_id}"


class Decision(models.Model):
    """The leader's decision on one item (rule 组长裁定, or overriding a computed figure)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    value = models.CharField(max_length=60)
    reason = models.CharField("理由", max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="decision_one_per_item"),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"


class SheetState(models.TextChoices):
    OPEN = "open", "合议中"
    SIGNED = "signed", "已签署"


class Sheet(models.Model):
    """The reconciled sheet (合议表) of one application: final items, then the leader's lock."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="onsite_sheet"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=SheetState.choices, default=SheetState.OPEN)
    # code → [rule figure (centi), experts, lowest, highest, spread flagged] from the last run
    items = models.JSONField(default=dict)
    item_count = models.PositiveIntegerField(default=0)
    flagged_count = models.PositiveIntegerField(default=0)  # items over the spread threshold
    reconciled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"合议表 {self.application_id}"


class SheetSignature(models.Model):
    """One signature of the sheet: the exact content signed, and the reason for a re-signing."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64)
    reason = models.CharField("变更理由", max_length=500, blank=True)
    content = models.JSONField(default=dict)  # the results data signed, as recorded

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return self.digest[:12]


class Photo(models.Model):
    """A photo taken on site for a score; time and place kept when the camera wrote them."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="photos")
    attachment = models.ForeignKey(
        "attachments.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # made on the phone when the photo was taken, so a photo sent again is stored once
    client_id = models.CharField(max_length=36, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["score", "client_id"],
                condition=~models.Q(client_id=""),
                name="photo_once_per_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"照片 {self.attachment_id}"
