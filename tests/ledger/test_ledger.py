"""Recording activities, evidence status per indicator, quotas, and the binder."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import need_cjk_font
from tests.ledger.conftest import photo
from wenming.attachments.detect import image_bytes
from wenming.audit.models import AuditEvent
from wenming.jobs.models import Job
from wenming.ledger.models import Activity, ActivityType
from wenming.ledger.selectors import evidence_status, missing_evidence, quota_status
from wenming.ledger.services import (
    ActivityInput,
    LedgerRefused,
    activity_create,
    activity_delete,
    activity_types,
    confirmation_set,
)

ROOT = Path(__file__).resolve().parents[2]


def kind(name):
    activity_types()
    return ActivityType.objects.get(name=name)


def record(world, civic, *, title, day, type_name="志愿服务", codes=("C1.2",), photos=2):
    files = [
        (
            f"照片{i}.jpg",
            io.BytesIO(
                image_bytes(color=("red", "blue", "green", "black")[i % 4], size=(40 + i, 30))
            ),
        )
        for i in range(photos)
    ]
    return activity_create(
        actor=world.people.other_filler,
        unit=world.other,
        data=ActivityInput(activity_type=kind(type_name), title=title, day=day, participants=12),
        links=[(civic, c) for c in codes],
        files=files,
    )[0]


def test_only_the_unit_records_its_ledger(world, civic):
    with pytest.raises(LedgerRefused, match="只有本单位的填报员或管理员"):
        activity_create(
            actor=world.people.filler,
            unit=world.other,
            data=ActivityInput(activity_type=kind("会议"), title="x", day=date(2026, 3, 1)),
            links=[],
            files=[],
        )


def test_a_bad_file_means_nothing_is_recorded(world, civic):
    with pytest.raises(LedgerRefused, match="内容不是JPEG图片"):
        activity_create(
            actor=world.people.other_filler,
            unit=world.other,
            data=ActivityInput(activity_type=kind("会议"), title="例会", day=date(2026, 3, 1)),
            links=[(civic, "A1.2")],
            files=[("好.jpg", photo()), ("坏.jpg", io.BytesIO(b"nope"))],
        )
    assert not Activity.objects.exists()


def test_evidence_status_per_indicator(world, civic):
    today = timezone.localdate()
    record(world, civic, title="第一季度志愿服务", day=date(today.year, 1, 15))
    rows = {r.node.code: r for r in evidence_status(unit=world.other, edition=civic, as_of=today)}
    c12 = rows["C1.2"]
    assert c12.records == 1
    reasons = [c.reason for c in c12.checks]
    assert "2张照片" in reasons and "须人工确认:照片能看清单位名称" in reasons
    if today.month > 3:
        assert c12.status == "incomplete" and any("第2季度0次" in r for r in reasons)
    assert rows["A1.1"].status == "incomplete"  # no records at all
    assert (
        missing_evidence(unit=world.other, edition=civic, as_of=today)["A1.1"]
        == "没有关联的台账记录"
    )


def test_records_are_counted_in_the_month_they_happened(world, civic):
    from wenming.ledger.selectors import _facts

    record(world, civic, title="二月", day=date(2026, 2, 28), photos=1)
    record(world, civic, title="三月一日", day=date(2026, 3, 1), photos=1)
    record(world, civic, title="三月底", day=date(2026, 3, 31), photos=1)
    facts = _facts(world.other, civic, date(2026, 12, 31))["C1.2"]
    assert sorted((f.day, f.count, f.photos) for f in facts) == [
        (date(2026, 2, 1), 1, 1),
        (date(2026, 3, 1), 2, 2),
    ]


def test_an_item_waiting_only_for_a_person_shows_as_manual_on_the_self_assessment(
    client, world, civic
):
    from wenming.assessments.services import self_assessment_start
    from wenming.ledger.selectors import open_evidence

    today = timezone.localdate()
    for month in range(1, today.month + 1, 3):  # one record in every quarter begun so far
        record(world, civic, title=f"{month}月志愿服务", day=date(today.year, month, 2), photos=1)
    assert open_evidence(unit=world.other, edition=civic, as_of=today)["C1.2"] == (
        "manual",
        "须人工确认:照片能看清单位名称",
    )
    draft = self_assessment_start(actor=world.people.other_filler, unit=world.other, edition=civic)
    client.force_login(world.people.other_filler)
    html = client.get(reverse("assessments:detail", args=[draft.pk])).content.decode()
    block = html.split('data-code="C1.2"')[1].split('class="item depth')[0]
    assert '<span class="ev manual">待人工确认</span>' in block and "照片能看清单位名称" in block
    assert "不完整" not in block
    other = html.split('data-code="A1.1"')[1].split('class="item depth')[0]
    assert '<span class="ev incomplete">不完整</span>' in other


def test_manual_rule_is_ticked_by_a_person_and_audited(world, civic):
    record(world, civic, title="志愿服务", day=date(2026, 1, 15))
    confirmation_set(
        actor=world.people.other_filler,
        unit=world.other,
        edition=civic,
        code="C1.2",
        rule_index=2,
        confirmed=True,
    )
    rows = {
        r.node.code: r
        for r in evidence_status(unit=world.other, edition=civic, as_of=date(2026, 3, 1))
    }
    assert rows["C1.2"].checks[2].status == "complete"
    assert AuditEvent.objects.filter(action="ledger.confirm").exists()
    with pytest.raises(LedgerRefused, match="不需要人工确认"):
        confirmation_set(
            actor=world.people.other_filler,
            unit=world.other,
            edition=civic,
            code="C1.2",
            rule_index=1,
            confirmed=True,
        )


def test_quota_progress(world, civic):
    for month in (1, 2, 3):
        record(
            world,
            civic,
            title=f"{month}月中心组学习",
            day=date(2026, month, 10),
            type_name="中心组学习",
            codes=("A1.2",),
            photos=0,
        )
    rows = [
        r
        for r in quota_status(unit=world.other, edition=civic, as_of=date(2026, 6, 30))
        if r.quota.code == "Q1"
    ]
    assert [(r.done, r.required, r.behind) for r in rows] == [(3, 12, 9)]


def test_deleting_a_record_keeps_an_audit_event(world, civic):
    activity = record(world, civic, title="捐赠活动", day=date(2026, 2, 1), type_name="捐赠")
    activity_delete(actor=world.people.other_filler, activity=activity)
    event = AuditEvent.objects.get(action="ledger.delete")
    assert (
        "捐赠活动" in event.old
        and "附件2个" in event.old
        and event.actor == world.people.other_filler
    )


def test_record_through_the_page_with_files(client, world, civic):
    client.force_login(world.people.other_filler)
    kind("文体活动")
    response = client.post(
        reverse("ledger:new") + f"?unit={world.other.pk}",
        {
            "unit": world.other.pk,
            "activity_type": ActivityType.objects.get(name="文体活动").pk,
            "title": "职工运动会",
            "day": "2026-05-01",
            "participants": "80",
            "indicators": [f"{civic.pk}:C3.2"],
            "files": [
                SimpleUploadedFile("运动会.jpg", image_bytes("blue")),
                SimpleUploadedFile("运动会(副本).jpg", image_bytes("blue")),
            ],
        },
    )
    activity = Activity.objects.get(title="职工运动会")
    assert response["Location"] == reverse("ledger:detail", args=[activity.pk])
    assert (activity.photo_count, activity.file_count) == (2, 2)
    html = client.get(response["Location"], follow=True).content.decode()
    assert "职工运动会" in html and "运动会.jpg" in html
    listing = client.get(reverse("ledger:list") + f"?unit={world.other.pk}").content.decode()
    assert "职工运动会" in listing and "C3.2" in listing


def test_other_units_cannot_see_the_ledger(client, world, civic):
    activity = record(world, civic, title="内部会议", day=date(2026, 2, 1), type_name="会议")
    client.force_login(world.people.filler)
    assert client.get(reverse("ledger:detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("ledger:list") + f"?unit={world.other.pk}").status_code == 404
    assert client.get(reverse("ledger:evidence") + f"?unit={world.other.pk}").status_code == 404


def _run_worker() -> None:
    """Run the real database-backed worker, as `wenming serve` does, in its own process."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WENMING_DATA_DIR": os.environ.get("WENMING_DATA_DIR", ""),
        "WENMING_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    env = {k: v for k, v in env.items() if v}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--interval",
            "0.1",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.django_db(transaction=True)
def test_binder_is_built_in_the_background_and_downloaded(
    client, world, civic, django_capture_on_commit_callbacks
):
    need_cjk_font()  # the binder's table of contents is a PDF
    record(world, civic, title="志愿服务进社区", day=date(2026, 1, 15), photos=3)
    record(
        world,
        civic,
        title="中心组学习",
        day=date(2026, 2, 10),
        type_name="中心组学习",
        codes=("A1.2", "B1.1"),
        photos=1,
    )
    client.force_login(world.people.other_filler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ledger:binder"), {"unit": world.other.pk, "edition": civic.pk}
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    _run_worker()
    job.refresh_from_db()
    assert job.status == "done", job.error
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已完成" in page and "下载" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    root = "江西区人民医院迎检材料"
    assert f"{root}/00_索引.xlsx" in names and f"{root}/00_目录.pdf" in names
    c12 = [n for n in names if "/C1.2 常态化志愿服务活动/" in n]
    assert any(n.endswith("说明.txt") for n in c12)
    assert sum(1 for n in c12 if n.endswith(".jpg")) == 3
    assert any("/A1.2 " in n and n.endswith("记录.txt") for n in names) and any(
        "/B1.1 " in n and n.endswith("记录.txt") for n in names
    )
    # another person cannot fetch it
    client.force_login(world.people.filler)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_binder_keeps_a_title_with_control_characters_and_every_file(world, civic):
    """A title pasted from Word may hold a vertical tab: the index sheet drops it, the binder
    is still built, and every linked file is in it byte for byte."""
    import openpyxl

    from wenming.attachments.services import attachments_of, content_path
    from wenming.ledger.binder import build_binder

    need_cjk_font()
    activity = record(
        world, civic, title="志愿\x0b服务", day=date(2026, 1, 15), codes=("C1.2", "A1.2"), photos=2
    )
    job = Job.objects.create(
        kind="binder", label="迎检", owner=world.people.other_filler, unit=world.other,
        params={"edition": civic.pk},
    )  # fmt: skip
    result = build_binder(job, lambda done, total, message: None)
    with zipfile.ZipFile(result) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        photos = [n for n in names if n.endswith(".jpg")]
        assert len(photos) == 4  # two photos in each of the two indicator folders
        stored = {a.name: a.file for a in attachments_of(activity)}
        for name in photos:
            expected = content_path(stored[name.rsplit("/", 1)[1]].sha256).read_bytes()
            assert archive.read(name) == expected
        root = "江西区人民医院迎检材料"
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read(f"{root}/00_索引.xlsx"))).active
        assert sheet is not None
        titles = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert titles == {"志愿服务"}
        assert archive.read(f"{root}/00_目录.pdf").startswith(b"%PDF-")
    result.unlink()


def test_editing_a_record_changes_fields_and_links_and_is_audited(client, world, civic):
    activity = record(world, civic, title="志愿服务", day=date(2026, 1, 15), photos=1)
    client.force_login(world.people.other_filler)
    form = client.get(reverse("ledger:edit", args=[activity.pk])).content.decode()
    assert 'value="志愿服务"' in form and f'value="{civic.pk}:C1.2" checked' in form
    # one checkbox per indicator, folded by framework and first-level indicator (usable on a
    # phone, unlike one long multi-select); the group holding the link is open and counted
    assert '<select name="indicators"' not in form
    assert '<details class="picker-group" open><summary>C ' in form and "已选1项" in form
    response = client.post(
        reverse("ledger:edit", args=[activity.pk]),
        {
            "activity_type": activity.activity_type_id,
            "title": "“学雷锋”志愿服务",
            "day": "2026-01-16",
            "participants": "30",
            "indicators": [f"{civic.pk}:C1.2", f"{civic.pk}:C2.2"],
        },
    )
    assert response["Location"] == reverse("ledger:detail", args=[activity.pk])
    activity.refresh_from_db()
    assert (
        activity.title == "“学雷锋”志愿服务"
        and activity.day == date(2026, 1, 16)
        and activity.participants == 30
    )
    assert sorted(activity.indicators.values_list("code", flat=True)) == ["C1.2", "C2.2"]
    changes = {e.field: (e.old, e.new) for e in AuditEvent.objects.filter(action="ledger.update")}
    assert changes["标题"] == ("志愿服务", "“学雷锋”志愿服务") and changes["关联指标"] == (
        "C1.2",
        "C1.2、C2.2",
    )
    client.force_login(world.people.city_office)
    assert (
        client.post(reverse("ledger:edit", args=[activity.pk]), {"title": "x"}).status_code == 403
    )
    client.force_login(world.people.filler)
    assert client.get(reverse("ledger:edit", args=[activity.pk])).status_code == 404


def test_binder_is_not_built_for_a_unit_the_owner_no_longer_sees(world, civic):
    """The job asks the scope again when it runs (fixed: it used the unit it was started for)."""
    from django.http import Http404

    from wenming.ledger.binder import build_binder

    job = Job.objects.create(
        kind="binder", label="迎检", owner=world.people.head, unit=world.other,
        params={"edition": civic.pk},
    )  # fmt: skip
    with pytest.raises(Http404):
        build_binder(job, lambda *progress: None)
