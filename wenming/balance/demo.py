"""Demo balanced-development data: this year's indicators of 江东区's schools, imported through
the sheet as the district office would, so the page shows both verdicts with their reasons —
the primary schools reach basic balance but not quality balance (one indicator's coefficient is
too high, one school falls short of a standard), the junior schools reach both. Idempotent
(skipped when the district has indicators on file)."""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.accounts.scope import path_prefix_q
from wenming.balance.importer import SHEET, BalanceImporter
from wenming.balance.models import SchoolIndicators
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.services import import_commit, import_preview
from wenming.organizations.models import Region, Unit

# Typical values of a well-equipped school per stage, as multiples of which the demo varies:
# the eight of basic balance, then quality balance's own three (per 100 pupils).
TYPICAL = {
    "小学": {
        "floor_area": 5.4,
        "sports_area": 9.0,
        "equipment_value": 2600,
        "computers": 14,
        "books": 32,
        "teacher_ratio": 6.1,
        "qualified_teachers": 5.2,
        "senior_teachers": 3.1,
        "key_teachers": 1.3,
        "pe_arts_teachers": 1.1,
        "multimedia_rooms": 2.9,
    },
    "初中": {
        "floor_area": 7.0,
        "sports_area": 12.5,
        "equipment_value": 3100,
        "computers": 18,
        "books": 42,
        "teacher_ratio": 8.3,
        "qualified_teachers": 6.4,
        "senior_teachers": 4.2,
        "key_teachers": 1.4,
        "pe_arts_teachers": 1.1,
        "multimedia_rooms": 3.0,
    },
}
STANDARD = {"小学": {"multimedia_rooms": 2.3, "pe_arts_teachers": 0.9}}
# the primary schools' key teachers: two schools hold most of them (CV above 0.50)
KEY_TEACHER_SPREAD = (4.2, 3.6, 0.85, 0.9, 0.85, 0.8, 0.9, 0.85, 0.8, 0.9, 0.85)


def _enrolment(unit: Unit, field: str) -> int:
    value = getattr(unit, field)
    return value if isinstance(value, int) else 0


def demo_rows(schools: list[Unit], rng: random.Random) -> list[list[object]]:
    """One sheet row per school and stage (credit code, name, stage, enrolment, values)."""
    codes = [c.field for c in BalanceImporter.sheets[SHEET][4:]]
    rows: list[list[object]] = []
    for stage, field in (("小学", "enrolment_primary"), ("初中", "enrolment_junior")):
        present = [u for u in schools if _enrolment(u, field) > 0]
        for n, unit in enumerate(present):
            values: dict[str, float] = {
                # money to the fen, areas and ratios to the 4 decimals the sheets use
                code: round(
                    TYPICAL[stage][code] * rng.uniform(0.97, 1.25),
                    2 if code == "equipment_value" else 4,
                )
                for code in codes
            }
            if stage == "小学":
                spread = KEY_TEACHER_SPREAD[n % len(KEY_TEACHER_SPREAD)]
                values["key_teachers"] = round(1.2 * spread + (0.3 if spread < 1 else 0), 4)
                if n == 2:  # below 85 % of the standard: fails
                    values["multimedia_rooms"] = round(STANDARD[stage]["multimedia_rooms"] * 0.8, 4)
                if n == 3:  # misses one standard, reaches 90 % of it: passes
                    values["pe_arts_teachers"] = round(STANDARD[stage]["pe_arts_teachers"] * 0.9, 4)
            rows.append(
                [unit.credit_code, unit.name, stage, _enrolment(unit, field)]
                + [values[c] for c in codes]
            )
    return rows


def demo_balance() -> bool:
    """Import the indicators unless the district has some; True when loaded."""
    east = Region.objects.filter(code="420102").first()
    office = User.objects.filter(username="district_office").first()
    if east is None or office is None:
        return False
    if SchoolIndicators.objects.filter(path_prefix_q("region_path", east.path)).exists():
        return False
    schools = list(
        Unit.objects.filter(path_prefix_q("region_path", east.path))
        .filter(unit_type__is_school=True)
        .order_by("name")
    )
    if not schools:
        return False
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet(SHEET)
    sheet.append([c.header for c in BalanceImporter.sheets[SHEET]])
    for row in demo_rows(schools, random.Random(2017)):
        sheet.append(row)
    year = str(timezone.localdate().year)
    batch, plan = import_preview(
        kind="balance",
        filename="均衡发展指标.xlsx",
        content=workbook_bytes(wb),
        user=office,
        context={"year": year},
    )
    if not plan.ok:
        raise ValueError("; ".join(str(e) for e in plan.errors))
    import_commit(batch_id=batch.pk, user=office)
    return True
