"""Writes for balanced development: thresholds and standards (data) edited by a system
administrator, every change audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction

from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.balance.models import VALUE_PLACES, BalanceThreshold, QualityRule, QualityStandard
from wenming.core.balance import QUALITY_INDICATORS, QUALITY_LABELS
from wenming.core.errors import ActionRefused

NOT_ADMIN = "只有系统管理员可以修改差异系数标准"


class BalanceRefused(ActionRefused):
    """The change cannot be made; the message says why in Chinese."""


def _number(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise BalanceRefused(f"{what}“{value}”不是有效的数字") from None
    if not number.is_finite():
        raise BalanceRefused(f"{what}“{value}”不是有效的数字")
    return number


def _places(number: Decimal, places: int) -> bool:
    return number == number.quantize(Decimal(1).scaleb(-places))


def _max_cv(value: str, what: str) -> Decimal:
    max_cv = _number(value, what)
    if not Decimal("0") < max_cv < Decimal("10") or not _places(max_cv, 3):
        raise BalanceRefused(f"{what}应为大于0的数,最多三位小数")
    return max_cv


@transaction.atomic
def threshold_set(*, actor: User, stage: str, level: str, value: str) -> BalanceThreshold:
    if not scope_for(actor).is_admin:
        raise BalanceRefused(NOT_ADMIN)
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


@transaction.atomic
def quality_standard_set(
    *, actor: User, stage: str, indicator: str, minimum: str, max_cv: str
) -> QualityStandard:
    """One quality-balance indicator of a stage: the per-school standard and the CV limit."""
    if not scope_for(actor).is_admin:
        raise BalanceRefused(NOT_ADMIN)
    label = QUALITY_LABELS.get(indicator)
    standard = (
        QualityStandard.objects.select_for_update().filter(stage=stage, indicator=indicator).first()
    )
    if label is None or standard is None:
        raise BalanceRefused("没有这一项标准")
    what = f"{stage}“{label}”的"
    new_minimum = _number(minimum, f"{what}校际标准")
    if not Decimal("0") < new_minimum < Decimal("1e9") or not _places(new_minimum, VALUE_PLACES):
        raise BalanceRefused(f"{what}校际标准应为大于0的数,最多{VALUE_PLACES}位小数")
    new_cv = _max_cv(max_cv, f"{what}差异系数上限")
    for field, name, new in (
        ("minimum", "校际标准", new_minimum),
        ("max_cv", "差异系数上限", new_cv),
    ):
        old = getattr(standard, field)
        if old != new:
            setattr(standard, field, new)
            standard.save(update_fields=[field])
            audit_record(
                actor=actor,
                action="balance.standard",
                obj=standard,
                field=f"{stage}{label}.{name}",
                old=old,
                new=new,
            )
    return standard


@transaction.atomic
def quality_rule_set(*, actor: User, stage: str, min_met: str, floor_percent: str) -> QualityRule:
    """How many standards a school of the stage must meet, and how far it must reach the rest."""
    if not scope_for(actor).is_admin:
        raise BalanceRefused(NOT_ADMIN)
    rule = QualityRule.objects.select_for_update().filter(stage=stage).first()
    if rule is None:
        raise BalanceRefused("没有这一项标准")
    total = len(QUALITY_INDICATORS)
    met = _number(min_met, f"{stage}至少达标项数")
    if not 1 <= met <= total or met != met.to_integral_value():
        raise BalanceRefused(f"{stage}至少达标项数应为1到{total}之间的整数")
    floor = _number(floor_percent, f"{stage}未达标项应达到标准的百分比")
    if not Decimal("0") < floor <= Decimal("100") or not _places(floor, 2):
        raise BalanceRefused(f"{stage}未达标项应达到标准的百分比应大于0且不超过100,最多两位小数")
    changes: list[tuple[str, str, object, object]] = []
    if rule.min_met != int(met):
        changes.append(("min_met", "至少达标项数", rule.min_met, int(met)))
        rule.min_met = int(met)
    if rule.floor_percent != floor:
        changes.append(("floor_percent", "未达标项应达到标准的百分比", rule.floor_percent, floor))
        rule.floor_percent = floor
    if changes:
        rule.save(update_fields=[field for field, *_ in changes])
    for _field, name, old, new in changes:
        audit_record(
            actor=actor,
            action="balance.standard",
            obj=rule,
            field=f"{stage}.{name}",
            old=old,
            new=new,
        )
    return rule


@transaction.atomic
def standards_set(
    *,
    actor: User,
    thresholds: dict[tuple[str, str], str],
    standards: dict[tuple[str, str], tuple[str, str]],
    rules: dict[str, tuple[str, str]],
) -> None:
    """The whole thresholds page at once, all or none: basic balance's composite thresholds
    ((stage, level) → value), quality balance's standards ((stage, indicator) → (standard, CV
    limit)) and rules (stage → (standards to meet, % the missed ones must reach))."""
    if not scope_for(actor).is_admin:
        raise BalanceRefused(NOT_ADMIN)
    thresholds_set(actor=actor, values=thresholds)
    for (stage, indicator), (minimum, max_cv) in standards.items():
        quality_standard_set(
            actor=actor, stage=stage, indicator=indicator, minimum=minimum, max_cv=max_cv
        )
    for stage, (min_met, floor_percent) in rules.items():
        quality_rule_set(actor=actor, stage=stage, min_met=min_met, floor_percent=floor_percent)
