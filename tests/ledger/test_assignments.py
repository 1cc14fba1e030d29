"""Task decomposition: import and export the offices' sheet, overdue tasks flagged."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from wenming.accounts.models import Role, RoleGrant
from wenming.accounts.scope import scope_for
from wenming.imports.services import ImportRefused, import_commit, import_preview
from wenming.ledger.assignments import AssignmentImporter
from wenming.ledger.models import IndicatorAssignment
from wenming.organizations.models import Department

HEADERS = [c.header for c in AssignmentImporter.sheets["任务分解"]]


@pytest.fixture
def setup(world, civic):
    Department.objects.create(unit=world.other, name="办公室")
    Department.objects.create(unit=world.other, name="医务科")
    admin = world.people.other_filler
    RoleGrant.objects.create(user=admin, role=Role.UNIT_ADMIN, unit=world.other)
    admin.first_name = "张三"
    admin.save()
    return {"unit": str(world.other.pk), "edition": str(civic.pk)}


def sheet(rows):
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "任务分解"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_assigns_indicators_and_names_bad_cells(world, civic, setup):
    past = date.today() - timedelta(days=3)
    good = sheet(
        [
            [1, "A1.2", "理论学习中心组学习", 3, "办公室", "张三", past, None],
            [2, "C1.2", None, None, "医务科", "李四", "2026-12-31", "每季度一次"],
        ]
    )
    batch, plan = import_preview(
        kind="assignments",
        filename="分解表.xlsx",
        content=good,
        user=world.people.other_filler,
        context=setup,
    )
    assert plan.ok and plan.counts()["新增"] == 2
    import_commit(batch_id=batch.pk, user=world.people.other_filler)
    a12 = IndicatorAssignment.objects.get(code="A1.2")
    assert a12.department is not None
    assert (
        a12.department.name == "办公室"
        and a12.user == world.people.other_filler
        and a12.deadline == past
    )
    bad = sheet(
        [
            [1, "Z9", None, None, None, None, None, None],
            [2, "A1.1", None, None, "后勤科", None, "下周", None],
        ]
    )
    _, plan = import_preview(
        kind="assignments",
        filename="分解表.xlsx",
        content=bad,
        user=world.people.other_filler,
        context=setup,
    )
    errors = [str(e) for e in plan.errors]
    assert any(e.startswith("工作表“任务分解”第2行B列(指标编码):指标编码“Z9”不在") for e in errors)
    assert any(
        e.startswith("工作表“任务分解”第3行E列(责任科室):科室“后勤科”不存在") for e in errors
    )


def test_only_the_unit_administrator_decomposes(world, civic, setup):
    with pytest.raises(ImportRefused, match="请从本单位的任务分解页面进入"):
        import_preview(
            kind="assignments",
            filename="x.xlsx",
            content=sheet([]),
            user=world.people.filler,
            context=setup,
        )
    with pytest.raises(ImportRefused):
        import_preview(
            kind="assignments",
            filename="x.xlsx",
            content=sheet([]),
            user=world.people.east_office,
            context=setup,
        )


def test_export_uses_the_offices_layout(world, civic, setup):
    importer = AssignmentImporter(context=setup, user=world.people.other_filler)
    importer.check_context()
    wb = load_workbook(io.BytesIO(importer.export(scope=scope_for(world.people.other_filler))))
    rows = list(wb["任务分解"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and rows[1][:3] == (1, "A1.1", "班子团结和民主集中制")
    assert len(rows) - 1 == 43


def test_overdue_tasks_are_flagged_to_the_person_and_the_unit_administrator(
    client, world, civic, setup
):
    person = world.people.expert  # any account named as responsible
    IndicatorAssignment.objects.create(
        unit=world.other,
        edition=civic,
        code="A1.2",
        person="孙",
        user=person,
        deadline=date.today() - timedelta(days=1),
    )
    IndicatorAssignment.objects.create(
        unit=world.other,
        edition=civic,
        code="A1.3",
        person="孙",
        user=person,
        deadline=date.today() + timedelta(days=9),
    )
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "1 项已逾期" in html and "完成指标任务 区级文明单位测评体系 A1.2" in html
    assert "A1.3" not in html  # due in 9 days: not yet a to-do
    assert "逾期" in client.get(reverse("ledger:my_tasks")).content.decode()
    client.force_login(world.people.other_filler)  # the unit administrator
    html = client.get(reverse("home")).content.decode()
    assert "1 项已逾期" in html and "督促 孙 完成 A1.2" in html
    page = client.get(
        reverse("ledger:assignments") + f"?unit={world.other.pk}&edition={civic.pk}"
    ).content.decode()
    assert 'id="overdue-warning"' in page


def test_marking_done_is_for_the_person_or_the_unit_administrator(client, world, civic, setup):
    task = IndicatorAssignment.objects.create(
        unit=world.other,
        edition=civic,
        code="A1.2",
        person="孙",
        user=world.people.expert,
        deadline=date.today(),
    )
    client.force_login(world.people.east_office)
    assert (
        client.post(reverse("ledger:assignment_done", args=[task.pk])).status_code == 404
    )  # another district
    client.force_login(world.people.city_office)
    assert client.post(reverse("ledger:assignment_done", args=[task.pk])).status_code == 403
    client.force_login(world.people.other_filler)
    client.post(reverse("ledger:assignment_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None
