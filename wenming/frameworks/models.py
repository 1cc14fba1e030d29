from __future__ import annotations

from django.conf import settings
from django.db import models

from wenming.core.mapping import MapKind


class FrameworkEdition(models.Model):
    """One stored edition of an indicator framework, kept as its canonical YAML text.

    Immutable once ``used_at`` is set (something was scored with it): a changed framework
    must come in as a new edition. :mod:`wenming.frameworks.services` enforces this.
    """

    code = models.CharField("标识", max_length=80)
    edition = models.CharField("版本", max_length=40)
    name = models.CharField("名称", max_length=200)
    campaign_type = models.CharField("创建类型", max_length=80)
    unit_types = models.JSONField("适用单位类型", default=list)
    notice = models.CharField("标注", max_length=80, blank=True)
    total = models.DecimalField("总分", max_digits=10, decimal_places=2)
    leaf_count = models.PositiveIntegerField("测评内容条数")
    source = models.TextField("框架内容(YAML)")
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField("首次用于评分", null=True, blank=True)

    class Meta:
        ordering = ["code", "-edition"]
        constraints = [
            models.UniqueConstraint(fields=["code", "edition"], name="framework_edition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.edition})"

    @property
    def key(self) -> str:
        return f"{self.code}@{self.edition}"

    @property
    def is_locked(self) -> bool:
        return self.used_at is not None


class EditionMapping(models.Model):
    """An office's confirmed mapping from one edition to its successor (版本对应关系).

    Its rows say, for every indicator of both editions, how it continues (wenming.core.mapping);
    units carry their evidence links, and with ``carry_entries`` their self-assessment entries,
    through it.
    """

    old = models.ForeignKey(
        FrameworkEdition, on_delete=models.PROTECT, related_name="+", verbose_name="原版本"
    )
    new = models.ForeignKey(
        FrameworkEdition, on_delete=models.PROTECT, related_name="+", verbose_name="新版本"
    )
    carry_entries = models.BooleanField("允许沿用自评填报", default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="edition_mapping_unique"),
            models.CheckConstraint(
                condition=~models.Q(old=models.F("new")), name="edition_mapping_two_editions"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class EditionMappingRow(models.Model):
    """One row: old codes → new codes and how (same, moved, renamed, split, merged, new, dropped)."""

    mapping = models.ForeignKey(EditionMapping, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    kind = models.CharField(
        "对应方式", max_length=10, choices=[(k.value, k.label) for k in MapKind]
    )
    old_codes = models.JSONField("原编码", default=list)
    new_codes = models.JSONField("新编码", default=list)
    similarity = models.PositiveSmallIntegerField("名称相似度(%)", default=0)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["mapping", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["mapping", "position"], name="edition_mapping_row_position"
            )
        ]

    def __str__(self) -> str:
        return f"{'、'.join(self.old_codes)} → {'、'.join(self.new_codes)}"
