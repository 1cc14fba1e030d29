"""Pages: list (scoped, filters), detail with actions, overview and export, import."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.rectification.conftest import new_problem, to_handled
from wenming.imports.models import ImportBatch
from wenming.imports.services import ImportRefused, import_commit, import_preview
from wenming.rectification.importer import ProblemImporter
from wenming.rectification.models import Problem, ProblemState

HEADERS = [c.header for c in ProblemImporter.sheets["问题清单"]]


def sheet(rows):
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "问题清单"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing_and_names_row_and_column(world):
    office = world.people.east_office
    s1, other = world.s1.credit_code, world.other.credit_code
    bad = sheet(
        [
            [
                1,
                s1,
                "江东区第一小学",
                "围墙破损",
                "东侧围墙",
                "巡查",
                "一般",
                None,
                "东门",
                "2026-03-01",
                None,
            ],
            [2, other, None, "医院门口乱停车", None, "巡查", "一般", None, None, None, None],
            [3, s1, None, "垃圾未分类", None, "暗访", "一般", None, None, None, None],
            [4, s1, None, "宣传栏破旧", None, None, "严重", None, None, None, None],
            [5, s1, None, "厕所脏乱", None, None, None, None, None, "2026-03-01", "2026-02-01"],
        ]
    )
    _, plan = import_preview(kind="problems", filename="督查.xlsx", content=bad, user=office)
    errors = [str(e) for e in plan.errors]
    assert errors == [
        "工作表“问题清单”第3行B列(统一社会信用代码):统一社会信用代码“"
        + other
        + "”不存在或不在您的管辖范围",
        "工作表“问题清单”第4行F列(来源):来源“暗访”无效,可用:自评扣分、专家扣分、复查、负面清单、投诉、巡查",
        "工作表“问题清单”第5行G列(严重程度):严重程度“严重”无效,可用:一般、较重、紧急",
        "工作表“问题清单”第6行K列(整改期限):整改期限不能早于发现日期",
    ]
    batch, _ = import_preview(kind="problems", filename="督查.xlsx", content=bad, user=office)
    with pytest.raises(ImportRefused, match="4处错误"):
        import_commit(batch_id=batch.pk, user=office)
    assert Problem.objects.count() == 0
    good = sheet(
        [[1, s1, None, "围墙破损", None, "巡查", "较重", "B2.1", "东门", "2026-03-01", None]]
    )
    batch, plan = import_preview(kind="problems", filename="督查.xlsx", content=good, user=office)
    assert plan.ok
    import_commit(batch_id=batch.pk, user=office)
    p = Problem.objects.get()
    assert (p.title, p.received_on, p.deadline, p.indicator_code) == (
        "围墙破损",
        date(2026, 3, 1),
        date(2026, 3, 16),
        "B2.1",
    )


def test_import_through_the_web_previews_refuses_bad_rows_and_lands_on_the_list(client, world):
    client.force_login(world.people.east_office)
    s1 = world.s1.credit_code
    bad = sheet([[1, s1, None, "围墙破损", None, "暗访", "一般", None, None, None, None]])
    upload = SimpleUploadedFile("督查.xlsx", bad)
    response = client.post(reverse("imports:upload", args=["problems"]), {"file": upload})
    batch = ImportBatch.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "第2行F列(来源)" in html and "暗访" in html
    response = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "1处错误" in response.content.decode() and not Problem.objects.exists()
    good = sheet([[1, s1, None, "围墙破损", None, "巡查", "一般", None, "东门", None, None]])
    upload = SimpleUploadedFile("督查.xlsx", good)
    response = client.post(reverse("imports:upload", args=["problems"]), {"file": upload})
    batch = ImportBatch.objects.latest("pk")
    assert "围墙破损" in client.get(response["Location"]).content.decode()
    response = client.post(reverse("imports:commit", args=[batch.pk]))
    assert response["Location"] == reverse("rectification:list")
    assert Problem.objects.get().title == "围墙破损"
    client.force_login(world.people.filler)  # a unit's filler may not import problems
    assert client.get(reverse("imports:upload", args=["problems"])).status_code == 403


def test_list_is_scoped_filtered_and_its_queries_do_not_grow_with_rows(client, world):
    for n in range(3):
        new_problem(world, title=f"问题{n}")
    late = new_problem(world, title="逾期的", found_on=date(2026, 1, 1), deadline=date(2026, 1, 5))
    client.force_login(world.people.other_filler)
    assert "问题0" not in client.get(reverse("rectification:list")).content.decode()
    client.force_login(world.people.east_office)
    html = client.get(reverse("rectification:list") + "?overdue=1").content.decode()
    assert late.title in html and "问题0" not in html
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rectification:list"))
    for n in range(10):
        new_problem(world, title=f"更多{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("rectification:list"))
    assert len(many) == len(few)


def test_detail_offers_only_the_actions_the_person_may_take(client, world):
    problem = to_handled(world, new_problem(world))
    client.force_login(world.people.filler)  # the handler: may not verify
    html = client.get(reverse("rectification:detail", args=[problem.pk])).content.decode()
    assert "核查通过" not in html and "已清理" in html
    client.force_login(world.people.east_office)
    html = client.get(reverse("rectification:detail", args=[problem.pk])).content.decode()
    assert "核查通过" in html and "退回重新整改" in html
    client.post(reverse("rectification:act", args=[problem.pk, "return"]), {"reason": "不彻底"})
    problem.refresh_from_db()
    assert problem.state == ProblemState.ASSIGNED
    response = client.post(reverse("rectification:act", args=[problem.pk, "close"]), follow=True)
    assert "不能结案" in response.content.decode()


def test_overview_and_its_export_agree(client, world):
    new_problem(world)
    client.force_login(world.people.city_office)
    html = client.get(reverse("rectification:overview")).content.decode()
    assert "临江街道" in html and "江东区教育局" in html
    data = client.get(reverse("rectification:overview_export")).content
    wb = load_workbook(io.BytesIO(data))
    rows = list(wb["地区"].iter_rows(values_only=True))
    assert rows[1][:4] == ("排名", "名称", "受理数", "办结数")
    assert ("临江街道", 1, 0) in [r[1:4] for r in rows[2:]]


def test_overview_queries_do_not_grow_with_rows_or_months(client, world, clock):
    client.force_login(world.people.city_office)
    url = reverse("rectification:overview") + "?start=2025-01&end=2026-12&bulletin=1"
    for n in range(2):
        new_problem(world, title=f"逾期{n}", found_on=date(2025, 1, 6), deadline=date(2025, 2, 1))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n, day in enumerate([date(2025, 2, 3), date(2025, 7, 9), date(2026, 1, 5)]):
        clock.set(day)
        new_problem(world, unit=world.s2, title=f"更多{n}", found_on=day)
        new_problem(world, unit=world.s1, title=f"再多{n}", found_on=day)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few) <= 20
    assert "江东区实验中学" in html  # named in the bulletin: three problems long overdue


def test_an_office_sees_only_its_own_regions_in_the_overview_and_export(client, world):
    new_problem(world)
    west = f"?region={world.west.pk}"
    client.force_login(world.people.east_office)
    assert client.get(reverse("rectification:overview") + west).status_code == 404
    assert client.get(reverse("rectification:overview_export") + west).status_code == 404
    html = client.get(reverse("rectification:overview")).content.decode()
    assert "临江街道" in html and "江西区" not in html
    client.force_login(world.people.head)  # a unit's head: no overview at all
    assert client.get(reverse("rectification:overview")).status_code == 403
    client.force_login(world.people.city_office)
    assert client.get(reverse("rectification:overview") + west).status_code == 200
