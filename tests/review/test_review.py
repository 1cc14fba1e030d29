"""The material review in the product: library, background check on submission, review page,
verdicts, a campaign's ranking, and scope (a unit never reads another unit's text)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.core.copycheck.texts import OWN_WORDS, TEMPLATES, lightly_edited
from wenming.audit.models import AuditEvent
from wenming.campaigns.models import State
from wenming.jobs.models import Job
from wenming.jobs.services import job_run
from wenming.review.jobs import KIND
from wenming.review.models import Check, Fingerprint, ReviewedText, TextKind
from wenming.review.services import ReviewRefused, check_run, library_upload, verdict_record

from .conftest import library, peer_school, report, submitted

pytestmark = pytest.mark.django_db

COPIED = TEMPLATES["自查报告范文"].splitlines()
OWN = OWN_WORDS.splitlines()


def _copied_report(world, campaign):
    report(
        world.s1,
        campaign.edition,
        "\n".join([OWN[1], *COPIED[6:9]]),
        "我单位共有职工××名，每年编发报表份。",
    )


def test_the_library_takes_many_files_at_once_and_refuses_all_for_one_bad(world):
    library(world)
    assert ReviewedText.objects.filter(kind=TextKind.LIBRARY).count() == 3
    assert Fingerprint.objects.count() > 300
    assert AuditEvent.objects.filter(action="review.library_add").count() == 3
    with pytest.raises(ReviewRefused, match=r"坏\.docx:无法读取该Word文件"):
        library_upload(
            actor=world.people.east_office,
            files=[("好.txt", "自己的文字".encode()), ("坏.docx", b"PK\x03\x04")],
        )
    assert ReviewedText.objects.filter(name="好").count() == 0
    with pytest.raises(ReviewRefused, match="只有测评办公室"):
        library_upload(actor=world.people.filler, files=[("a.txt", b"x")])


def test_submission_checks_the_report_in_the_background(
    world, campaign, django_capture_on_commit_callbacks
):
    library(world)
    _copied_report(world, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(world, campaign)
    job = Job.objects.get(kind=KIND)
    assert job.owner == world.people.unit_admin and job.params["application"] == application.pk
    job_run(job.pk)
    check = Check.objects.get(application=application)
    assert 0.4 < check.rate < 0.95
    assert check.placeholders == 2
    [report_marks] = check.result["texts"]
    assert report_marks["kind"] == TextKind.REPORT and check.text_id == report_marks["text"]
    [source] = report_marks["sources"]
    assert ReviewedText.objects.get(pk=source[0]).name == "自查报告范文"


def test_the_review_page_marks_sources_and_placeholders(client, world, campaign):
    library(world)
    _copied_report(world, campaign)
    application = submitted(world, campaign)
    check_run(application=application)
    client.force_login(world.people.supervisor)
    page = client.get(reverse("review:application", args=[application.pk])).content.decode()
    assert "参考范文《自查报告范文》" in page
    assert '<span class="src0">' in page and '<mark class="ph" title="符号占位">××</mark>' in page
    assert "缺少数字" in page and "相同段落对照" in page
    assert "审查通过" in page  # the supervisor acts on this step
    detail = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert "材料审查" in detail and "与来源相同" in detail


def test_a_unit_sees_its_marks_but_never_a_peers_text(client, world, campaign):
    library(world)
    school = peer_school(world)
    report(school, campaign.edition, "\n".join(OWN[2:6]))
    peer = submitted(world, campaign, unit=school)
    check_run(application=peer)
    report(world.s1, campaign.edition, lightly_edited("\n".join(OWN[2:6])))
    mine = submitted(world, campaign)
    check = check_run(application=mine)
    assert check.rate > 0.7
    client.force_login(world.people.filler)
    page = client.get(reverse("review:application", args=[mine.pk])).content.decode()
    assert "其他单位的材料" in page and "无权查看其他单位的材料原文" in page
    assert "江东区第二小学" not in page and OWN[3][10:30] not in page.replace(
        lightly_edited(OWN[3])[10:30], ""
    )
    assert "审查通过" not in page
    client.force_login(world.people.east_office)
    page = client.get(reverse("review:application", args=[mine.pk])).content.decode()
    assert "江东区第二小学" in page
    client.force_login(world.people.other_filler)
    assert client.get(reverse("review:application", args=[mine.pk])).status_code == 404


def test_a_return_verdict_is_audited_and_returns_the_application(world, campaign):
    library(world)
    _copied_report(world, campaign)
    application = submitted(world, campaign)
    check_run(application=application)
    with pytest.raises(ReviewRefused, match="退回修改时请填写理由"):
        verdict_record(
            actor=world.people.supervisor,
            application_id=application.pk,
            decision="return",
            reason=" ",
            version=application.version,
        )
    with pytest.raises(ReviewRefused, match="只有当前环节的审核人"):
        verdict_record(
            actor=world.people.filler,
            application_id=application.pk,
            decision="pass",
            reason="",
            version=application.version,
        )
    verdict_record(
        actor=world.people.supervisor,
        application_id=application.pk,
        decision="return",
        reason="第二部分抄袭范文,占位未填写",
        version=application.version,
    )
    application.refresh_from_db()
    assert application.state == State.RETURNED
    event = AuditEvent.objects.get(action="review.verdict")
    assert event.comment == "第二部分抄袭范文,占位未填写"
    transition = application.transitions.order_by("-at").first()
    assert transition is not None and "材料审查退回修改" in transition.comment


def test_a_campaign_lists_reports_by_rate_with_clusters(client, world, campaign):
    library(world)
    text = "\n".join(OWN[2:6])
    school = peer_school(world)
    report(school, campaign.edition, text)
    check_run(application=submitted(world, campaign, unit=school))
    report(world.s1, campaign.edition, text + "\n" + COPIED[7])
    check_run(application=submitted(world, campaign))
    client.force_login(world.people.east_office)
    page = client.get(reverse("review:campaign", args=[campaign.pk])).content.decode()
    assert page.index("江东区第一小学") < page.index("江东区第二小学")
    assert "第1组" in page
    client.force_login(world.people.filler)
    assert client.get(reverse("review:campaign", args=[campaign.pk])).status_code == 404


def test_own_words_score_under_five_percent_in_the_product(world, campaign):
    library(world)
    report(world.s1, campaign.edition, OWN_WORDS)
    check = check_run(application=submitted(world, campaign))
    assert check.rate < 0.05


def test_the_cli_checks_against_the_stored_library(world, capsys, tmp_path):
    from wenming.cli import main

    library(world)
    path = tmp_path / "报告.txt"
    path.write_text(TEMPLATES["汇报材料范文"], encoding="utf-8")
    assert main(["report", "check", str(path)]) == 0
    assert "汇报材料范文" in capsys.readouterr().out


def test_library_page_upload_and_remove(client, world):
    client.force_login(world.people.east_office)
    url = reverse("review:library")
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [
        SimpleUploadedFile(f"{n}.txt", t.encode("utf-8")) for n, t in list(TEMPLATES.items())[:2]
    ]
    response = client.post(url, {"files": files})
    assert response.status_code == 302
    row = ReviewedText.objects.get(name="自查报告范文")
    assert "汇报材料范文" in client.get(url).content.decode()
    client.post(reverse("review:library_remove"), {"text": row.pk})
    assert not ReviewedText.objects.filter(pk=row.pk).exists()
    client.force_login(world.people.filler)
    assert client.get(url).status_code == 403


def test_quoting_the_campaigns_indicators_is_not_copying(world, campaign):
    first = "校舍建筑面积满足教育教学需要,生均校舍建筑面积小学不低于6.5平方米、初中不低于8平方米"
    second = "普通教室、专用教室、公共教学用房等教学及辅助用房面积充足,生均小学不低于4.5平方米、初中不低于5.8平方米"
    school = peer_school(world)
    report(
        school,
        campaign.edition,
        f"按照“{first}”这一条,本校去年扩建了食堂和宿舍。\n为达到“{second}”,本校向区里申请了专项资金。",
    )
    check_run(application=submitted(world, campaign, unit=school))
    report(
        world.s1,
        campaign.edition,
        f"对照“{first}”的要求,我校新建了一栋教学楼。\n我们把两间仓库改成实验室,做到“{second}”。",
    )
    assert check_run(application=submitted(world, campaign)).rate < 0.05
