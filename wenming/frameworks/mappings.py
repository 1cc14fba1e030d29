"""Confirmed mappings between framework editions (版本对应关系): stored, read back, checked.

An office confirms a mapping (the proposal of :func:`wenming.core.mapping.propose_mapping`, as
it is or as edited in its workbook); units then carry their evidence links
(:mod:`wenming.ledger.carry`) and, when the office allows it, their self-assessment entries
(:mod:`wenming.assessments.carry`) through it. Offices confirm on the page
``/frameworks/mapping/`` (:mod:`wenming.web.mapping_views`) or with ``wenming framework map-confirm``.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.core.framework import Framework
from wenming.core.mapping import MapKind, MapRow, targets
from wenming.frameworks.models import EditionMapping, EditionMappingRow, FrameworkEdition
from wenming.frameworks.selectors import framework_of


class MappingRefused(ActionRefused):
    pass


def mapping_problems(rows: list[MapRow], old: Framework, new: Framework) -> list[str]:
    """Why ``rows`` are not a mapping of ``old`` onto ``new`` (every code once on its side)."""
    problems = []
    for side, codes, fw in (
        ("原版本", Counter(c for r in rows for c in r.old), old),
        ("新版本", Counter(c for r in rows for c in r.new), new),
    ):
        known = [node.code for node, _, _ in fw.walk()]
        missing = [c for c in known if c not in codes]
        twice = [c for c, n in codes.items() if n > 1]
        unknown = [c for c in codes if c not in set(known)]
        if missing:
            problems.append(f"{side}的指标{'、'.join(missing)}没有出现在对应关系中")
        if twice:
            problems.append(f"{side}的指标{'、'.join(twice)}出现了不止一次")
        if unknown:
            problems.append(f"{side}中没有指标{'、'.join(unknown)}")
    return problems


@transaction.atomic
def edition_mapping_confirm(
    *,
    actor: User | AnonymousUser,
    old: FrameworkEdition,
    new: FrameworkEdition,
    rows: list[MapRow],
    carry_entries: bool,
) -> EditionMapping:
    """Store (or replace) the confirmed mapping from ``old`` to ``new``; offices only."""
    scope = scope_for(actor)
    if not (scope.is_admin or scope.has(Role.OFFICE)):
        raise MappingRefused("只有测评办公室人员可以确认版本对应关系")
    if old.pk == new.pk:
        raise MappingRefused("原版本和新版本不能是同一个版本")
    problems = mapping_problems(rows, framework_of(old), framework_of(new))
    if problems:
        raise MappingRefused(";".join(problems))
    user = actor if isinstance(actor, User) else None
    mapping, created = EditionMapping.objects.select_for_update().get_or_create(
        old=old, new=new, defaults={"carry_entries": carry_entries, "confirmed_by": user}
    )
    before = "" if created else _summary(mapping, edition_mapping_rows(mapping))
    if not created:
        mapping.carry_entries = carry_entries
        mapping.confirmed_by = user
        mapping.save()
        mapping.rows.all().delete()
    EditionMappingRow.objects.bulk_create(
        EditionMappingRow(
            mapping=mapping,
            position=i,
            kind=row.kind.value,
            old_codes=list(row.old),
            new_codes=list(row.new),
            similarity=row.similarity,
            note=row.note[:500],
        )
        for i, row in enumerate(rows, start=1)
    )
    audit_record(
        actor=actor,
        action="framework.mapping",
        obj=mapping,
        old=before,
        new=_summary(mapping, rows),
    )
    return mapping


def edition_mapping_rows(mapping: EditionMapping) -> list[MapRow]:
    return [
        MapRow(MapKind(r.kind), tuple(r.old_codes), tuple(r.new_codes), r.similarity, r.note)
        for r in mapping.rows.order_by("position")
    ]


def edition_mapping_follow(
    mapping: EditionMapping,
) -> dict[str, tuple[MapKind, tuple[str, ...]]]:
    """For each old code, how it continues (see :func:`wenming.core.mapping.targets`)."""
    return targets(edition_mapping_rows(mapping))


def edition_mapping_get(*, old: FrameworkEdition, new: FrameworkEdition) -> EditionMapping:
    try:
        return EditionMapping.objects.select_related("old", "new").get(old=old, new=new)
    except EditionMapping.DoesNotExist:
        raise MappingRefused(f"“{old}”到“{new}”的版本对应关系尚未确认") from None


def _summary(mapping: EditionMapping, rows: list[MapRow]) -> str:
    tally = Counter(row.kind for row in rows)
    parts = [f"{kind.label}{tally[kind]}行" for kind in MapKind if tally[kind]]
    allowed = "允许沿用自评填报" if mapping.carry_entries else "不沿用自评填报"
    return f"{','.join(parts)};{allowed}"
