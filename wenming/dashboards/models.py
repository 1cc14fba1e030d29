"""What the dashboards read: per-application facts and the tallies summed from them.

An office's dashboard never scans the score rows. Every change to an application (a state
transition, an evaluation recorded) calls ``dashboard_application_sync`` in the same
transaction: it takes the application's previous contribution (its ``Entry``) off the tallies
and adds the new one. ``wenming manage dashboards_rebuild`` recomputes everything from the
applications and their evaluations (after a bulk load, or to repair).

A tally is kept for every region above the unit ("with everything below", like the
rectification tallies) and for the unit's supervising body, so a dashboard for any region or
body reads a few hundred rows whatever the number of units.
"""

from __future__ import annotations

from django.db import models

from wenming.campaigns.models import Application, Campaign


class TallyKind(models.TextChoices):
    REGION = "region", "地区(含下级)"
    BODY = "body", "主管部门"


class Entry(models.Model):
    """What one application contributes to the tallies right now (so a change can take the
    previous contribution off exactly, even after the unit moved)."""

    application = models.OneToOneField(
        Application, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit_id = models.BigIntegerField()
    unit_type_id = models.BigIntegerField()
    region_path = models.CharField(max_length=200)
    supervisor_id = models.BigIntegerField(null=True)
    state = models.CharField(max_length=12)
    grade = models.CharField(max_length=40, blank=True)
    result_centi = models.IntegerField(null=True)
    # points lost per leaf indicator in the latest evaluation, hundredths: {"A1.1": 200}
    lost = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "-result_centi"], name="dash_entry_rank_idx"),
            models.Index(fields=["campaign", "region_path"], name="dash_entry_region_idx"),
            models.Index(fields=["campaign", "supervisor_id"], name="dash_entry_body_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.state} {self.grade}"


class StateCount(models.Model):
    """Applications of a campaign per region (with everything below) or supervising body,
    unit type, state and grade."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=TallyKind.choices)
    key = models.BigIntegerField()  # region or body id
    unit_type_id = models.BigIntegerField()
    state = models.CharField(max_length=12)
    grade = models.CharField(max_length=40, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "key", "unit_type_id", "state", "grade"],
                name="dash_statecount_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.state} {self.grade} ×{self.count}"


class LossSum(models.Model):
    """Points lost on one leaf indicator, summed over the evaluated applications of a campaign
    per region (with everything below) or supervising body and unit type (hundredths)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=TallyKind.choices)
    key = models.BigIntegerField()
    unit_type_id = models.BigIntegerField()
    code = models.CharField(max_length=40)
    lost_centi = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "key", "unit_type_id", "code"],
                name="dash_losssum_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.code} -{self.lost_centi}"
