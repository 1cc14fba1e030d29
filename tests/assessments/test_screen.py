"""The self-assessment screen: live totals from the engine, the same as `wenming score`."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.assessments.test_services import fill_all, start
from tests.conftest import LIBRARY
from wenming.assessments.services import entry_save
from wenming.cli import main


def post_entry(client, a, code, **data):
    data.setdefault("version", 0)
    return client.post(
        reverse("assessments:entry", args=[a.pk, code]), data, HTTP_HX_REQUEST="true"
    )


def test_typing_a_value_updates_the_total_without_a_reload(client, world, standard):
    a = start(world, standard)
    fill_all(world, a)
    client.force_login(world.people.filler)
    entry = a.entries.get(code="A1.6")
    html = post_entry(
        client, a, "A1.6", value="3", reason="围墙破损", version=entry.version
    ).content.decode()
    assert 'id="total-value">997</strong>' in html  # 1000 − 3 × 1, out of band
    assert 'hx-swap-oob="true"' in html
    assert "A1.6 扣3分:围墙破损(3处×1分)" in html
    assert 'id="score-' in html and "7 / 10分" in html  # the item and its parents
    assert "填报" in html and "A1.6 填报值" in html  # the audit trail, updated


def test_a_bad_value_is_explained_and_not_saved(client, world, standard):
    a = start(world, standard)
    client.force_login(world.people.filler)
    html = post_entry(client, a, "A1.5", value="Z").content.decode()
    assert "等级应为A、B、C、D之一" in html
    assert not a.entries.filter(code="A1.5").exists()


def test_conflict_shows_the_other_persons_value(client, world, standard):
    a = start(world, standard)
    mine = entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="1")
    entry_save(
        actor=world.people.unit_admin,
        assessment_id=a.pk,
        code="A1.6",
        value="4",
        version=mine.version,
    )
    client.force_login(world.people.filler)
    html = post_entry(client, a, "A1.6", value="2", version=mine.version).content.decode()
    assert "修改为“4”" in html and "您输入的“2”未保存" in html
    assert a.entries.get(code="A1.6").value == "4"


def test_web_total_equals_the_command_line_scorer(client, world, standard, tmp_path, capsys):
    a = start(world, standard)
    fill_all(world, a)
    for code, value in (
        ("A1.6", "2"),
        ("A1.5", "C"),
        ("A3.1", "700000"),
        ("C3.2", "6.5"),
        ("A1.4", "否"),
    ):
        entry = a.entries.get(code=code)
        entry_save(
            actor=world.people.filler,
            assessment_id=a.pk,
            code=code,
            value=value,
            version=entry.version,
        )
    a.refresh_from_db()
    client.force_login(world.people.filler)
    results = tmp_path / "results.yaml"
    results.write_bytes(client.get(reverse("assessments:results", args=[a.pk])).content)
    assert (
        main(
            [
                "score",
                "--framework",
                str(LIBRARY / "school-standard.yaml"),
                "--results",
                str(results),
                "--json",
            ]
        )
        == 0
    )
    cli = json.loads(capsys.readouterr().out)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert f'id="total-value">{cli["total"]}</strong>' in page
    assert cli["grade"] in page
    assert a.total_centi == round(float(cli["total"]) * 100)


def test_nine_year_school_sees_both_stages_and_the_combined_standard(client, world, standard):
    world.s1.stage, world.s1.enrolment_primary, world.s1.enrolment_junior = "九年一贯制", 900, 600
    world.s1.save()
    a = start(world, standard)
    client.force_login(world.people.filler)
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "本校为九年一贯制学校" in html
    assert "小学6.5平方米/生(900人)、初中8平方米/生(600人),按在校生加权:7.1平方米/生" in html


def test_other_units_people_get_404(client, world, standard):
    a = start(world, standard)
    client.force_login(world.people.other_filler)
    assert client.get(reverse("assessments:detail", args=[a.pk])).status_code == 404
    assert post_entry(client, a, "A1.6", value="1").status_code == 404
    assert not a.entries.exists()


def test_head_and_supervisor_can_read_but_not_fill(client, world, standard):
    a = start(world, standard)
    for who in ("head", "supervisor", "east_office"):
        client.force_login(getattr(world.people, who))
        html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
        assert "江东区第一小学" in html and "hx-post" not in html
        assert post_entry(client, a, "A1.6", value="1").status_code == 403


def test_submit_and_return_through_the_pages(client, world, standard):
    a = start(world, standard)
    fill_all(world, a)
    client.force_login(world.people.unit_admin)
    client.post(reverse("assessments:submit", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == "submitted"
    client.force_login(world.people.supervisor)
    response = client.post(reverse("assessments:return", args=[a.pk]), {"reason": "补充台账"})
    draft = a.unit.self_assessments.get(revision=2)
    assert response["Location"] == reverse("assessments:detail", args=[draft.pk])


def test_each_item_shows_its_evidence_status_and_missing_evidence_is_warned(
    client, world, standard, settings, tmp_path
):
    import io
    from datetime import date

    from wenming.attachments.detect import image_bytes
    from wenming.ledger.services import ActivityInput, activity_create, activity_types

    settings.MEDIA_ROOT = tmp_path / "media"
    activity_create(
        actor=world.people.filler,
        unit=world.s1,
        data=ActivityInput(
            activity_type=activity_types()[0], title="校园环境整治", day=date(2026, 3, 1)
        ),
        links=[(standard, "A1.6")],
        files=[("整治.jpg", io.BytesIO(image_bytes()))],
    )
    a = start(world, standard)
    client.force_login(world.people.unit_admin)
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    block = html.split('data-code="A1.6"')[1].split('class="item depth')[0]
    assert '<span class="ev complete">完整</span>' in block
    other = html.split('data-code="A1.5"')[1].split('class="item depth')[0]
    assert "没有关联的台账记录" in other
    assert 'id="evidence-warning"' in html and "缺少佐证材料" in html
