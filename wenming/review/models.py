"""The material review's records: texts fingerprinted (the reference library and units'
reports), their fingerprints (an inverted index: hash → text), checks and verdicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.attachments.models import Attachment
from wenming.campaigns.models import Application, Campaign
from wenming.ledger.models import Activity
from wenming.organizations.models import Unit


class TextKind(models.TextChoices):
    LIBRARY = "library", "参考范文"
    REPORT = "report", "自查报告"
    UPLOAD = "upload", "上传的材料"  # a report file of the application, or of the ledger
    EXPLANATION = "explanation", "指标说明"  # the unit's 说明 texts, one paragraph an indicator


class ReviewedText(models.Model):
    """A text compared: a template of the reference library, or a text of a unit's application
    (its own report, an uploaded report file, its indicators' 说明 texts).

    ``prints`` holds the kept hashes and their positions packed (``wenming.review.store``); the
    inverted index ``Fingerprint`` holds only (hash, text)."""

    kind = models.CharField(max_length=12, choices=TextKind.choices)
    name = models.CharField("名称", max_length=200)
    text = models.TextField()
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region_path = models.CharField(max_length=200, default="")  # the unit's; "" for the library
    chars = models.PositiveIntegerField(default=0)
    # the file the text was read from (an application's upload or a ledger record's file)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    prints = models.BinaryField(default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="library", unit__isnull=True)
                | (~models.Q(kind="library") & models.Q(unit__isnull=False)),
                name="reviewed_text_unit_iff_report",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(kind="report"),
                name="reviewed_text_one_per_application",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(kind="explanation"),
                name="reviewed_text_one_explanation_per_application",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Fingerprint(models.Model):
    """The inverted index of the stored texts: one row per kept hash (folded to 32 bits) and text
    holding it. The positions are in the text's packed ``prints``, so a row is two 4-byte
    columns and the one index is the primary key (hash, text) — lookups read only the index.
    No foreign key (a key would need a second index to delete a text's rows, and a check of
    every row on each delete): ``wenming.review.store`` deletes a text's rows by its hashes."""

    pk = models.CompositePrimaryKey("hash", "text_id")
    hash = models.IntegerField()
    text_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.hash}→{self.text_id}"


class Check(models.Model):
    """The latest check of an application's texts: figures summed over them, and the marks of
    each text as JSON (``result["texts"]``: spans with the source text's id and offsets,
    paragraphs, placeholders, sections off their indicator's area) and the photos'."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=200, default="")
    # the own report (None when only uploaded files or 说明 texts were checked); every checked
    # text is in ``result["texts"]``
    text = models.ForeignKey(
        ReviewedText, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chars = models.PositiveIntegerField()
    copied_chars = models.PositiveIntegerField()
    rate_permille = models.PositiveSmallIntegerField()
    placeholders = models.PositiveIntegerField()
    result = models.JSONField(default=dict)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_permille__lte=1000)
                & models.Q(copied_chars__lte=models.F("chars")),
                name="review_check_rate_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.rate_permille}‰"

    @property
    def rate(self) -> float:
        return self.rate_permille / 1000


class Decision(models.TextChoices):
    PASS = "pass", "通过"
    RETURN = "return", "退回修改"


class Verdict(models.Model):
    """A reviewer's verdict on a check (audited; 退回 returns the application to the unit)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=200, default="")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.CharField("理由", max_length=1000, blank=True)
    rate_permille = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="return") | ~models.Q(reason=""),
                name="review_verdict_return_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.get_decision_display()


class PhotoHash(models.Model):
    """The perceptual hash of a ledger photo (``wenming.core.photomatch``), with the activity's
    unit and day, and the date the camera wrote (EXIF), if any."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=200, default="")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hash = models.BigIntegerField()
    taken = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.attachment_id}: {self.hash}"
