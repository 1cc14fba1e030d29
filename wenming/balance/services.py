"""Writes for balanced development: thresholds (data) edited by a system administrator."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction

from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.balance.models import BalanceThreshold
from wenming.core.errors import ActionRefused


class BalanceRefused(ActionRefused):
    """The change cannot be made; the message says why in Chinese."""


@transaction.atomic
def threshold_set(*, actor: User, stage: str, level: str, value: str) -> BalanceThreshold:
    if not scope_for(actor).is_admin:
        raise BalanceRefused("只有系统管理员可以修改差异系数标准")
    try:
        max_cv = Decimal(value.strip())
    except InvalidOperation:
        raise BalanceRefused(f"“{value}”不是有效的数字") from None
    if not Decimal("0") < max_cv < Decimal("10") or max_cv != max_cv.quantize(Decimal("0.001")):
        raise BalanceRefused("差异系数上限应为大于0的数,最多三位小数")
    threshold = (
        BalanceThreshold.objects.select_for_update().filter(stage=stage, level=level).first()
    )
    if threshold is None:
        raise BalanceRefused("没有这一项标准")
    old = threshold.max_cv
    if old != max_cv:
        threshold.max_cv = max_cv
        threshold.save(update_fields=["max_cv"])
        audit_record(
            actor=actor,
            action="balance.threshold",
            obj=threshold,
            field="max_cv",
            old=old,
            new=max_cv,
        )
    return threshold


@transaction.atomic
def thresholds_set(*, actor: User, values: dict[tuple[str, str], str]) -> None:
    """Several thresholds at once, all or none ((stage, level) → typed value)."""
    for (stage, level), value in values.items():
        threshold_set(actor=actor, stage=stage, level=level, value=value)
