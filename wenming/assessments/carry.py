"""Carry a unit's self-assessment entries to a new edition through a confirmed mapping.

Only when the office allowed it when confirming the mapping (``carry_entries``). The unit's
latest self-assessment of the old edition is the source; its entries go into the unit's draft of
the new edition (opened if there is none) through :func:`entry_save`, so every value is checked
by the new edition's own rules and every write audited. An item value continues only into one
item scored by the same rule; a value already entered in the new draft is never overwritten.
Veto, negative-list and component entries continue where the new edition has the same code
and name. Everything else is reported with its reason.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from wenming.assessments.models import Entry, EntryKind, SelfAssessment
from wenming.assessments.services import (
    AssessmentRefused,
    EntryConflict,
    entry_save,
    self_assessment_start,
)
from wenming.core.errors import ActionRefused
from wenming.core.framework import Framework
from wenming.core.mapping import CarryReport, NotCarried, entry_destination
from wenming.frameworks.mappings import edition_mapping_follow
from wenming.frameworks.models import EditionMapping
from wenming.frameworks.selectors import framework_of
from wenming.organizations.models import Unit


def _entry_name(fw: Framework, code: str) -> str:
    node = fw.find(code)
    if node is not None:
        return node.name
    for veto in fw.vetoes:
        if veto.code == code:
            return veto.name
    for negative in fw.negative_list:
        if negative.code == code:
            return negative.name
    return next((c.name for c in fw.components if c.code == code), "")


@transaction.atomic
def entries_carry(
    *, actor: User, unit: Unit, mapping: EditionMapping
) -> tuple[SelfAssessment | None, CarryReport]:
    """Copy the unit's entries into its new-edition draft; returns the draft and the report."""
    if not mapping.carry_entries:
        raise AssessmentRefused("测评办公室确认该版本对应关系时未允许沿用自评填报")
    report = CarryReport()
    source = (
        SelfAssessment.objects.filter(unit=unit, edition=mapping.old).order_by("-revision").first()
    )
    if source is None:
        return None, report
    draft = self_assessment_start(actor=actor, unit=unit, edition=mapping.new)
    follow = edition_mapping_follow(mapping)
    old_fw, new_fw = framework_of(mapping.old), framework_of(mapping.new)
    present = dict(Entry.objects.filter(assessment=draft).values_list("code", "version"))
    filled = set(
        Entry.objects.filter(assessment=draft).exclude(value="").values_list("code", flat=True)
    )
    for entry in source.entries.order_by("code"):
        if entry.kind != EntryKind.ITEM and not (entry.value or entry.event_date):
            continue
        if entry.kind == EntryKind.ITEM and not entry.value:
            continue
        name = _entry_name(old_fw, entry.code)
        if entry.kind == EntryKind.ITEM:
            target, reason = entry_destination(entry.code, follow, old_fw, new_fw)
        elif _entry_name(new_fw, entry.code) == name:
            target, reason = entry.code, ""
        else:
            target, reason = None, "新版本中没有同名的否决、负面清单事项或分项"
        if target is None:
            report.skipped.append(NotCarried("自评填报", entry.code, name, reason))
            continue
        if target in filled:
            reason = f"新版本自评中{target}已填写,未覆盖"
            report.skipped.append(NotCarried("自评填报", entry.code, name, reason))
            continue
        try:
            with transaction.atomic():
                entry_save(
                    actor=actor,
                    assessment_id=draft.pk,
                    code=target,
                    value=entry.value,
                    reason=entry.reason,
                    note=entry.note,
                    event_date=entry.event_date,
                    version=present.get(target, 0),
                )
        except EntryConflict:
            reason = f"新版本自评中{target}正由他人填写,未沿用"
            report.skipped.append(NotCarried("自评填报", entry.code, name, reason))
            continue
        except ActionRefused as exc:
            report.skipped.append(NotCarried("自评填报", entry.code, name, exc.message))
            continue
        filled.add(target)
        report.carried += 1
    return draft, report
