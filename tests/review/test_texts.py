"""Every text of an application is checked, each with its own figure and marks: the own report,
report files uploaded for it (.txt/.docx/.pdf) or kept in its ledger, and the 说明 texts of its
indicators (a flagged paragraph names the indicator); own-report sections that say nothing of
their indicator's area are flagged; the compact fingerprint store."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
import pytest
from django.urls import reverse

from tests.campaigns.conftest import submitted_assessment
from tests.core.copycheck.texts import OWN_WORDS, TEMPLATES
from wenming.attachments.models import Attachment
from wenming.attachments.services import attachment_store
from wenming.audit.models import AuditEvent
from wenming.campaigns.models import State
from wenming.campaigns.services import application_prepare, application_sign, application_submit
from wenming.ledger.models import Activity, ActivityIndicator, ActivityType, IndicatorExplanation
from wenming.review.models import Check, Fingerprint, ReviewedText, TextKind
from wenming.review.services import (
    ReviewRefused,
    check_run,
    check_stored,
    report_file_add,
)
from wenming.review.store import unpacked

from .conftest import library, report

pytestmark = pytest.mark.django_db

BRIEFING = TEMPLATES["汇报材料范文"]
SUMMARY = TEMPLATES["工作总结范文"]
OWN = OWN_WORDS.splitlines()


def _docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _preparing(world, campaign):
    submitted_assessment(world, campaign.edition)
    return application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)


def _submit(world, application):
    application.refresh_from_db()
    application_sign(actor=world.people.head, application=application, role="head")
    application.refresh_from_db()
    return application_submit(
        actor=world.people.unit_admin, application_id=application.pk, version=application.version
    )


def _entry(check: Check, kind: str, name: str = "") -> dict[str, Any]:
    return next(
        e for e in check.result["texts"] if e["kind"] == kind and (not name or name in e["name"])
    )


def test_uploaded_report_files_are_checked_each_with_its_own_figure(client, world, campaign):
    library(world)
    report(world.s1, campaign.edition, "\n".join(OWN[1:4]))
    application = _preparing(world, campaign)
    client.force_login(world.people.filler)
    url = reverse("review:file_upload", args=[application.pk])
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    assert "上传汇报材料" in page
    answer = client.post(
        url,
        {
            "files": [
                _named(_docx(BRIEFING), "创建工作汇报材料.docx"),
                _named("\n".join(OWN[4:7]).encode("gb18030"), "工作总结.txt"),
                _named(b"PK\x03\x04", "坏.docx"),
            ]
        },
        follow=True,
    )
    page = answer.content.decode()
    assert "坏.docx:无法读取该Word文件" in page and "已上传汇报材料 2 份" in page
    uploads = ReviewedText.objects.filter(application=application, kind=TextKind.UPLOAD)
    assert sorted(uploads.values_list("name", flat=True)) == [
        "创建工作汇报材料.docx",
        "工作总结.txt",
    ]
    kept = Attachment.objects.get(owner_type="campaigns.application", owner_id=str(application.pk))
    assert kept.name == "创建工作汇报材料.docx"
    assert AuditEvent.objects.filter(action="review.upload_add").count() == 2
    # a unit's person of another unit does not even see the application
    client.force_login(world.people.other_filler)
    assert client.post(url, {"files": [_named(b"x", "a.txt")]}).status_code == 404

    application = _submit(world, application)
    assert application.state == State.IN_REVIEW
    with pytest.raises(ReviewRefused, match="提交前"):
        report_file_add(
            actor=world.people.unit_admin, application=application, name="a.txt", content=b"abc"
        )
    check = check_run(application=application)
    own, briefing, summary = (
        _entry(check, TextKind.REPORT),
        _entry(check, TextKind.UPLOAD, "汇报材料"),
        _entry(check, TextKind.UPLOAD, "工作总结"),
    )
    assert own["rate_permille"] < 50 and summary["rate_permille"] < 50
    assert briefing["rate_permille"] > 800
    [(source, _)] = briefing["sources"]
    assert ReviewedText.objects.get(pk=source).name == "汇报材料范文"
    assert check.chars == own["chars"] + briefing["chars"] + summary["chars"]
    assert (
        check.copied_chars
        == own["copied_chars"] + briefing["copied_chars"] + summary["copied_chars"]
    )

    client.force_login(world.people.supervisor)
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    assert "上传的材料:创建工作汇报材料.docx" in page and "<h2>自查报告</h2>" in page
    assert "上传的材料:工作总结.txt" in page
    assert "参考范文《汇报材料范文》" in page and "本段大部分与同一来源相同" in page
    assert "上传汇报材料" not in page  # only the unit, before submitting


def _named(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_removing_an_upload_is_audited_and_drops_its_text(client, world, campaign):
    application = _preparing(world, campaign)
    row = report_file_add(
        actor=world.people.filler,
        application=application,
        name="汇报.docx",
        content=_docx(BRIEFING),
    )
    client.force_login(world.people.filler)
    client.post(reverse("review:file_remove", args=[application.pk]), {"text": row.pk})
    assert not ReviewedText.objects.filter(pk=row.pk).exists()
    assert not Attachment.objects.filter(owner_type="campaigns.application").exists()
    assert AuditEvent.objects.filter(action="review.upload_remove").count() == 1


def test_an_uploaded_txt_downloads_as_its_text_to_those_who_see_the_application(
    client, world, campaign
):
    application = _preparing(world, campaign)
    words = "\n".join(OWN[4:7])
    txt = report_file_add(
        actor=world.people.filler,
        application=application,
        name="工作总结.txt",
        content=words.encode("gb18030"),
    )
    docx_row = report_file_add(
        actor=world.people.filler,
        application=application,
        name="汇报.docx",
        content=_docx(BRIEFING),
    )
    client.force_login(world.people.supervisor)
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    url = reverse("review:file_download", args=[application.pk, txt.pk])
    assert f'href="{url}"' in page
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in answer["Content-Disposition"]
    assert answer.content.decode("utf-8-sig") == words  # read as GBK, given back as UTF-8
    # a .docx is downloaded from the attachment store, not here; another unit sees nothing
    wrong = reverse("review:file_download", args=[application.pk, docx_row.pk])
    assert client.get(wrong).status_code == 404
    client.force_login(world.people.other_filler)
    assert client.get(url).status_code == 404


def test_an_upload_whose_text_cannot_be_saved_leaves_no_attachment(world, campaign, monkeypatch):
    import wenming.review.services as services

    application = _preparing(world, campaign)

    def failing(*args, **kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(services, "_application_row", failing)
    with pytest.raises(RuntimeError):
        report_file_add(
            actor=world.people.filler,
            application=application,
            name="汇报.docx",
            content=_docx(BRIEFING),
        )
    assert not Attachment.objects.filter(owner_type="campaigns.application").exists()
    assert not AuditEvent.objects.filter(action="attachment.add").exists()


def test_the_ledgers_report_files_are_checked_and_other_files_are_not(world, campaign):
    library(world)
    filler = world.people.filler
    kind = ActivityType.objects.get_or_create(name="会议")[0]
    activity = Activity.objects.create(
        unit=world.s1,
        activity_type=kind,
        title="年度总结会",
        day=date(2026, 3, 1),
        created_by=filler,
    )
    ActivityIndicator.objects.create(
        activity=activity, edition=campaign.edition, code="A", unit=world.s1
    )
    for name, text in (("2026年工作总结.docx", SUMMARY), ("会议签到表.docx", BRIEFING)):
        attachment_store(
            unit=world.s1,
            owner=activity,
            name=name,
            stream=io.BytesIO(_docx(text)),
            actor=filler,
        )
    report(world.s1, campaign.edition, OWN[1])
    application = _preparing(world, campaign)
    check = check_run(application=application)
    ledger = _entry(check, TextKind.UPLOAD)
    assert ledger["name"] == "2026年工作总结.docx" and ledger["rate_permille"] > 800
    assert [e["kind"] for e in check.result["texts"]] == [TextKind.REPORT, TextKind.UPLOAD]
    # checked again: the ledger's texts are replaced, not added
    check = check_run(application=application)
    assert ReviewedText.objects.filter(application=application).count() == 2


def test_explanations_are_one_paragraph_an_indicator_and_name_it(client, world, campaign):
    library(world)
    briefing = BRIEFING.splitlines()
    IndicatorExplanation.objects.create(
        unit=world.s1,
        edition=campaign.edition,
        code="A",
        text=f"{briefing[4]}\n{briefing[5]}",  # two lines of a template: one paragraph
        updated_by=world.people.filler,
    )
    IndicatorExplanation.objects.create(
        unit=world.s1,
        edition=campaign.edition,
        code="B",
        text=OWN[3],
        updated_by=world.people.filler,
    )
    application = _preparing(world, campaign)
    check = check_run(application=application)
    entry = _entry(check, TextKind.EXPLANATION)
    assert entry["labels"] == ["A 办学条件", "B 队伍建设"]
    first, second = entry["paragraphs"]
    assert first["copied"] and not second["copied"]
    client.force_login(world.people.filler)
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    assert "<h2>指标说明</h2>" in page
    flagged = page.split("A 办学条件:", 1)[1].split("B 队伍建设:", 1)[0]
    assert "本段大部分与同一来源相同" in flagged


ON_TOPIC = "## (一)办学条件\n今年新建塑胶跑道一条,生均校舍建筑面积达到七平方米,图书馆藏书两万册。"
OFF_TOPIC = "## (二)队伍建设\n春节前组织了文艺汇演和书法比赛,职工踊跃报名,气氛热烈。"


def test_a_section_that_says_nothing_of_its_indicators_area_is_flagged(client, world, campaign):
    report(
        world.s1, campaign.edition, "一、基本情况\n本校始建于1958年。", f"{ON_TOPIC}\n{OFF_TOPIC}"
    )
    application = _preparing(world, campaign)
    check = check_run(application=application)
    [found] = _entry(check, TextKind.REPORT)["off_topic"]
    assert found["heading"] == "(二)队伍建设" and found["area"] == "队伍建设"
    assert found["examples"] == ["教师配备", "校长与管理队伍", "师德师风", "教师专业发展"]
    # the unit sees it before it submits
    client.force_login(world.people.filler)
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    assert "未切题的部分" in page and "没有写到“队伍建设”方面的内容" in page
    assert "本部分未提及“队伍建设”方面的内容" in page
    assert "办学条件”方面" not in page


def test_the_store_is_compact_and_a_deleted_text_leaves_no_index_rows(world, campaign):
    library(world)
    rows = list(ReviewedText.objects.filter(kind=TextKind.LIBRARY))
    distinct = sum(len(set(unpacked(row.prints)[0].tolist())) for row in rows)
    assert Fingerprint.objects.count() == distinct > 300
    assert all(-(2**31) <= h < 2**31 for h in Fingerprint.objects.values_list("hash", flat=True))
    from wenming.core.copycheck import fingerprint

    result = check_stored(fingerprint(SUMMARY))
    assert result.rate > 0.9
    doomed = rows[0]
    doomed.delete()
    assert not Fingerprint.objects.filter(text_id=doomed.pk).exists()
    assert Fingerprint.objects.count() < distinct


def test_a_peers_upload_is_named_only_to_those_who_may_read_it(client, world, campaign):
    from tests.factories import person
    from wenming.accounts.models import Role

    from .conftest import peer_school

    school = peer_school(world)
    admin = person("peer_admin", Role.UNIT_ADMIN, unit=school)
    filler = person("peer_filler", Role.UNIT_FILLER, unit=school)
    submitted_assessment(world, campaign.edition, unit=school, filler=filler, admin=admin)
    theirs = application_prepare(actor=admin, campaign=campaign, unit=school)
    text = "\n".join(OWN[2:6])
    report_file_add(actor=admin, application=theirs, name="总结.txt", content=text.encode("utf-8"))
    head = person("peer_head", Role.UNIT_HEAD, unit=school)
    application_sign(actor=head, application=theirs, role="head")
    theirs.refresh_from_db()
    theirs = application_submit(actor=admin, application_id=theirs.pk, version=theirs.version)
    check_run(application=theirs)  # an office sees an application once it is submitted
    mine = _preparing(world, campaign)
    report_file_add(
        actor=world.people.filler, application=mine, name="我的总结.txt", content=text.encode()
    )
    check = check_run(application=mine)
    assert _entry(check, TextKind.UPLOAD)["rate_permille"] > 900
    client.force_login(world.people.filler)
    page = client.get(reverse("review:application", args=[mine.pk])).content.decode()
    assert "其他单位的材料" in page and "江东区第二小学" not in page
    client.force_login(world.people.east_office)
    page = client.get(reverse("review:application", args=[mine.pk])).content.decode()
    assert "江东区第二小学上传的《总结.txt》" in page
