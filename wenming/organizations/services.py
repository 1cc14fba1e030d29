"""Writes to regions, unit types, units and departments. Each change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from wenming.audit.services import audit_record
from wenming.organizations.models import Department, Region, Unit, UnitType

Actor = User | AnonymousUser | None


@transaction.atomic
def region_upsert(
    *, code: str, name: str, level: int, parent: Region | None, actor: Actor = None
) -> tuple[Region, bool]:
    """Create a region or update it in place (matched by 行政区划代码). Returns (region, changed)."""
    region = Region.objects.select_for_update().filter(code=code).first()
    if region is None:
        region = Region.objects.create(code=code, name=name, level=level, parent=parent, path="")
        region.path = f"{parent.path if parent else '/'}{region.pk}/"
        region.save(update_fields=["path"])
        audit_record(actor=actor, action="region.create", obj=region, new=f"{code} {name}")
        return region, True
    changed = False
    for field, value in (("name", name), ("level", level)):
        old = getattr(region, field)
        if old != value:
            setattr(region, field, value)
            audit_record(
                actor=actor, action="region.update", obj=region, field=field, old=old, new=value
            )
            changed = True
    if parent is not None and parent.path.startswith(region.path):
        raise ValueError(f"地区“{region.name}”不能设为自身或其下级地区“{parent.name}”的下级")
    if region.parent_id != (parent.pk if parent else None):
        audit_record(
            actor=actor,
            action="region.update",
            obj=region,
            field="parent",
            old=region.parent,
            new=parent,
        )
        region.parent = parent
        _repath(region)
        changed = True
    if changed:
        region.save()
    return region, changed


def _repath(region: Region) -> None:
    old = region.path
    region.path = f"{region.parent.path if region.parent else '/'}{region.pk}/"
    for child in Region.objects.filter(path__startswith=old).exclude(pk=region.pk):
        child.path = region.path + child.path[len(old) :]
        child.save(update_fields=["path"])
    Region.objects.filter(pk=region.pk).update(path=region.path)
    moved = Unit.objects.filter(region_path__startswith=old)
    moved.update(region_path=Concat(Value(region.path), Substr("region_path", len(old) + 1)))


UNIT_FIELDS = (
    "name",
    "unit_type",
    "region",
    "supervisor",
    "address",
    "contact_name",
    "contact_phone",
    "headcount",
    "party_members",
    "stage",
    "enrolment_primary",
    "enrolment_junior",
    "enrolment_senior",
)


def unit_changes(unit: Unit | None, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field → (old, new) for what ``values`` would change; every field for a new unit."""
    if unit is None:
        return {f: (None, values[f]) for f in UNIT_FIELDS if f in values}
    changes = {}
    for field in UNIT_FIELDS:
        if field not in values:
            continue
        old = getattr(unit, field)
        if old != values[field]:
            changes[field] = (old, values[field])
    return changes


@transaction.atomic
def unit_upsert(
    *,
    credit_code: str,
    values: dict[str, Any],
    departments: list[str] | None = None,
    actor: Actor = None,
) -> tuple[Unit, str]:
    """Create or update a unit matched by its credit code; returns (unit, created|updated|unchanged)."""
    unit = Unit.objects.select_for_update().filter(credit_code=credit_code).first()
    changes = unit_changes(unit, values)
    if unit is None:
        unit = Unit.objects.create(credit_code=credit_code, **values)
        audit_record(actor=actor, action="unit.create", obj=unit, new=credit_code)
        outcome = "created"
    else:
        for field, (old, new) in changes.items():
            setattr(unit, field, new)
            audit_record(actor=actor, action="unit.update", obj=unit, field=field, old=old, new=new)
        if changes:
            unit.save()
        outcome = "updated" if changes else "unchanged"
    if departments is not None:
        existing = set(unit.departments.values_list("name", flat=True))
        wanted = list(dict.fromkeys(departments))
        added = [n for n in wanted if n not in existing]
        Department.objects.bulk_create([Department(unit=unit, name=n) for n in added])
        if added:
            audit_record(
                actor=actor,
                action="unit.departments",
                obj=unit,
                old="、".join(sorted(existing)),
                new="、".join(wanted),
            )
            outcome = "updated" if outcome == "unchanged" else outcome
    return unit, outcome


def unit_type_get_or_create(name: str, *, is_school: bool = False) -> UnitType:
    unit_type, _ = UnitType.objects.get_or_create(name=name, defaults={"is_school": is_school})
    return unit_type
