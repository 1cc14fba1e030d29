"""On-site scoring end to end: several experts, offline re-sends, reconciliation, signing,
recording the result, and who may see what."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.core.helpers import full_marks
from wenming.audit.models import AuditEvent
from wenming.campaigns.models import Application, Evaluation
from wenming.frameworks.selectors import engine_of
from wenming.onsite.assignments import assignment_create
from wenming.onsite.errors import NOT_ASSIGNED, NOT_LEADER, REASON_REQUIRED, OnsiteRefused
from wenming.onsite.models import Score, Sheet, SheetState
from wenming.onsite.reconciliation import figure, reconcile
from wenming.onsite.scoring import score_record, scores_sync
from wenming.onsite.sheets import decision_set, sheet_record, sheet_reopen, sheet_sign
from wenming.onsite.teams import onsite_settings_save

pytestmark = pytest.mark.django_db


def entries_for(engine, assignment, *, overrides=None):
    """Full marks for every leaf, as a phone would send them (one client id per item)."""
    out = []
    for code, item in full_marks(engine).items():
        entry = {
            "client_id": str(uuid.uuid4()),
            "assignment": assignment.pk,
            "code": code,
            "value": str(engine.styles[code].render(item.value)),
            "reason": "",
            "entered_at": timezone.now().isoformat(),
        }
        entry.update((overrides or {}).get(code, {}))
        out.append(entry)
    return out


@pytest.fixture
def scored(world, onsite):
    """Team one at 第一小学; three experts have scored every item (赵 gives B2.3 8 of 10)."""
    application = onsite.applications[0]
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=application
    )
    engine = engine_of(onsite.campaign.edition)
    sent = {}
    for expert in (onsite.experts.a, onsite.experts.b, onsite.experts.c):
        overrides = {}
        if expert is onsite.experts.a:
            overrides = {"B2.3": {"value": "8", "reason": "功能室使用记录不全"}}
        if expert is onsite.experts.b:
            overrides = {"B2.3": {"value": "3", "reason": "实验室记录缺两个月"}}
        sent[expert.name] = entries_for(engine, assignment, overrides=overrides)
        answers = scores_sync(actor=expert.user, entries=sent[expert.name])
        assert all(a.ok for a in answers), [a.error for a in answers if not a.ok][:3]
    return assignment, engine, sent


def test_entries_synchronised_twice_are_stored_once(onsite, scored):
    _assignment, engine, sent = scored
    count = Score.objects.count()
    assert count == 3 * len(engine.styles)
    # the connection dropped before the answer arrived: the phone sends everything again
    answers = scores_sync(actor=onsite.experts.a.user, entries=sent["赵专家"])
    assert all(a.ok for a in answers)
    assert Score.objects.count() == count
    assert Score.objects.get(expert=onsite.experts.a.user, code="B2.3").value == "8"


def test_a_later_edit_of_an_entry_updates_it_and_an_older_copy_does_not(onsite, scored):
    _assignment, _, sent = scored
    entry = next(e for e in sent["赵专家"] if e["code"] == "B2.3")
    newer = {**entry, "value": "9", "entered_at": (timezone.now()).isoformat()}
    score_record(actor=onsite.experts.a.user, entry=newer)
    older = {**entry, "value": "7", "entered_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    score_record(actor=onsite.experts.a.user, entry=older)
    stored = Score.objects.get(expert=onsite.experts.a.user, code="B2.3")
    assert (stored.value, stored.score_centi) == ("9", 900)
    assert AuditEvent.objects.filter(
        action="onsite.score", field="B2.3", new__startswith="9"
    ).exists()


def test_a_deduction_needs_a_reason(onsite, scored):
    assignment, _, _ = scored
    entry = {
        "client_id": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "code": "B3.3",
        "value": "5",
        "entered_at": timezone.now().isoformat(),
    }
    (answer,) = scores_sync(actor=onsite.experts.c.user, entries=[entry])
    assert not answer.ok and REASON_REQUIRED in answer.error


def test_an_expert_cannot_score_a_unit_not_assigned_to_their_team(world, onsite, scored):
    assignment, engine, _ = scored
    for stranger in (onsite.experts.town.user, world.people.filler, world.people.east_office):
        (answer,) = scores_sync(actor=stranger, entries=entries_for(engine, assignment)[:1])
        assert not answer.ok and answer.error == NOT_ASSIGNED


def test_reconciliation_signing_and_recording_end_to_end(world, onsite, scored):
    assignment, engine, _ = scored
    application = assignment.application
    leader, member = onsite.experts.a.user, onsite.experts.b.user
    report = reconcile(onsite.campaign)
    assert report.sheets == 1 and report.items == len(engine.styles)
    sheet = Sheet.objects.get(application=application)
    figure, n, low, high, flagged = sheet.items["B2.3"]
    assert (figure, n, low, high) == (700, 3, 300, 1000)  # mean of 8, 3 and 10
    assert flagged  # a spread of 7 points is 70% of 10
    assert not sheet.items["B3.3"][4]

    with pytest.raises(OnsiteRefused, match=NOT_LEADER):
        sheet_sign(actor=member, application=application)
    sheet_sign(actor=leader, application=application)
    assert Sheet.objects.get(application=application).state == SheetState.SIGNED
    with pytest.raises(OnsiteRefused, match="合议表已签署锁定"):
        score_record(
            actor=member,
            entry={
                "client_id": str(uuid.uuid4()),
                "assignment": assignment.pk,
                "code": "B2.3",
                "value": "10",
            },
        )
    # a later change: reopen with a reason, decide, sign again with a reason
    with pytest.raises(OnsiteRefused, match="须填写理由"):
        sheet_reopen(actor=leader, application=application, reason=" ")
    sheet_reopen(actor=leader, application=application, reason="复核实验室记录")
    with pytest.raises(OnsiteRefused, match="组长裁定必须填写理由"):
        decision_set(actor=leader, application=application, code="B2.3", value="7", reason="")
    decision_set(
        actor=leader, application=application, code="B2.3", value="7", reason="合议认定扣3分"
    )
    with pytest.raises(OnsiteRefused, match="重新签署须填写变更理由"):
        sheet_sign(actor=leader, application=application)
    signature = sheet_sign(actor=leader, application=application, reason="B2.3 组长裁定")
    assert signature.content["items"]["B2.3"]["value"] == "7"
    assert Sheet.objects.get(application=application).signatures.count() == 2

    with pytest.raises(OnsiteRefused, match="您不是该环节的审核人"):
        sheet_record(actor=leader, application=application)
    evaluation = sheet_record(actor=world.people.east_office, application=application)
    assert evaluation.source == "onsite"
    full = engine.total_max
    assert evaluation.total_centi == full - 300
    application = Application.objects.get(pk=application.pk)
    assert application.result_centi == full - 300
    assert Evaluation.objects.filter(application=application, source="onsite").count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"onsite.sign", "onsite.reopen", "onsite.decide", "application.result"} <= actions


def test_the_median_and_trimmed_mean_rules(world, onsite, scored):
    assignment, _, _ = scored
    for rule, expected in (("median", 800), ("trimmed", 800), ("mean", 700)):
        onsite_settings_save(
            actor=world.people.east_office,
            campaign=onsite.campaign,
            rule=rule,
            exclude_own_township=False,
        )
        reconcile(onsite.campaign)
        assert Sheet.objects.get(application=assignment.application).items["B2.3"][0] == expected


def test_rule_figures_in_hundredths():
    scores = [300, 800, 1000, 1000]
    args = (len(scores), sum(scores), min(scores), max(scores), scores)
    assert figure("mean", *args) == 775
    assert figure("median", *args) == 900
    assert figure("trimmed", *args) == 900
    assert figure("trimmed", 2, 1100, 300, 800, [300, 800]) == 550  # too few to trim
    assert figure("mean", 3, 1000, 0, 500, None) == 333  # half-up to a hundredth


def test_the_leader_rule_needs_a_decision_where_experts_differ(world, onsite, scored):
    assignment, _, _ = scored
    onsite_settings_save(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        rule="leader",
        exclude_own_township=False,
    )
    with pytest.raises(OnsiteRefused, match=r"须组长裁定.*B2\.3"):
        sheet_sign(actor=onsite.experts.a.user, application=assignment.application)
    decision_set(
        actor=onsite.experts.a.user,
        application=assignment.application,
        code="B2.3",
        value="8",
        reason="取组长现场核实结果",
    )
    sheet_sign(actor=onsite.experts.a.user, application=assignment.application)


def test_pages_show_an_expert_only_their_assignments(client, world, onsite, scored):
    assignment, _, _ = scored
    client.force_login(onsite.experts.b.user)
    page = client.get(reverse("onsite:mine"))
    assert "江东区第一小学" in page.content.decode()
    assert client.get(reverse("onsite:score", args=[assignment.pk])).status_code == 200
    assert client.get(reverse("onsite:sheet", args=[assignment.pk])).status_code == 200
    for stranger in (onsite.experts.town.user, world.people.other_filler, world.people.filler):
        client.force_login(stranger)
        assert "江东区第一小学" not in client.get(reverse("onsite:mine")).content.decode()
        assert client.get(reverse("onsite:score", args=[assignment.pk])).status_code == 404
        assert client.get(reverse("onsite:sheet", args=[assignment.pk])).status_code == 404


def test_the_sync_endpoint_answers_each_entry_by_its_client_id(client, onsite, scored):
    _assignment, engine, sent = scored
    client.force_login(onsite.experts.c.user)
    batch = sent["孙专家"][:5]
    for _ in range(2):
        response = client.post(
            reverse("onsite:sync"), json.dumps({"entries": batch}), content_type="application/json"
        )
        assert response.status_code == 200
        assert [a["client_id"] for a in response.json()["answers"]] == [
            e["client_id"] for e in batch
        ]
    assert Score.objects.filter(expert=onsite.experts.c.user).count() == len(engine.styles)
    bad = client.post(reverse("onsite:sync"), "nonsense", content_type="application/json")
    assert bad.status_code == 400


def test_the_sheet_shows_self_assessment_and_evaluation_side_by_side(client, onsite, scored):
    assignment, _, _ = scored
    client.force_login(onsite.experts.a.user)
    html = client.get(reverse("onsite:sheet", args=[assignment.pk])).content.decode()
    assert "自评得分" in html and "测评得分" in html and "赵专家" in html and "钱专家" in html
    assert 'class="num diff"' in html  # B2.3 differs (self-assessment not filled in)


def test_scores_from_the_phone_bring_the_sheet_up_to_date_at_once(onsite, scored):
    assignment, engine, sent = scored
    sheet = Sheet.objects.get(application=assignment.application)
    assert sheet.item_count == len(engine.styles)
    assert sheet.items["B2.3"][:4] == [(1000 + 800 + 300 + 1) // 3, 3, 300, 1000]
    entry = next(e for e in sent["钱专家"] if e["code"] == "B2.3")
    (answer,) = scores_sync(
        actor=onsite.experts.b.user,
        entries=[{**entry, "value": "6", "entered_at": timezone.now().isoformat()}],
    )
    assert answer.ok
    sheet.refresh_from_db()
    assert sheet.items["B2.3"][:4] == [(1000 + 800 + 600 + 1) // 3, 3, 600, 1000]


def test_an_expert_editing_one_entry_updates_the_sheet_in_the_same_transaction(onsite, scored):
    assignment, _, sent = scored
    entry = next(e for e in sent["赵专家"] if e["code"] == "B2.3")
    score_record(
        actor=onsite.experts.a.user,
        entry={**entry, "value": "10", "reason": "", "entered_at": timezone.now().isoformat()},
    )
    items = Sheet.objects.get(application=assignment.application).items
    assert items["B2.3"][:4] == [(1000 + 1000 + 300 + 1) // 3, 3, 300, 1000]


def test_opening_the_sheet_writes_nothing(client, world, onsite, scored):
    assignment, _, _ = scored
    before = Sheet.objects.get(application=assignment.application)
    client.force_login(onsite.experts.a.user)
    assert client.get(reverse("onsite:sheet", args=[assignment.pk])).status_code == 200
    after = Sheet.objects.get(application=assignment.application)
    assert (after.version, after.reconciled_at) == (before.version, before.reconciled_at)


def test_a_sheet_with_no_scores_yet_says_so(client, world, onsite):
    assignment = assignment_create(
        actor=world.people.east_office,
        team=onsite.teams.one,
        application=onsite.applications[0],
    )
    client.force_login(onsite.experts.a.user)
    html = client.get(reverse("onsite:sheet", args=[assignment.pk])).content.decode()
    assert "尚未合议" in html
    assert not Sheet.objects.filter(application=assignment.application).exists()


def test_the_signed_sheets_deductions_become_problems_once(world, onsite, scored):
    from wenming.onsite.problems import problems_from_sheet
    from wenming.rectification.models import Problem

    assignment, _, _ = scored
    application = assignment.application
    with pytest.raises(OnsiteRefused, match="须经组长签署"):
        problems_from_sheet(actor=world.people.east_office, application=application)
    sheet_sign(actor=onsite.experts.a.user, application=application)
    created = problems_from_sheet(actor=world.people.east_office, application=application)
    assert [p.indicator_code for p in created] == ["B2.3"]
    assert created[0].source == "expert" and "扣3分" in created[0].title
    assert problems_from_sheet(actor=world.people.east_office, application=application) == []
    assert Problem.objects.count() == 1


def test_list_pages_make_a_fixed_number_of_queries(
    client, world, onsite, scored, django_assert_max_num_queries
):
    from wenming.onsite.assignments import assignments_auto

    assignments_auto(actor=world.people.east_office, campaign=onsite.campaign)
    client.force_login(onsite.experts.a.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("onsite:mine")).status_code == 200
    client.force_login(world.people.east_office)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("onsite:campaign", args=[onsite.campaign.pk]))
    assert page.status_code == 200 and "第一组" in page.content.decode()
    assert onsite.campaign.name in client.get(reverse("onsite:mine")).content.decode()


def photo_with_exif() -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:05:01 09:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (30.0, 35.0, 24.0), "E", (114.0, 17.0, 60.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_keeps_the_time_and_place_it_was_taken(client, settings, tmp_path, onsite, scored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenming.onsite.models import Photo

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment, _, _ = scored
    client.force_login(onsite.experts.a.user)
    upload = SimpleUploadedFile("现场.jpg", photo_with_exif(), content_type="image/jpeg")
    response = client.post(
        reverse("onsite:photo", args=[assignment.pk]), {"code": "B2.3", "photo": upload}
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.score.code == "B2.3" and photo.score.expert == onsite.experts.a.user
    assert timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-05-01 09:30"
    assert (str(photo.latitude), str(photo.longitude)) == ("30.590000", "114.300000")
    page = client.get(reverse("onsite:score", args=[assignment.pk])).content.decode()
    assert "2026-05-01 09:30" in page and "30.59" in page
    # another expert of the team cannot attach photos to it (their own entry is another row)
    client.force_login(onsite.experts.town.user)
    other = SimpleUploadedFile("x.jpg", photo_with_exif(), content_type="image/jpeg")
    assert (
        client.post(
            reverse("onsite:photo", args=[assignment.pk]), {"code": "B2.3", "photo": other}
        ).status_code
        == 404
    )
    assert Photo.objects.count() == 1


def test_an_expert_who_scores_low_everywhere_is_flagged_with_mean_deviation_and_z(world, onsite):
    from wenming.onsite.reconciliation import expert_deviations
    from wenming.onsite.selectors import settings_of

    a, b, c = (onsite.experts.a.user, onsite.experts.b.user, onsite.experts.c.user)
    rows = []
    for n, application in enumerate(onsite.applications[:4]):
        for i in range(20):
            fair = 1000 - (i % 3) * 100 - n * 50
            for expert, centi in ((a, fair), (b, fair + (50 if i % 2 else -50)), (c, fair - 120)):
                rows.append(
                    Score(
                        expert=expert,
                        client_id=uuid.uuid4(),
                        campaign=onsite.campaign,
                        application=application,
                        code=f"X{i}",
                        value=str(centi / 100),
                        score_centi=centi,
                        points_centi=1000,
                        entered_at=timezone.now(),
                    )
                )
    Score.objects.bulk_create(rows)  # loaded past the services: the office reconciles
    stats = {d.expert_id: d for d in reconcile(onsite.campaign).experts}
    assert stats == {
        d.expert_id: d for d in expert_deviations(onsite.campaign, settings_of(onsite.campaign))
    }
    low = stats[c.pk]
    assert low.flagged and low.n == 80
    assert low.mean == pytest.approx(-8, abs=0.01)  # 120 below a mean it pulls down by 40
    assert low.z < -3
    # the others sit 4% above the mean the low scorer pulls down: below the 5% bias threshold
    for fair in (a, b):
        assert stats[fair.pk].mean == pytest.approx(4, abs=0.01)
        assert not stats[fair.pk].flagged


def test_an_assigned_expert_reads_the_units_evidence_and_no_other_units(client, onsite, scored):
    assignment, _, _ = scored
    edition = onsite.campaign.edition.pk
    client.force_login(onsite.experts.b.user)
    url = reverse("ledger:evidence")
    assert client.get(url, {"unit": assignment.unit_id, "edition": edition}).status_code == 200
    other = onsite.applications[1].unit_id
    assert client.get(url, {"unit": other, "edition": edition}).status_code == 404
    # reading is all: the ledger refuses the expert's writes
    client.post(
        url + f"?unit={assignment.unit_id}&edition={edition}",
        {"unit": assignment.unit_id, "edition": edition, "code": "A1.1", "explanation": "专家写入"},
    )
    from wenming.ledger.models import IndicatorExplanation

    assert not IndicatorExplanation.objects.exists()


def test_a_photo_sent_again_with_its_client_id_is_kept_once(
    client, settings, tmp_path, onsite, scored
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenming.attachments.detect import image_bytes
    from wenming.onsite.models import Photo

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment, _, _ = scored
    client.force_login(onsite.experts.a.user)
    url = reverse("onsite:photo", args=[assignment.pk])

    def send(code: str, client_id: str, color: str = "red") -> dict[str, Any]:
        upload = SimpleUploadedFile("现场.jpg", image_bytes(color), content_type="image/jpeg")
        answer: dict[str, Any] = client.post(
            url,
            {"code": code, "photo": upload, "client_id": client_id},
            headers={"Accept": "application/json"},
        ).json()
        return answer

    assert send("B2.3", "c-1") == {"ok": True, "error": "", "retry": False}
    assert send("B2.3", "c-1")["ok"]  # sent again after a lost answer
    assert send("B2.3", "c-2", "blue")["ok"]
    assert Photo.objects.count() == 2
    assert sorted(Photo.objects.values_list("client_id", flat=True)) == ["c-1", "c-2"]
    # a photo for an item not scored yet waits on the phone (retry), it is not refused
    assert send("Z9.9", "c-3") == {
        "ok": False,
        "error": "请先为该项评分,再上传照片",
        "retry": True,
    }


def test_the_same_photo_arriving_twice_at_once_is_kept_once(
    client, settings, tmp_path, onsite, scored, monkeypatch
):
    """A phone retries while its first upload is still being stored: the second upload does
    not see the first when it looks, and meets it at the database's unique key instead."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenming.attachments.detect import image_bytes
    from wenming.onsite import scoring
    from wenming.onsite.models import Photo

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment, _, _ = scored
    client.force_login(onsite.experts.a.user)
    url = reverse("onsite:photo", args=[assignment.pk])

    def send() -> dict[str, Any]:
        upload = SimpleUploadedFile("现场.jpg", image_bytes("red"), content_type="image/jpeg")
        answer: dict[str, Any] = client.post(
            url,
            {"code": "B2.3", "photo": upload, "client_id": "c-1"},
            headers={"Accept": "application/json"},
        ).json()
        return answer

    assert send()["ok"]
    first = Photo.objects.get()
    monkeypatch.setattr(scoring, "_kept_photo", lambda score, client_id: None)
    assert send() == {"ok": True, "error": "", "retry": False}
    assert list(Photo.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000, "嵌套层次过深"),
        (b'{"entries": [{"client_id": "' + b"x" * 100 + b'"}]}', "文字过长"),
        (b'{"entries": ' + b"[" + b"{}," * 500 + b"{}]}", "条目过多"),
        (b'{"entries": {}}', "“entries”内容或类型不对"),
    ],
)
def test_the_sync_endpoint_refuses_hostile_bodies_in_chinese(client, onsite, body, message):
    from tests.hostile import bounded

    client.force_login(onsite.experts.c.user)
    with bounded():
        response = client.post(reverse("onsite:sync"), body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Score.objects.exists()


def test_the_sync_endpoint_refuses_an_oversized_body_unread(client, onsite):
    client.force_login(onsite.experts.c.user)
    response = client.post(
        reverse("onsite:sync"), b" " * (1024 * 1024 + 1), content_type="application/json"
    )
    assert response.status_code == 400 and "数据过大" in response.json()["error"]


def test_a_batch_from_the_phone_is_written_at_once(onsite, scored):
    """Thousands of phones sync in the test week: a batch of 30 new entries reads the
    assignment (with its sheet's state) once, the expert's earlier copies in one query and
    inserts the new scores in one statement; what is left per entry is its audit event (linked
    at the commit in production; here, under the test's transaction, at once: two queries)."""
    from django.test.utils import CaptureQueriesContext

    _assignment, _engine, sent = scored
    Score.objects.filter(expert=onsite.experts.c.user).delete()
    batch = [{**e, "client_id": str(uuid.uuid4())} for e in sent["孙专家"][:30]]
    with CaptureQueriesContext(connection) as queries:
        answers = scores_sync(actor=onsite.experts.c.user, entries=batch)
    assert all(a.ok for a in answers)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if q.startswith('INSERT INTO "onsite_score"')]) == 1
    assert len([q for q in sql if 'FROM "onsite_score"' in q and "FOR UPDATE" in q]) <= 1
    # the batch's transaction and savepoint and the sheets' refresh (each a savepoint under the
    # test's transaction); none an entry
    assert len([q for q in sql if q.startswith("SAVEPOINT")]) <= 3
    assert len(sql) <= 30 * 2 + 20, len(sql)
    assert Score.objects.filter(expert=onsite.experts.c.user).count() == 30
    assert (
        AuditEvent.objects.filter(action="onsite.score", actor=onsite.experts.c.user).count() >= 30
    )


def test_a_batch_holding_one_item_twice_keeps_the_later_entry(onsite, scored):
    """A phone that lost its queue's order sends an item twice (two client ids) and another
    entry twice (one client id, edited): the batch is written entry by entry, as sent."""
    _assignment, _engine, sent = scored
    expert = onsite.experts.c.user
    Score.objects.filter(expert=expert).delete()
    first, second = sent["孙专家"][0], sent["孙专家"][1]
    later = timezone.now()
    batch = [
        first,
        {**first, "client_id": str(uuid.uuid4()), "value": "1", "reason": "记录缺失"},
        second,
        {**second, "value": "0", "reason": "未开展", "entered_at": later.isoformat()},
    ]
    answers = scores_sync(actor=expert, entries=batch)
    assert all(a.ok for a in answers)
    kept = {s.code: s for s in Score.objects.filter(expert=expert)}
    assert len(kept) == 2  # one row an item
    assert (kept[first["code"]].value, kept[first["code"]].reason) == ("1", "记录缺失")
    assert kept[second["code"]].value == "0"


def test_a_batch_another_connection_wrote_first_is_written_entry_by_entry(
    onsite, scored, monkeypatch
):
    """The same entry arrives on two connections at once (a retry while the first answer was
    on its way): the batch's insert fails on the unique client id and the batch is written
    again entry by entry; nothing is lost or stored twice, and no audit event is doubled."""
    _assignment, _engine, sent = scored
    expert = onsite.experts.c.user
    Score.objects.filter(expert=expert).delete()
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    batch = [{**e, "client_id": str(uuid.uuid4())} for e in sent["孙专家"][:10]]
    real = Score.objects.bulk_create
    collided: list[bool] = []

    def another_connection_first(scores, *args, **kwargs):
        if not collided:  # the other request inserted the first entry a moment earlier
            collided.append(True)
            twin = scores[0]
            Score.objects.create(
                **{f.attname: getattr(twin, f.attname) for f in Score._meta.concrete_fields[1:]}
            )
        return real(scores, *args, **kwargs)

    monkeypatch.setattr(Score.objects, "bulk_create", another_connection_first)
    answers = scores_sync(actor=expert, entries=batch)
    assert collided and all(a.ok for a in answers)
    assert Score.objects.filter(expert=expert).count() == 10
    events = AuditEvent.objects.filter(actor=expert, action="onsite.score", pk__gt=before)
    assert sorted(events.values_list("field", flat=True)) == sorted(e["code"] for e in batch)
