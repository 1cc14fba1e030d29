"""The self-inspection report: drafted from the unit's data, never a placeholder, edited by
the unit, exported, and generated in batch where one failure loses nothing else."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as open_docx

from tests.factories import UnitFactory
from wenming.assessments.services import entry_save, self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.documents import batch
from wenming.documents.docx_writer import render_docx
from wenming.documents.placeholders import placeholders_in
from wenming.documents.report import document_of, draft_sections, report_title
from wenming.documents.services import DocumentRefused, report_generate, report_section_save
from wenming.jobs.models import Job
from wenming.jobs.services import job_run, result_path
from wenming.jobs.tasks import job_start
from wenming.ledger.models import IndicatorAssignment
from wenming.ledger.services import ActivityInput, activity_create, activity_types
from wenming.organizations.models import Department


def docx_text(content: bytes) -> str:
    doc = open_docx(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize(
    "text",
    [
        "共有××名党员",
        "xx年开展",
        "20*年",
        "20XX年度",
        "在“”活动中",
        "*市文明办",
        "____",
        "某某单位",
    ],
)
def test_placeholders_are_found(text):
    assert placeholders_in(text)


def test_real_text_has_no_placeholder():
    assert not placeholders_in("2026年3月1日开展“学雷锋”志愿服务,参加45人次。Excel表")


def test_a_unit_with_little_data_gets_notes_not_placeholders(world, standard):
    bare = UnitFactory.create(
        name="江东区空白小学", unit_type=world.types.school, region=world.east
    )
    sections = draft_sections(bare, standard, date(2026, 6, 1))
    assert [h for h, _ in sections] == [
        "一、基本情况",
        "二、主要做法和成效",
        "三、存在的问题",
        "四、下一步措施",
    ]
    document = document_of(report_title(bare, standard), sections)
    text = docx_text(render_docx(document))
    assert placeholders_in(text) == []
    assert "【需补充】平台中尚无本单位获得荣誉称号的记录" in text
    assert "【需补充】单位信息中没有职工人数和党员人数" in text
    assert "尚未按“" in text and "开展自评" in text
    assert "下没有关联的台账记录" in text
    # notes are highlighted in the .docx
    doc = open_docx(io.BytesIO(render_docx(document)))
    note = next(p for p in doc.paragraphs if p.text.startswith("【需补充】"))
    assert note.runs[0].font.highlight_color is not None


def test_draft_uses_the_unit_data(world, standard):
    s1 = world.s1
    s1.headcount, s1.party_members = 86, 31
    s1.save()
    Department.objects.create(unit=s1, name="总务处")
    kind = activity_types()[0]
    for day, people in ((date(2026, 3, 1), 40), (date(2026, 4, 2), 12)):
        activity_create(
            actor=world.people.filler,
            unit=s1,
            data=ActivityInput(
                activity_type=kind, title="校园环境整治", day=day, participants=people
            ),
            links=[(standard, "A1.6")],
            files=[],
        )
    assessment = self_assessment_start(actor=world.people.filler, unit=s1, edition=standard)
    entry_save(
        actor=world.people.filler,
        assessment_id=assessment.pk,
        code="A1.6",
        value="2",
        reason="东侧围墙破损、车棚乱堆放",
    )
    IndicatorAssignment.objects.create(
        unit=s1,
        edition=standard,
        code="A1.6",
        person="王敏",
        deadline=timezone.localdate() - timedelta(days=3),
    )
    sections = dict(draft_sections(s1, standard, timezone.localdate()))
    assert "现有职工86人,其中党员31人。" in sections["一、基本情况"]
    assert "单位内设1个科室:总务处。" in sections["一、基本情况"]
    practice = sections["二、主要做法和成效"]
    assert "2026年3月1日至2026年4月2日" in practice and "共开展活动2次" in practice
    assert "参加52人次" in practice
    problems = sections["三、存在的问题"]
    assert (
        "A 办学条件:自评扣分1项,共扣2分(A1.6 校园环境扣2分,原因:东侧围墙破损、车棚乱堆放)"
        in problems
    )
    assert "A 办学条件:" in problems and "项指标佐证不完整" in problems
    steps = sections["四、下一步措施"]
    assert "任务分解中已逾期未完成1项(A 办学条件:A1.6)" in steps
    assert "逾期最久的是A1.6 校园环境(由王敏负责)" in steps
    assert all(not placeholders_in(t) for t in sections.values())


def test_the_unit_edits_the_report_and_every_edit_is_audited(world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    section = report.sections.get(position=1)
    with pytest.raises(DocumentRefused, match="占位符:××"):
        report_section_save(
            actor=world.people.filler, section_id=section.pk, text="共有××名党员", version=1
        )
    with pytest.raises(DocumentRefused, match="只有本单位人员"):
        report_section_save(
            actor=world.people.east_office, section_id=section.pk, text="改写", version=1
        )
    report_section_save(
        actor=world.people.filler, section_id=section.pk, text="本校现有职工86人。", version=1
    )
    with pytest.raises(DocumentRefused, match="已被他人修改"):
        report_section_save(actor=world.people.head, section_id=section.pk, text="x", version=1)
    event = AuditEvent.objects.filter(action="report.section").get()
    assert event.new == "本校现有职工86人。" and event.actor == world.people.filler
    with pytest.raises(DocumentRefused):
        report_generate(actor=world.people.supervisor, unit=world.s1, edition=standard)


def complete(report, actor):
    """Replace every section that still has a 【需补充】 note by finished text."""
    for section in report.sections.all():
        if "【需补充】" in section.text:
            report_section_save(
                actor=actor,
                section_id=section.pk,
                text=f"{section.heading[2:]}的内容已由本单位核实补充。",
                version=section.version,
            )


def test_export_carries_the_edited_text(client, world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    complete(report, world.people.filler)
    section = report.sections.get(position=4)
    section.refresh_from_db()
    client.force_login(world.people.filler)
    client.post(
        reverse("documents:section_save", args=[section.pk]),
        {"text": "## 加强校园环境管理\n每周检查一次校园卫生。", "version": str(section.version)},
    )
    client.force_login(world.people.supervisor)
    url = reverse("documents:report_export") + f"?unit={world.s1.pk}&edition={standard.pk}"
    text = docx_text(client.get(url + "&format=docx").content)
    assert "加强校园环境管理" in text and "每周检查一次校园卫生。" in text
    page = client.get(reverse("documents:report") + f"?unit={world.s1.pk}").content.decode()
    assert "每周检查一次校园卫生。" in page and "<textarea" not in page


def test_batch_keeps_the_good_reports_when_one_fails(world, standard, monkeypatch):
    s2 = world.s2
    real = batch.report_docx

    def failing(unit, edition):
        if unit.pk == s2.pk:
            raise ValueError("模拟故障")
        return real(unit, edition)

    monkeypatch.setattr(batch, "report_docx", failing)
    job = job_start(
        kind="reports",
        label="批量",
        owner=world.people.east_office,
        params={"edition": standard.pk, "units": [world.s1.pk, s2.pk]},
    )
    job_run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    assert job.params["failures"] == ["江东区实验中学:模拟故障"]
    with zipfile.ZipFile(result_path(job)) as archive:
        names = archive.namelist()
        assert "江东区第一小学自查报告.docx" in names
        assert "江东区实验中学:模拟故障" in archive.read("失败清单.txt").decode()
    assert job.result_name.endswith(".zip")


def test_office_starts_a_batch_only_for_units_in_its_scope(client, world, standard):
    client.force_login(world.people.east_office)
    response = client.post(
        reverse("documents:batch"),
        {"edition": standard.pk, "units": [world.s1.pk, world.other.pk]},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params["units"] == [world.s1.pk]


def test_titles_and_open_rectification_items_reach_the_report(world, standard):
    from wenming.rectification.services import problem_create
    from wenming.titles.services import title_grant

    s1 = world.s1
    for year in (2023, 2020):
        title_grant(
            actor=world.people.east_office,
            unit=s1,
            name=f"{year}年度区级文明校园",
            kind="文明校园",
            level="district",
            year=year,
            term_years=3,
            naming_authority=world.east,
        )
    problem = problem_create(
        actor=world.people.east_office, unit=s1, source="patrol", title="操场跑道破损"
    )
    # the report is drafted after the deadline has passed
    sections = dict(draft_sections(s1, standard, problem.deadline + timedelta(days=1)))
    assert (
        "近年来先后获得2020年度区级文明校园、2023年度区级文明校园等荣誉。"
        in (sections["一、基本情况"])
    )
    assert "尚无本单位获得荣誉称号" not in sections["一、基本情况"]
    steps = sections["四、下一步措施"]
    assert "已逾期的整改问题1个(巡查发现1个),须抓紧整改到位" in steps
    assert "逾期最久的是“操场跑道破损”(整改期限" in steps


def test_placeholders_in_data_never_reach_the_report(world, standard):
    s1 = world.s1
    kind = activity_types()[0]
    activity_create(
        actor=world.people.filler,
        unit=s1,
        data=ActivityInput(activity_type=kind, title="××主题讲座", day=date(2026, 3, 1)),
        links=[(standard, "A1.6")],
        files=[],
    )
    sections = draft_sections(s1, standard, timezone.localdate())
    practice = dict(sections)["二、主要做法和成效"]
    assert "“〔待补充〕主题讲座”" in practice
    assert "【需补充】下一句所依据的平台数据中有未填写的内容" in practice
    text = docx_text(render_docx(document_of(report_title(s1, standard), sections)))
    assert placeholders_in(text) == []
    # even text stored before the check existed is cleaned when printed
    stored = [("一、基本情况", "共有××名党员,20*年获评“”。")]
    printed = docx_text(render_docx(document_of("某某单位自查报告", stored)))
    assert placeholders_in(printed) == [] and "〔待补充〕" in printed
