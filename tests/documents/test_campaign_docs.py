"""A campaign's office papers from its real data: bulletin and publicity list (.docx/.pdf),
certificates (.pdf, in batch), score sheets and ranking (.xlsx); who may have them; a batch in
which one document fails keeps the others."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as open_docx
from openpyxl import load_workbook

from tests.campaigns.conftest import results, submitted_assessment
from tests.conftest import need_cjk_font
from tests.factories import UnitFactory, person
from wenming.accounts.models import Role
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, Campaign, State
from wenming.campaigns.publicity import campaign_approve, campaign_publish
from wenming.campaigns.services import (
    CampaignInput,
    application_pass,
    campaign_create,
    campaign_open,
    evaluation_record,
)
from wenming.documents import campaign_batch
from wenming.documents.campaign_batch import campaign_titles
from wenming.documents.campaign_docs import campaign_bulletin, publicity_document, ranking
from wenming.documents.certificate import certificate_data, certificate_pdf
from wenming.documents.placeholders import placeholders_in
from wenming.documents.sheets import score_sheet_xlsx
from wenming.frameworks.selectors import engine_of
from wenming.jobs.models import Job
from wenming.jobs.services import job_run, result_path
from wenming.titles.models import Title

pytestmark = pytest.mark.django_db

NAME = "2026年江东区义务教育标准化学校评估"
REASON = "东侧围墙破损、车棚乱堆放"


def docx_text(content: bytes) -> str:
    doc = open_docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    import pypdfium2  # type: ignore[import-untyped]

    pdf = pypdfium2.PdfDocument(content)
    return "".join("".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf)))


@pytest.fixture
def done(world, standard):
    """Three schools evaluated (998 达标 with a deduction, 950 达标, 880 基本达标), published and
    named: two titles, one rectification plan."""
    office = world.people.east_office
    today = timezone.localdate()
    campaign = campaign_create(
        actor=office,
        data=CampaignInput(
            name=NAME,
            year=2026,
            level="district",
            region=world.east,
            edition=standard,
            unit_types=[world.types.school],
            apply_from=today - timedelta(days=30),
            apply_until=today - timedelta(days=1),
            chain=[
                {"key": "supervisor", "label": "主管部门审核", "role": "supervisor"},
                {"key": "evaluate", "label": "县级评估", "role": "office", "level": 3, "result": True},
            ],
        ),
    )  # fmt: skip
    campaign_open(actor=office, campaign=campaign)
    s3 = UnitFactory.create(
        name="江东区第三小学",
        unit_type=world.types.school,
        region=world.town,
        supervisor=world.bureau,
        stage="小学",
        enrolment_primary=600,
    )
    for unit, field in ((world.s1, "enrolment_primary"), (world.s2, "enrolment_junior")):
        setattr(unit, field, 800)
        unit.save()
    made = {}
    for unit, centi in ((world.s1, None), (world.s2, 95000), (s3, 88000)):
        if unit is world.s1:
            assessment = submitted_assessment(world, standard)
        else:
            assessment = SelfAssessment.objects.create(
                unit=unit, edition=standard, status=AssessmentStatus.SUBMITTED, as_of=today,
                created_by=office, submitted_at=timezone.now(), total_centi=91000,
            )  # fmt: skip
        application = Application.objects.create(
            campaign=campaign, unit=unit, assessment=assessment, state=State.IN_REVIEW,
            step="evaluate", region_path=unit.region_path, supervisor=world.bureau,
        )  # fmt: skip
        data = results(standard, unit, centi)
        if centi is None:  # full marks but one deduction with its reason
            data["items"]["A1.6"] = {"value": 2, "reason": REASON}
        evaluation_record(actor=office, application=application, data=data, source="paper")
        application.refresh_from_db()
        application_pass(actor=office, application_id=application.pk, version=application.version)
        made[unit.name] = Application.objects.get(pk=application.pk)
    campaign_publish(actor=office, campaign=campaign, start=today)
    campaign.refresh_from_db()
    assert campaign.publicity_end is not None
    campaign_approve(
        actor=office, campaign=campaign, today=campaign.publicity_end + timedelta(days=1)
    )
    campaign.refresh_from_db()
    return campaign, made


def test_ranking_orders_by_final_score_with_self_scores(done):
    campaign, made = done
    rows = ranking(campaign)
    assert [(r.rank, r.unit, r.grade) for r in rows] == [
        (1, "江东区第一小学", "达标"),
        (2, "江东区实验中学", "达标"),
        (3, "江东区第三小学", "基本达标"),
    ]
    assert rows[0].result_centi == made["江东区第一小学"].result_centi
    assert rows[1].result_centi == 95000 and rows[1].self_centi == 91000


def test_bulletin_docx_and_pdf_carry_the_campaigns_results(client, world, done):
    need_cjk_font()
    campaign, made = done
    client.force_login(world.people.east_office)
    url = reverse("documents:campaign_bulletin", args=[campaign.pk, "docx"])
    response = client.get(url, {"number": "江东文明办〔2026〕7号", "day": "2026-07-01"})
    assert response.status_code == 200
    text = docx_text(response.content)
    first = made["江东区第一小学"].result_centi / 100
    for expected in (
        "江东区精神文明建设办公室文件",  # the red header of the template in force
        "江东文明办〔2026〕7号",
        f"关于{NAME}结果的通报",
        "共有3个单位提交申报,3个单位完成测评,其中达标2个、基本达标1个",
        "江东区实验中学",
        "950",
        "880",
        f"{first:g}",
        "2026年7月1日",
    ):
        assert expected in text, expected
    assert placeholders_in(text) == []
    document = campaign_bulletin(campaign, number="", day=timezone.localdate())
    pdf = client.get(reverse("documents:campaign_bulletin", args=[campaign.pk, "pdf"])).content
    assert pdf.startswith(b"%PDF")
    # every visible string of the document, in reading order ("主送:" and page numbers added)
    expected = "".join(document.text().split()).replace("江东区各有关单位", "江东区各有关单位:", 1)
    assert re.sub(r"—\d+—", "", pdf_text(pdf)) == expected


def test_bulletin_refuses_a_placeholder_in_the_document_number(client, world, done):
    campaign, _ = done
    client.force_login(world.people.east_office)
    url = reverse("documents:campaign_bulletin", args=[campaign.pk, "docx"])
    response = client.get(url, {"number": "江东文明办〔20××〕号"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "发文字号中有未填写的占位符" in page


@pytest.mark.parametrize(
    ("query", "named"),
    [({"day": "2026-13-40"}, "成文日期"), ({"number": "号" * 41}, "发文字号")],
)
def test_bulletin_refuses_a_bad_date_or_an_overlong_number_naming_the_field(
    client, world, done, query, named
):
    campaign, _ = done
    client.force_login(world.people.east_office)
    url = reverse("documents:campaign_bulletin", args=[campaign.pk, "docx"])
    response = client.get(url, query)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"{named}:" in page


def test_publicity_list_names_the_listed_units_and_the_window(client, world, done):
    need_cjk_font()
    campaign, _ = done
    client.force_login(world.people.east_office)
    text = docx_text(
        client.get(reverse("documents:campaign_publicity", args=[campaign.pk, "docx"])).content
    )
    start, end = campaign.publicity_start, campaign.publicity_end
    assert (
        f"公示期为{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
        in text
    )
    assert "拟命名3个单位为“2026年度区级义务教育标准化学校”" in text
    for name in ("江东区第一小学", "江东区实验中学", "江东区第三小学"):
        assert name in text
    pdf = client.get(reverse("documents:campaign_publicity", args=[campaign.pk, "pdf"])).content
    document = publicity_document(campaign)
    assert re.sub(r"—\d+—", "", pdf_text(pdf)) == "".join(document.text().split())


def test_certificate_pdf_embeds_the_font_and_keeps_the_text(done):
    need_cjk_font()
    from pypdf import PdfReader

    campaign, _ = done
    title = campaign_titles(campaign).get(unit__name="江东区第一小学")
    data = certificate_data(title)
    assert data.title == "2026年度区级义务教育标准化学校"
    assert data.issuer == "江东区精神文明建设委员会"
    pdf = certificate_pdf(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    resources: Any = reader.pages[0]["/Resources"]  # pypdf's object tree, walked untyped
    font = next(iter(resources["/Font"].values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor or "/FontFile3" in descriptor or "/FontFile" in descriptor
    assert pdf_text(pdf) == "".join("".join(data.lines()).split())


def test_score_sheet_has_every_item_self_and_final_score_and_reasons(done):
    campaign, made = done
    application = made["江东区第一小学"]
    engine = engine_of(campaign.edition)
    sheet = load_workbook(io.BytesIO(score_sheet_xlsx(application)))["评分表"]
    assert sheet["A1"].value == f"{NAME} 评分表"
    header = [c.value for c in sheet[3]]
    assert header == [
        "指标编码",
        "测评内容",
        "分值",
        "自评得分",
        "自评说明",
        "测评得分",
        "扣分",
        "扣分理由",
    ]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert {code for _, code, _ in engine.leaves} <= set(rows)
    _, name, points, own, _, final, lost, reason = rows["A1.6"]
    assert name == "校园环境"
    assert (points, own, final, lost, reason) == (10, 10, 8, 2, REASON)
    assert rows["合计"][3] == 1000 and rows["合计"][5] == application.result_centi / 100
    assert rows["合计"][7] == "等级:达标"
    # another unit's deductions carry the engine's explanation when no reason was typed
    other = load_workbook(io.BytesIO(score_sheet_xlsx(made["江东区第三小学"])))
    lost_rows = [r for r in other["评分表"].iter_rows(min_row=4, values_only=True) if r[6]]
    assert lost_rows and all(r[7] for r in lost_rows)


def test_ranking_xlsx_from_the_page(client, world, done):
    campaign, _ = done
    client.force_login(world.people.city_office)  # the office above runs it too
    response = client.get(reverse("documents:campaign_ranking", args=[campaign.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["排名"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [
        (1, "江东区第一小学", rows[0][6], "达标"),
        (2, "江东区实验中学", 950, "达标"),
        (3, "江东区第三小学", 880, "基本达标"),
    ]
    assert rows[1][5] == 910


@pytest.mark.parametrize("who", ["head", "supervisor", "other_office"])
def test_only_offices_running_the_campaign_get_its_documents(client, world, done, who):
    campaign, _ = done
    if who == "other_office":
        user = person("west_office", Role.OFFICE, region_=world.west)
        expected = 404  # cannot even see the campaign
    else:
        user = getattr(world.people, who)
        expected = 403
    client.force_login(user)
    for url in (
        reverse("documents:campaign_bulletin", args=[campaign.pk, "docx"]),
        reverse("documents:campaign_publicity", args=[campaign.pk, "pdf"]),
        reverse("documents:campaign_ranking", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == expected, url
    response = client.post(
        reverse("documents:campaign_batch", args=[campaign.pk]), {"kind": "certificates"}
    )
    assert response.status_code == expected
    assert not Job.objects.exists()
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert 'id="documents"' not in page.content.decode()


def test_campaign_page_offers_the_documents_to_its_office(client, world, done):
    campaign, _ = done
    client.force_login(world.people.east_office)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert 'id="documents"' in page
    assert reverse("documents:campaign_ranking", args=[campaign.pk]) in page


def test_certificates_in_batch_one_failure_keeps_the_others(client, world, done, monkeypatch):
    need_cjk_font()
    campaign, _ = done
    real = certificate_pdf  # the function campaign_batch imported and calls

    def failing(data):
        if data.unit == "江东区实验中学":
            raise ValueError("模拟故障")
        return real(data)

    monkeypatch.setattr(campaign_batch, "certificate_pdf", failing)
    client.force_login(world.people.east_office)
    response = client.post(
        reverse("documents:campaign_batch", args=[campaign.pk]),
        {"kind": "certificates", "issuer": "江东区文明委"},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.params["failures"] == ["江东区实验中学:模拟故障"]
    assert Title.objects.filter(origin_type="campaigns.application").count() == 2
    with zipfile.ZipFile(result_path(job)) as archive:
        assert sorted(archive.namelist()) == ["失败清单.txt", "江东区第一小学荣誉证书.pdf"]
        text = pdf_text(archive.read("江东区第一小学荣誉证书.pdf"))
        assert "江东区第一小学" in text and "江东区文明委" in text
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "江东区实验中学:模拟故障" in page and "下载" in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200


def test_score_sheets_in_batch_with_the_ranking(client, world, done):
    campaign, _ = done
    client.force_login(world.people.east_office)
    client.post(reverse("documents:campaign_batch", args=[campaign.pk]), {"kind": "score_sheets"})
    job = Job.objects.get()
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.params["failures"] == []
    assert job.done == job.total == 4
    with zipfile.ZipFile(result_path(job)) as archive:
        names = set(archive.namelist())
        assert names == {
            f"{NAME}测评结果排名.xlsx",
            "评分表-江东区第一小学.xlsx",
            "评分表-江东区实验中学.xlsx",
            "评分表-江东区第三小学.xlsx",
        }
        sheet = load_workbook(io.BytesIO(archive.read("评分表-江东区实验中学.xlsx")))["评分表"]
        assert sheet["A2"].value == "单位:江东区实验中学"


def test_a_batch_is_not_made_once_the_owner_no_longer_runs_the_campaign(client, world, done):
    """The job asks the scope again when it runs (fixed: it trusted the start)."""
    campaign, _ = done
    office = world.people.east_office
    client.force_login(office)
    client.post(reverse("documents:campaign_batch", args=[campaign.pk]), {"kind": "score_sheets"})
    job = Job.objects.get()
    office.grants.all().delete()  # moved off the office before the worker ran the job
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "活动不存在或无权查看" in job.error


def test_batches_need_something_to_print(client, world, standard):
    office = world.people.east_office
    today = timezone.localdate()
    campaign = campaign_create(
        actor=office,
        data=CampaignInput(
            name="空活动", year=2026, level="district", region=world.east, edition=standard,
            unit_types=[world.types.school], apply_from=today, apply_until=today,
        ),
    )  # fmt: skip
    client.force_login(office)
    url = reverse("documents:campaign_batch", args=[campaign.pk])
    for kind, message in (
        ("certificates", "尚无命名的称号"),
        ("score_sheets", "尚无录入测评结果"),
    ):
        response = client.post(url, {"kind": kind}, follow=True)
        assert message in response.content.decode()
    assert not Job.objects.exists()
    response = client.get(
        reverse("documents:campaign_publicity", args=[campaign.pk, "docx"]), follow=True
    )
    assert "尚未发布公示" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_in_the_browser_the_office_starts_a_batch_and_downloads_it(
    live_server, world, done, monkeypatch
):
    from tests.conftest import chromium_path, need
    from tests.web.test_browser import ARGS, SHOTS, _guarded, _log_in

    path = chromium_path()
    need(path is not None, "未找到 Chromium(Debian 软件包 chromium),浏览器测试跳过")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    campaign, _ = done
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside = _guarded(page, live_server)
        _log_in(page, live_server, "east_office")
        page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        section = page.locator("#documents")
        assert "测评结果通报" in section.inner_text()
        section.screenshot(path=str(SHOTS / "campaign-documents.png"))
        page.click("#batch-score-sheets")
        page.wait_for_url(f"{live_server.url}/jobs/**")
        job = Job.objects.get()
        job_run(job.pk)  # the worker's part, in-process
        page.reload()
        page.wait_for_selector("#job-download")
        page.screenshot(path=str(SHOTS / "campaign-score-sheets-job.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#job-download")
        assert download.value.suggested_filename.endswith(".zip")
        browser.close()
    assert outside == []


def test_admin_edits_the_publicity_template_and_the_campaign_uses_it(client, world, done):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenming.documents.models import DocumentTemplate
    from wenming.documents.templating import default_template

    campaign, _ = done
    client.force_login(world.people.admin)
    sample = client.get(reverse("documents:bulletin_sample"), {"kind": "publicity"})
    assert "拟命名名单的公示" in docx_text(sample.content)
    doc = open_docx(io.BytesIO(default_template("publicity")))
    signature = next(p for p in doc.paragraphs if p.text == "{{ issuer }}")
    signature.add_run("(盖章)")  # the administrator edits the template in Word
    out = io.BytesIO()
    doc.save(out)
    edited = out.getvalue()
    response = client.post(
        reverse("documents:templates"),
        {"kind": "publicity", "file": SimpleUploadedFile("公示模板.docx", edited)},
        follow=True,
    )
    assert "模板已通过样例数据检查并启用" in response.content.decode()
    assert DocumentTemplate.objects.get().kind == "publicity"
    text = docx_text(
        client.get(reverse("documents:campaign_publicity", args=[campaign.pk, "docx"])).content
    )
    assert "江东区精神文明建设办公室(盖章)" in text


def test_without_a_cjk_font_the_office_reads_a_clear_message(client, world, done, monkeypatch):
    campaign, _ = done
    monkeypatch.setenv("WENMING_CJK_FONT", "/nonexistent/font.ttf")
    client.force_login(world.people.east_office)
    response = client.get(
        reverse("documents:campaign_bulletin", args=[campaign.pk, "pdf"]), follow=True
    )
    assert "WENMING_CJK_FONT 指定的字体文件不存在" in response.content.decode()


def test_equal_totals_share_a_rank_and_a_veto_ranks_last(done):
    campaign, made = done
    Application.objects.filter(pk=made["江东区第一小学"].pk).update(
        result_centi=99000, result_vetoed=True, result_grade="不达标"
    )
    Application.objects.filter(pk=made["江东区第三小学"].pk).update(result_centi=95000)
    rows = ranking(campaign)
    assert [(r.rank, r.unit) for r in rows] == [
        (1, "江东区实验中学"),
        (1, "江东区第三小学"),
        (3, "江东区第一小学"),
    ]
    data = campaign_bulletin(campaign, day=timezone.localdate()).text()
    assert "一票否决" in data and "江东区第一小学存在一票否决事项" in data


def test_the_bulletin_is_issued_by_the_office_that_runs_the_campaign(client, world, done):
    need_cjk_font()
    campaign, _ = done
    Campaign.objects.filter(pk=campaign.pk).update(organiser="江东区人民政府教育督导室")
    client.force_login(world.people.east_office)
    url = reverse("documents:campaign_bulletin", args=[campaign.pk, "docx"])
    text = docx_text(client.get(url, {"day": "2026-07-01"}).content)
    assert "江东区人民政府教育督导室文件" in text
    assert "江东区精神文明建设办公室" not in text
