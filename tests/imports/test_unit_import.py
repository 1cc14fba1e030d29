"""Importing regions and units from Excel: preview, all-or-nothing, update by credit code."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from wenming.audit.models import AuditEvent
from wenming.core.credit_code import make_credit_code
from wenming.imports.models import ImportBatch
from wenming.imports.services import ImportRefused, import_commit, import_preview
from wenming.organizations.importer import UnitSheetImporter
from wenming.organizations.models import Region, Unit

HEADERS = [c.header for c in UnitSheetImporter.sheets["单位"]]
REGION_HEADERS = [c.header for c in UnitSheetImporter.sheets["地区"]]
NEW_A, NEW_B = make_credit_code(serial=9001), make_credit_code(serial=9002)


def sheet(units, regions=()):
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "地区"
    ws.append(REGION_HEADERS)
    for r in regions:
        ws.append(list(r))
    us = wb.create_sheet("单位")
    us.append(HEADERS)
    for u in units:
        row = dict(zip(HEADERS, [None] * len(HEADERS), strict=True))
        row.update(u)
        us.append([row[h] for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good_rows(world):
    return [
        {
            "统一社会信用代码": NEW_A,
            "单位名称": "江东区第二小学",
            "单位类型": "学校",
            "所属地区代码": "420102101",
            "主管部门信用代码": world.bureau.credit_code,
            "学段": "小学",
            "小学在校生": 600,
            "科室": "教务处、总务处",
        },
        {
            "统一社会信用代码": NEW_B,
            "单位名称": "江东区文化馆",
            "单位类型": "机关",
            "所属地区代码": "420102",
            "职工人数": 35,
            "党员人数": 12,
        },
    ]


NEW_TOWN = [("420102101", "东湖街道", "乡镇街道", "420102")]


def test_preview_writes_nothing_and_commit_applies_everything(world):
    user = world.people.east_office
    batch, plan = import_preview(
        kind="units", filename="u.xlsx", content=sheet(good_rows(world), NEW_TOWN), user=user
    )
    assert plan.ok and plan.counts() == {"新增": 3, "更新": 0, "无变化": 0}
    assert not Unit.objects.filter(credit_code__in=[NEW_A, NEW_B]).exists()
    assert not Region.objects.filter(code="420102101").exists()
    import_commit(batch_id=batch.pk, user=user)
    school = Unit.objects.get(credit_code=NEW_A)
    assert school.region.name == "东湖街道" and school.region.path.startswith(world.east.path)
    assert school.supervisor == world.bureau and school.enrolment_primary == 600
    assert list(school.departments.values_list("name", flat=True)) == ["教务处", "总务处"]
    assert AuditEvent.objects.filter(action="unit.create").count() == 2


def test_reimport_updates_by_credit_code_instead_of_duplicating(world):
    user = world.people.east_office
    batch, _ = import_preview(
        kind="units", filename="u.xlsx", content=sheet(good_rows(world), NEW_TOWN), user=user
    )
    import_commit(batch_id=batch.pk, user=user)
    rows = good_rows(world)
    rows[1]["职工人数"] = 40
    batch, plan = import_preview(
        kind="units", filename="u2.xlsx", content=sheet(rows, NEW_TOWN), user=user
    )
    assert plan.counts() == {"新增": 0, "更新": 1, "无变化": 2}
    (change,) = [c for c in plan.changes if c.action == "更新"]
    assert change.changes == {"职工人数": ("35", "40")}
    import_commit(batch_id=batch.pk, user=user)
    assert Unit.objects.filter(credit_code=NEW_B).count() == 1
    assert Unit.objects.get(credit_code=NEW_B).headcount == 40
    event = AuditEvent.objects.get(action="unit.update", field="headcount")
    assert (event.old, event.new, event.actor) == ("35", "40", user)


def test_one_bad_row_means_nothing_is_imported_and_errors_name_row_and_column(world):
    rows = good_rows(world)
    rows[1]["统一社会信用代码"] = NEW_B[:-1] + ("0" if NEW_B[-1] != "0" else "1")
    rows.append(
        {
            "统一社会信用代码": make_credit_code(serial=9003),
            "单位名称": "无名",
            "单位类型": "商店",
            "所属地区代码": "420102",
        }
    )
    rows.append(
        {
            "统一社会信用代码": make_credit_code(serial=9004),
            "单位名称": "某单位",
            "单位类型": "机关",
            "所属地区代码": "420102",
            "职工人数": "很多",
        }
    )
    batch, plan = import_preview(
        kind="units",
        filename="u.xlsx",
        content=sheet(rows, NEW_TOWN),
        user=world.people.east_office,
    )
    errors = [str(e) for e in plan.errors]
    assert any(
        e.startswith("工作表“单位”第3行A列(统一社会信用代码):统一社会信用代码校验位错误")
        for e in errors
    )
    assert any(e.startswith("工作表“单位”第4行C列(单位类型):未知的单位类型“商店”") for e in errors)
    assert "工作表“单位”第5行I列(职工人数):应为非负整数,不能是“很多”" in errors
    with pytest.raises(ImportRefused, match="错误,未导入任何内容"):
        import_commit(batch_id=batch.pk, user=world.people.east_office)
    assert not Unit.objects.filter(credit_code=NEW_A).exists()
    assert not Region.objects.filter(code="420102101").exists()


def test_office_cannot_import_into_another_district(world):
    rows = [
        {
            "统一社会信用代码": NEW_A,
            "单位名称": "江西区某单位",
            "单位类型": "机关",
            "所属地区代码": "420103",
        },
        {
            "统一社会信用代码": world.other.credit_code,
            "单位名称": "改名医院",
            "单位类型": "医院",
            "所属地区代码": "420102",
        },
    ]
    _, plan = import_preview(
        kind="units", filename="u.xlsx", content=sheet(rows), user=world.people.east_office
    )
    errors = [str(e) for e in plan.errors]
    assert "工作表“单位”第2行D列(所属地区代码):超出本人管理的地区范围" in errors
    assert (
        "工作表“单位”第3行A列(统一社会信用代码):该单位不在本人管理的地区范围内,不能修改" in errors
    )


def test_export_then_import_changes_nothing(world):
    user = world.people.city_office
    content = UnitSheetImporter().export(
        scope=__import__("wenming.accounts.scope", fromlist=["scope_for"]).scope_for(user)
    )
    wb = load_workbook(io.BytesIO(content))
    assert wb["单位"].max_row == 5 and wb["地区"].max_row >= 4
    _, plan = import_preview(kind="units", filename="all.xlsx", content=content, user=user)
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.counts()["新增"] == 0 and plan.counts()["更新"] == 0


def test_web_flow_upload_preview_confirm(client, world):
    client.force_login(world.people.east_office)
    upload = SimpleUploadedFile("units.xlsx", sheet(good_rows(world), NEW_TOWN))
    response = client.post(reverse("imports:upload", args=["units"]), {"file": upload})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])
    html = client.get(response["Location"]).content.decode()
    assert "将新增 <strong>3</strong> 条" in html and "江东区第二小学" in html
    response = client.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302 and Unit.objects.filter(credit_code=NEW_A).exists()
    # a second confirmation (double click) is refused and changes nothing
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Unit.objects.filter(credit_code=NEW_A).count() == 1


def test_not_an_excel_file_is_refused_in_chinese(client, world):
    client.force_login(world.people.east_office)
    upload = SimpleUploadedFile("units.xlsx", b"not a workbook")
    response = client.post(reverse("imports:upload", args=["units"]), {"file": upload}, follow=True)
    assert "无法读取该文件" in response.content.decode()


@pytest.mark.parametrize("who", ["filler", "supervisor", "expert", "head"])
def test_unit_people_cannot_import(client, world, who):
    client.force_login(getattr(world.people, who))
    assert client.get(reverse("imports:upload", args=["units"])).status_code == 403
    assert client.get(reverse("imports:export", args=["units"])).status_code == 403
