from __future__ import annotations

from django.conf import settings
from django.db import models


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
