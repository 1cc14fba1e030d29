"""A recorded draw (现场抽签记录): immutable once made; a redraw is a new record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from wenming.campaigns.models import Campaign
from wenming.core.draw import DrawRecord, algorithm_label


class DrawImmutable(Exception):
    """A recorded draw is never changed; redraw instead."""


class Draw(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveIntegerField("第几次抽签")  # 1 for the first, 2 for a redraw …
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    algorithm = models.CharField("算法版本", max_length=40)
    seed = models.CharField("随机种子", max_length=64)
    candidates = models.JSONField("候选名单")
    rules = models.JSONField("抽取规则")
    result = models.JSONField("抽取结果")
    digest = models.CharField("SHA-256 摘要", max_length=64)
    reason = models.TextField("重抽原因", blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name="取代的抽签",
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            # one chain per campaign: a single first draw, each draw replaced at most once
            models.UniqueConstraint(fields=["campaign", "number"], name="draw_number_unique"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(replaces__isnull=True),
                name="draw_one_first_per_campaign",
            ),
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True, number=1)
                | models.Q(replaces__isnull=False, number__gt=1),
                name="draw_redraw_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.name} 第{self.number}次抽签"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DrawImmutable("抽签记录不可修改,如需变更请重新抽签并说明原因")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DrawImmutable("抽签记录不可删除")

    @property
    def algorithm_label(self) -> str:
        return algorithm_label(self.algorithm)

    @property
    def record(self) -> DrawRecord:
        return DrawRecord(
            algorithm=self.algorithm,
            seed=self.seed,
            candidates=list(self.candidates),
            rules=dict(self.rules),
            result=list(self.result),
            digest=self.digest,
        )
