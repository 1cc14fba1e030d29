"""The self-inspection report as a document a unit signs: deficiencies summarised by area, the
vetoes and negative-list events it declared stated, next steps grouped, names quoted once,
a one-day period printed as one day, a sign-off at the end; regeneration asks first and keeps
the unit's edits; no export while 【需补充】 remains."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from docx import Document as open_docx

from tests.conftest import library, need_cjk_font
from wenming.assessments.services import entry_save, self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.documents.models import ReportSection
from wenming.documents.report import draft_sections
from wenming.documents.selectors import report_versions
from wenming.documents.services import DocumentRefused, report_generate, report_section_save
from wenming.documents.wording import period, quoted
from wenming.frameworks.services import framework_import
from wenming.ledger.services import ActivityInput, activity_create, activity_types


def docx_paragraphs(content: bytes) -> list[str]:
    return [p.text for p in open_docx(io.BytesIO(content)).paragraphs]


def sections_of(unit, edition, as_of=None) -> dict[str, str]:
    return dict(draft_sections(unit, edition, as_of or timezone.localdate()))


def finish(report, actor) -> None:
    """The unit completes every section that still holds a 【需补充】 note."""
    for section in report.sections.all():
        if "【需补充】" in section.text:
            report_section_save(
                actor=actor,
                section_id=section.pk,
                text=f"{section.heading[2:]}:本单位已核实补充。",
                version=section.version,
            )


# -- wording -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "printed"),
    [
        ("读书分享会", "“读书分享会”"),
        ("“文明交通”", "“文明交通”"),
        ('"文明交通"', "“文明交通”"),
        ("“学雷锋”志愿服务进社区", "“‘学雷锋’志愿服务进社区”"),
        ('"文明交通"宣传周', "“‘文明交通’宣传周”"),
        ("“我们的节日”主题活动", "“‘我们的节日’主题活动”"),
    ],
)
def test_a_name_is_quoted_once(name, printed):
    assert quoted(name) == printed


def test_a_period_of_one_day_is_one_date():
    assert period(date(2026, 11, 20), date(2026, 11, 20)) == "2026年11月20日"
    assert period(date(2026, 3, 1), date(2026, 4, 2)) == "2026年3月1日至2026年4月2日"


def test_the_draft_quotes_titles_once_and_prints_one_day_once(world, standard):
    kind = activity_types()[0]
    for title in ("“学雷锋”志愿服务进社区", '"文明交通"'):
        activity_create(
            actor=world.people.filler,
            unit=world.s1,
            data=ActivityInput(activity_type=kind, title=title, day=date(2026, 11, 20)),
            links=[(standard, "A1.6")],
            files=[],
        )
    practice = sections_of(world.s1, standard)["二、主要做法和成效"]
    assert "2026年11月20日,围绕办学条件共开展活动2次" in practice
    assert "至2026年11月20日" not in practice
    assert "“‘学雷锋’志愿服务进社区”" in practice and "“文明交通”" in practice
    for doubled in ("““", "””", '“"', '"”'):
        assert doubled not in practice


# -- 存在的问题 and 下一步措施 --------------------------------------------------------------


def test_deficiencies_are_counted_per_area_not_one_line_each(world, standard):
    problems = sections_of(world.s1, standard)["三、存在的问题"]
    lines = problems.splitlines()
    # the school-standard framework has five areas: one line each, plus the unscored note
    assert len(lines) <= 6, lines
    assert "佐证材料不完整" not in problems
    assert any(line.startswith("A 办学条件:") and "项指标佐证不完整" in line for line in lines)
    # an area where only some items lack evidence lists the codes
    kind = activity_types()[0]
    for n in range(12):
        activity_create(
            actor=world.people.filler,
            unit=world.s1,
            data=ActivityInput(
                activity_type=kind, title=f"校园环境整治{n}", day=date(2026, 1 + n % 10, 1)
            ),
            links=[(standard, code) for code in ("E1.1", "E1.2")],
            files=[],
        )
    line = next(
        x
        for x in sections_of(world.s1, standard, date(2026, 11, 1))["三、存在的问题"].splitlines()
        if x.startswith("E ")
    )
    assert "项佐证不完整(E1." in line and "全部" not in line, line


def test_declared_veto_is_stated_with_its_date_and_the_next_steps_name_it(world, standard):
    assessment = self_assessment_start(actor=world.people.filler, unit=world.s1, edition=standard)
    entry_save(
        actor=world.people.filler,
        assessment_id=assessment.pk,
        code="V1",
        value="是",
        event_date=date(2026, 3, 1),
        note="北教学楼",
    )
    sections = sections_of(world.s1, standard)
    problems = sections["三、存在的问题"]
    assert problems.startswith("## (一)自评申报的否决事项和负面清单事项")
    # V1 is a state in the library (a D-class building still in use): stated as lasting
    assert (
        "V1 D类危房仍在使用(北教学楼):自2026年3月1日起存在,评分日尚未消除,属一票否决事项。"
        in problems
    )
    assert "因上述否决事项,自评等级为不达标。" in problems
    assert "## (二)各方面存在的不足" in problems
    steps = sections["四、下一步措施"]
    assert "## (一)消除否决事项" in steps and "V1 D类危房仍在使用" in steps


def test_declared_negative_list_events_are_stated_with_their_effect(world):
    civic = framework_import(framework=library("civilized-unit"))[0]
    assessment = self_assessment_start(actor=world.people.filler, unit=world.s1, edition=civic)
    today = timezone.localdate()
    for code, when in (("N01", today - timedelta(days=30)), ("N02", today - timedelta(days=800))):
        entry_save(
            actor=world.people.filler,
            assessment_id=assessment.pk,
            code=code,
            value="是",
            event_date=when,
        )
    problems = sections_of(world.s1, civic)["三、存在的问题"]
    day = today - timedelta(days=30)
    assert (
        f"N01 干部职工受到党纪政务处分:于{day.year}年{day.month}月{day.day}日发生,"
        "按负面清单扣3分。" in problems
    )
    assert "N02 发生一般安全生产事故:" in problems and "不在12个月回溯期内,不计。" in problems


def test_open_problems_are_grouped_with_the_nearest_deadlines(world, standard):
    from wenming.rectification.services import problem_create

    today = timezone.localdate()
    for n in range(30):
        problem_create(
            actor=world.people.east_office,
            unit=world.s1,
            source="patrol",
            title=f"宣传栏内容过期(第{n + 1}号)",
            indicator_code="A1.6" if n % 3 == 0 else None,
            edition=standard if n % 3 == 0 else None,
            deadline=today - timedelta(days=40 - n),
            found_on=today - timedelta(days=60),
        )
    problem_create(
        actor=world.people.east_office,
        unit=world.s1,
        source="complaint",
        title="“窗口服务”态度差",
        deadline=today + timedelta(days=5),
    )
    steps = sections_of(world.s1, standard)["四、下一步措施"]
    assert "已逾期" not in steps.replace("已逾期的整改问题30个", "", 1)
    assert "已逾期的整改问题30个(巡查发现20个、A 办学条件10个),须抓紧整改到位" in steps
    assert "逾期最久的是“宣传栏内容过期(第1号)”" in steps
    soon = today + timedelta(days=5)
    assert (
        f"另有1个问题正在整改,须按期整改到位;期限最近的是“‘窗口服务’态度差”"
        f"({soon.year}年{soon.month}月{soon.day}日)。" in steps
    )
    assert len(steps.splitlines()) <= 6


# -- sign-off and export ---------------------------------------------------------------------


def test_the_exported_report_ends_with_the_sign_off(client, world, standard):
    world.people.head.first_name = "校长 陈明"
    world.people.head.save()
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    finish(report, world.people.filler)
    client.force_login(world.people.filler)
    url = reverse("documents:report_export") + f"?unit={world.s1.pk}&edition={standard.pk}"
    response = client.get(url + "&format=docx")
    assert response.status_code == 200
    paragraphs = [p for p in docx_paragraphs(response.content) if p]
    today = timezone.localdate()
    assert paragraphs[-3:] == [
        "单位负责人(签字):校长\u00a0陈明",
        "江东区第一小学（盖章）",
        f"{today.year}年{today.month}月{today.day}日",
    ]
    page = client.get(reverse("documents:report") + f"?unit={world.s1.pk}").content.decode()
    assert "单位负责人(签字):校长\u00a0陈明" in page and "江东区第一小学（盖章）" in page


def test_export_is_refused_while_a_section_needs_completion(client, world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    client.force_login(world.people.supervisor)
    url = reverse("documents:report_export") + f"?unit={world.s1.pk}&edition={standard.pk}"
    for fmt in ("docx", "pdf"):
        response = client.get(url + f"&format={fmt}")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("documents:report"))
        message = [str(m) for m in get_messages(response.wsgi_request)][-1]
        assert "一、基本情况;二、主要做法和成效;三、存在的问题" in message
        assert "仍有“【需补充】”提示" in message
    # a unit with no report of its own: the draft is refused the same way
    url2 = reverse("documents:report_export") + f"?unit={world.s2.pk}&edition={standard.pk}"
    assert client.get(url2).status_code == 302
    finish(report, world.people.filler)
    assert client.get(url + "&format=docx").status_code == 200
    need_cjk_font()
    assert client.get(url + "&format=pdf").status_code == 200


def test_a_stored_placeholder_also_blocks_the_export(client, world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    finish(report, world.people.filler)
    ReportSection.objects.filter(report=report, position=1).update(text="共有××名党员。")
    client.force_login(world.people.filler)
    url = reverse("documents:report_export") + f"?unit={world.s1.pk}&edition={standard.pk}"
    response = client.get(url)
    assert response.status_code == 302
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "一、基本情况中" in message
    page = client.get(reverse("documents:report") + f"?unit={world.s1.pk}").content.decode()
    assert 'id="to-complete"' in page


# -- regeneration keeps the unit's edits ---------------------------------------------------


def test_regenerating_asks_first_and_changes_nothing_until_confirmed(client, world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    section = report.sections.get(position=3)
    report_section_save(
        actor=world.people.filler, section_id=section.pk, text="本校自查发现三个问题。", version=1
    )
    client.force_login(world.people.filler)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("documents:report_generate"), {"unit": world.s1.pk, "edition": standard.pk}
    )
    assert response["Location"].startswith(reverse("documents:report_regenerate"))
    assert AuditEvent.objects.count() == events
    page = client.get(response["Location"]).content.decode()
    row = page.split('id="state-3"')[1].split("</tr>")[0]
    assert "已修改" in row and 'name="replace" value="3"' in row
    assert 'name="replace" value="1"' not in page  # an unedited section is simply updated
    assert "不变" in page.split('id="state-1"')[1].split("</tr>")[0]  # same data, same text
    report_page = client.get(reverse("documents:report") + f"?unit={world.s1.pk}").content
    assert reverse("documents:report_regenerate").encode() in report_page


def test_regenerating_keeps_edited_sections_unless_ticked(client, world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    edited = report.sections.get(position=3)
    report_section_save(
        actor=world.people.filler, section_id=edited.pk, text="本校自查发现三个问题。", version=1
    )
    basic = report.sections.get(position=1)
    world.s1.headcount, world.s1.party_members = 90, 30
    world.s1.save()
    client.force_login(world.people.unit_admin)
    client.post(
        reverse("documents:report_generate"),
        {"unit": world.s1.pk, "edition": standard.pk, "seen": report_versions(report)},
    )
    edited.refresh_from_db()
    basic.refresh_from_db()
    assert edited.text == "本校自查发现三个问题。" and edited.edited
    assert "现有职工90人,其中党员30人。" in basic.text
    event = AuditEvent.objects.filter(action="report.draft").order_by("pk").last()
    assert event is not None and event.actor == world.people.unit_admin
    assert "保留本单位修改的三、存在的问题" in event.new
    # ticked: replaced, and the unit's text stays in the audit trail
    client.post(
        reverse("documents:report_generate"),
        {
            "unit": world.s1.pk,
            "edition": standard.pk,
            "seen": report_versions(report),
            "replace": ["3"],
        },
    )
    edited.refresh_from_db()
    assert edited.text != "本校自查发现三个问题。" and not edited.edited
    replaced = (
        AuditEvent.objects.filter(action="report.section", field="自查报告.三、存在的问题")
        .order_by("pk")
        .last()
    )
    assert replaced is not None and replaced.old == "本校自查发现三个问题。"


def test_regenerating_is_refused_when_the_report_changed_since_confirmation(world, standard):
    report = report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    seen = report_versions(report)
    section = report.sections.get(position=2)
    report_section_save(actor=world.people.head, section_id=section.pk, text="新做法。", version=1)
    with pytest.raises(DocumentRefused, match="已被他人修改"):
        report_generate(actor=world.people.filler, unit=world.s1, edition=standard, seen=seen)
    section.refresh_from_db()
    assert section.text == "新做法。"


def test_only_the_unit_sees_the_regeneration_page(client, world, standard):
    report_generate(actor=world.people.filler, unit=world.s1, edition=standard)
    url = reverse("documents:report_regenerate") + f"?unit={world.s1.pk}&edition={standard.pk}"
    client.force_login(world.people.supervisor)
    assert client.get(url).status_code == 403
    client.force_login(world.people.other_filler)
    assert client.get(url).status_code == 404
