"""Citizen reports (随手拍): categories and places per region, the reports themselves and the
external systems (a 12345 hotline) that file them through the Open311-shaped intake.

A report holds what only the office may see (the contact, the location read from a photo); the
citizen sees the report's status and the public reply, looked up by its reference number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.organizations.models import Region, Unit
from wenming.rectification.models import Problem, Severity


class ReportCategory(models.Model):
    """A kind of report the public may file in a region, and the unit that must fix it."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=200, editable=False)  # the region's, for the scope
    name = models.CharField("类别", max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    severity = models.CharField(
        "严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    active = models.BooleanField("启用", default=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "随手拍类别"
        ordering = ["region_path", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="report_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ReportPlace(models.Model):
    """A place of a region the public picks from (a street, a park, a market)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=200, editable=False)
    name = models.CharField("地点", max_length=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "随手拍地点"
        ordering = ["region_path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="report_place_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ExternalClient(models.Model):
    """Another system (a 12345 hotline) that files reports of one region through the Open311
    intake of the API (``/api/v1/open311/``). It calls with a service token of the API (an
    office makes it on the tokens page, with 问题整改 读写); ``account`` is the service account
    that token acts as, holding the office grant of the region. The record is made on the
    system's first call and keeps which reports are its own; a system administrator may stop
    its intake here (``active``) without revoking the token."""

    name = models.CharField("系统名称", max_length=60)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属地区"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "外部系统"

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", "随手拍页面"
    OPEN311 = "open311", "外部系统"


class CitizenReport(models.Model):
    """One report of the public; it became ``problem`` in the rectification lifecycle."""

    reference = models.CharField("受理编号", max_length=20, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=200, editable=False)
    category = models.ForeignKey(
        ReportCategory, on_delete=models.PROTECT, related_name="reports", verbose_name="类别"
    )
    place = models.ForeignKey(
        ReportPlace, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    place_text = models.CharField("地点", max_length=100, blank=True)  # typed, when not listed
    description = models.TextField("问题描述")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    client = models.ForeignKey(
        ExternalClient, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    # where it happened, read from a photo's EXIF or given by the external system: office only
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    photo_taken_at = models.CharField("拍摄时间", max_length=19, blank=True)
    problem = models.OneToOneField(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="citizen_report"
    )
    public_reply = models.TextField("公开答复", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "群众随手拍"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_path", "created_at"], name="report_region_idx"),
            models.Index(fields=["category", "created_at"], name="report_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=False) | ~Q(place_text=""), name="report_has_place"
            ),
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(channel="open311"),
                name="report_client_is_open311",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=models.F("id")),
                name="report_not_own_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def location_text(self) -> str:
        """“北纬 30.586806°,东经 114.283333°”, or "" when unknown (office only)."""
        if self.latitude is None or self.longitude is None:
            return ""
        lat = f"{'北纬' if self.latitude >= 0 else '南纬'} {abs(self.latitude)}°"
        lon = f"{'东经' if self.longitude >= 0 else '西经'} {abs(self.longitude)}°"
        return f"{lat},{lon}"

    @property
    def place_name(self) -> str:
        return self.place.name if self.place_id and self.place else self.place_text
