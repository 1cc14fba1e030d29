"""Carry a unit's ledger to a new framework edition through a confirmed mapping (issue 21).

Every activity linked to an indicator of the old edition is linked to the indicators that
continue it in the new one (a split item to each of its parts, merged items to the one they
became); the old links stay, so the old edition's evidence is unchanged. An indicator's
explanation (指标说明) continues where one old indicator became one new one. What could not be
carried is reported with its reason. Running it again adds nothing twice.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from wenming.audit.services import audit_record
from wenming.core.mapping import CarryReport, MapKind, NotCarried, link_destinations
from wenming.frameworks.mappings import edition_mapping_follow
from wenming.frameworks.models import EditionMapping
from wenming.frameworks.selectors import framework_of
from wenming.ledger.models import ActivityIndicator, IndicatorExplanation
from wenming.ledger.services import LedgerRefused, _check_writer
from wenming.organizations.models import Unit

ONE_TO_ONE = (MapKind.SAME, MapKind.MOVED, MapKind.RENAMED)


@transaction.atomic
def ledger_carry(*, actor: User, unit: Unit, mapping: EditionMapping) -> CarryReport:
    """Link the unit's evidence to the new edition as ``mapping`` says; report what could not."""
    _check_writer(actor, unit)
    new = mapping.new
    if unit.unit_type.name not in new.unit_types:
        raise LedgerRefused(f"“{new.name}”不适用于本单位")
    follow = edition_mapping_follow(mapping)
    old_fw, new_fw = framework_of(mapping.old), framework_of(new)
    report = CarryReport()

    def name(code: str) -> str:
        node = old_fw.find(code)
        return node.name if node else ""

    links = ActivityIndicator.objects.filter(unit=unit, edition=mapping.old).select_related(
        "activity"
    )
    have = set(
        ActivityIndicator.objects.filter(unit=unit, edition=new).values_list("activity_id", "code")
    )
    added: list[ActivityIndicator] = []
    dropped: dict[str, int] = {}
    for link in links.order_by("code", "activity_id"):
        news, reason = link_destinations(link.code, follow)
        if not news:
            dropped[link.code] = dropped.get(link.code, 0) + 1
            continue
        for code in news:
            if (link.activity_id, code) in have:
                continue
            have.add((link.activity_id, code))
            added.append(
                ActivityIndicator(activity=link.activity, edition=new, code=code, unit=unit)
            )
    ActivityIndicator.objects.bulk_create(added)
    report.carried += len(added)
    for code, count in dropped.items():
        reason = link_destinations(code, follow)[1]
        report.skipped.append(NotCarried("佐证关联", code, name(code), f"{reason}({count}条记录)"))

    for explanation in IndicatorExplanation.objects.filter(unit=unit, edition=mapping.old):
        code = explanation.code
        kind, news = follow.get(code, (MapKind.DROPPED, ()))
        if kind not in ONE_TO_ONE or not news:
            reason = link_destinations(code, follow)[1] or (
                f"该指标在新版本中{kind.label}为{'、'.join(news)},说明请按新指标重新撰写"
            )
            report.skipped.append(NotCarried("指标说明", code, name(code), reason))
            continue
        if new_fw.find(news[0]) is None:
            continue
        _, created = IndicatorExplanation.objects.get_or_create(
            unit=unit,
            edition=new,
            code=news[0],
            defaults={"text": explanation.text, "updated_by": actor},
        )
        if created:
            report.carried += 1
        else:
            report.skipped.append(
                NotCarried("指标说明", code, name(code), f"新版本的{news[0]}已有说明,未覆盖")
            )
    audit_record(
        actor=actor,
        action="ledger.carry",
        obj=unit,
        old=str(mapping.old),
        new=f"{mapping.new}:沿用{report.carried}项,未沿用{len(report.skipped)}项",
    )
    return report
