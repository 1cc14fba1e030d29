"""Balanced development: the import, the coefficients per stage, thresholds, the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.factories import UnitFactory
from wenming.balance.importer import SHEET, BalanceImporter
from wenming.balance.models import BalanceThreshold, SchoolIndicators
from wenming.balance.selectors import stage_balance
from wenming.balance.services import BalanceRefused, threshold_set
from wenming.imports.services import ImportRefused, import_commit, import_preview

HEADERS = [c.header for c in BalanceImporter.sheets[SHEET]]


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.create_sheet(SHEET)
    wb.remove(wb.worksheets[0])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(unit, n, x, stage="小学"):
    return [unit.credit_code, unit.name, stage, n] + [x] * 8


@pytest.fixture
def schools(world):
    s3 = UnitFactory.create(name="江东区第三小学", unit_type=world.types.school, region=world.east)
    return world.s1, world.s2, s3


def test_hand_worked_example_through_the_import(world, schools):
    s1, s2, s3 = schools
    content = sheet([row(s1, 400, 2.0), row(s2, 600, 3.0), row(s3, 1000, 4.0)])
    batch, plan = import_preview(
        kind="balance",
        filename="b.xlsx",
        content=content,
        user=world.people.east_office,
        context={"year": "2026"},
    )
    assert plan.ok, plan.errors
    assert plan.counts()["新增"] == 3
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    result = stage_balance(region=world.east, year=2026, stage="小学")
    mean, composite = result.result.indicators[0].mean, result.result.composite
    assert mean is not None and composite is not None
    assert round(mean, 4) == 3.3
    assert round(composite, 4) == 0.2367
    without = {r.unit.name: round(composite - e, 4) for r, e in result.ranked() if e}
    assert without == {"江东区第一小学": 0.1336, "江东区实验中学": 0.2635, "江东区第三小学": 0.1884}
    # ranked by how much each school raises the coefficient
    assert next(r.unit.name for r, _ in result.ranked()) == "江东区第一小学"
    assert [v.passed for v in result.verdicts] == [True]  # basic balance only
    assert result.quality.passed is None  # no quality indicators in this sheet


def test_import_names_row_and_column_and_imports_nothing(world, schools):
    s1, s2, _ = schools
    bad = row(s2, 600, 3.0)
    bad[2] = "高中"
    content = sheet([row(s1, 400, 2.0), bad, row(world.other, 10, 1.0)])
    _, plan = import_preview(
        kind="balance",
        filename="b.xlsx",
        content=content,
        user=world.people.east_office,
        context={"year": "2026"},
    )
    messages = [str(e) for e in plan.errors]
    assert "工作表“均衡发展指标”第3行C列(学段):学段“高中”应为“小学”或“初中”" in messages
    assert any("第4行A列" in m and "不是本地区已登记的学校" in m for m in messages)
    assert not SchoolIndicators.objects.exists()


def test_schools_matched_by_name_when_code_is_empty(world, schools):
    s1, _, _ = schools
    line = row(s1, 400, 2.0)
    line[0] = None
    _, plan = import_preview(
        kind="balance",
        filename="b.xlsx",
        content=sheet([line]),
        user=world.people.east_office,
        context={"year": "2026"},
    )
    assert plan.ok and plan.changes[0].data["unit"] == s1


def test_only_offices_import(world):
    with pytest.raises(ImportRefused):
        import_preview(
            kind="balance",
            filename="b.xlsx",
            content=sheet([]),
            user=world.people.filler,
            context={"year": "2026"},
        )


def test_primary_and_junior_are_computed_separately(world, schools):
    s1, s2, s3 = schools
    for unit, stage, n, x in ((s1, "小学", 400, 2), (s3, "小学", 400, 2), (s2, "初中", 500, 9)):
        SchoolIndicators.objects.create(
            unit=unit, year=2026, stage=stage, enrolment=n, **{c: x for c in CODES}
        )
    assert stage_balance(region=world.east, year=2026, stage="小学").result.composite == 0
    junior = stage_balance(region=world.east, year=2026, stage="初中")
    assert junior.result.schools == 1


CODES = [
    "floor_area",
    "sports_area",
    "equipment_value",
    "computers",
    "books",
    "teacher_ratio",
    "qualified_teachers",
    "senior_teachers",
]


def test_thresholds_are_data_edited_by_the_administrator(world):
    assert BalanceThreshold.objects.get(stage="小学", level="basic").max_cv == Decimal("0.65")
    with pytest.raises(BalanceRefused):
        threshold_set(actor=world.people.east_office, stage="小学", level="basic", value="0.7")
    with pytest.raises(BalanceRefused, match="有效的数字"):
        threshold_set(actor=world.people.admin, stage="小学", level="basic", value="abc")
    threshold_set(actor=world.people.admin, stage="小学", level="basic", value="0.600")
    assert BalanceThreshold.objects.get(stage="小学", level="basic").max_cv == Decimal("0.6")


def test_page_and_export_show_only_the_office_region(client, world, schools):
    s1, _s2, s3 = schools
    far = UnitFactory.create(name="江西区某校", unit_type=world.types.school, region=world.west)
    for unit, n, x in ((s1, 400, 2.0), (s3, 600, 3.0), (far, 1000, 4.0)):
        SchoolIndicators.objects.create(
            unit=unit, year=2026, stage="小学", enrolment=n, **{c: x for c in CODES}
        )
    client.force_login(world.people.east_office)
    html = client.get(reverse("balance:index") + "?year=2026").content.decode()
    assert "江东区第三小学" in html and "江西区某校" not in html
    response = client.get(reverse("balance:export") + "?year=2026")
    wb = load_workbook(io.BytesIO(response.content))
    names = {r[0] for r in wb["小学"].iter_rows(values_only=True)}
    assert "江东区第三小学" in names and "江西区某校" not in names
    assert client.get(reverse("balance:index") + f"?region={world.west.pk}").status_code == 404
