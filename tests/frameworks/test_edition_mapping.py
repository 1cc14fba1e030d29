"""A confirmed edition mapping carries a unit's evidence links and, when allowed, its
self-assessment entries to the new edition, and reports what it could not (issue 21 part 3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.factories import UnitFactory, UnitTypeFactory, person, region
from wenming.accounts.models import Role
from wenming.assessments.carry import entries_carry
from wenming.assessments.models import Entry, SelfAssessment
from wenming.assessments.services import AssessmentRefused, entry_save, self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.cli import main
from wenming.core.formats import framework_load
from wenming.core.mapping import MapKind, propose_mapping
from wenming.frameworks.mappings import (
    MappingRefused,
    edition_mapping_confirm,
    edition_mapping_follow,
    edition_mapping_get,
)
from wenming.frameworks.models import EditionMapping
from wenming.frameworks.services import framework_import
from wenming.ledger.carry import ledger_carry
from wenming.ledger.models import Activity, ActivityIndicator, ActivityType, IndicatorExplanation

DATA = Path(__file__).parent.parent / "data"
OLD_FW = framework_load(DATA / "mapping-2025.yaml")
NEW_FW = framework_load(DATA / "mapping-2026.yaml")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    county = region("江东区")
    unit = UnitFactory.create(
        name="江东区民政局", unit_type=UnitTypeFactory(name="机关"), region=county
    )
    old = framework_import(framework=OLD_FW)[0]
    new = framework_import(framework=NEW_FW)[0]
    return {
        "unit": unit,
        "old": old,
        "new": new,
        "office": person("office", Role.OFFICE, region_=county),
        "filler": person("filler", Role.UNIT_FILLER, unit=unit),
    }


def _activity(unit, filler, *codes_and_editions) -> Activity:
    kind, _ = ActivityType.objects.get_or_create(name="志愿服务")
    activity = Activity.objects.create(
        unit=unit,
        activity_type=kind,
        title="学雷锋志愿服务",
        day=date(2025, 3, 5),
        created_by=filler,
    )
    for edition, code in codes_and_editions:
        ActivityIndicator.objects.create(activity=activity, edition=edition, code=code, unit=unit)
    return activity


def _confirm(w, *, carry_entries: bool = True) -> EditionMapping:
    return edition_mapping_confirm(
        actor=w["office"],
        old=w["old"],
        new=w["new"],
        rows=propose_mapping(OLD_FW, NEW_FW),
        carry_entries=carry_entries,
    )


def test_only_an_office_confirms_and_the_rows_must_cover_both_editions(world):
    rows = propose_mapping(OLD_FW, NEW_FW)
    with pytest.raises(MappingRefused, match="只有测评办公室人员"):
        edition_mapping_confirm(
            actor=world["filler"], old=world["old"], new=world["new"], rows=rows, carry_entries=True
        )
    with pytest.raises(MappingRefused, match="原版本的指标B4没有出现在对应关系中"):
        edition_mapping_confirm(
            actor=world["office"],
            old=world["old"],
            new=world["new"],
            rows=[r for r in rows if r.old != ("B4",)],
            carry_entries=True,
        )
    assert not EditionMapping.objects.exists()
    mapping = _confirm(world)
    assert edition_mapping_follow(mapping)["B2"] == (MapKind.MERGED, ("B5",))
    assert AuditEvent.objects.filter(action="framework.mapping").count() == 1
    # confirming again replaces the rows, not adds to them
    _confirm(world, carry_entries=False)
    mapping.refresh_from_db()
    assert mapping.rows.count() == len(rows) and not mapping.carry_entries


def test_evidence_links_follow_the_mapping_and_the_rest_is_reported(world):
    w = world
    mapping = _confirm(w)
    a = _activity(w["unit"], w["filler"], (w["old"], "A1"), (w["old"], "A2"), (w["old"], "B4"))
    b = _activity(w["unit"], w["filler"], (w["old"], "B2"), (w["old"], "B3"), (w["old"], "B1"))
    IndicatorExplanation.objects.create(
        unit=w["unit"], edition=w["old"], code="A3", text="每月一期道德讲堂", updated_by=w["filler"]
    )
    IndicatorExplanation.objects.create(
        unit=w["unit"], edition=w["old"], code="B2", text="节能制度", updated_by=w["filler"]
    )
    report = ledger_carry(actor=w["filler"], unit=w["unit"], mapping=mapping)
    links = set(
        ActivityIndicator.objects.filter(edition=w["new"]).values_list("activity_id", "code")
    )
    assert links == {
        (a.pk, "A1"),
        (a.pk, "A2"),  # split: the group and each of its parts
        (a.pk, "A2.1"),
        (a.pk, "A2.2"),
        (b.pk, "B5"),  # merged: one link for the two old ones
        (b.pk, "B1"),  # moved
    }
    assert IndicatorExplanation.objects.get(edition=w["new"], code="A4").text == "每月一期道德讲堂"
    assert report.carried == 7
    assert report.lines() == [
        "佐证关联 B4 公共设施维护:该指标在新版本中已删除(1条记录)",
        "指标说明 B2 节约能源:该指标在新版本中合并为B5,说明请按新指标重新撰写",
    ]
    # the old edition's evidence is unchanged, and a second run adds nothing
    assert ActivityIndicator.objects.filter(edition=w["old"]).count() == 6
    assert ledger_carry(actor=w["filler"], unit=w["unit"], mapping=mapping).carried == 0
    assert AuditEvent.objects.filter(action="ledger.carry").count() == 2


def test_only_the_unit_carries_its_ledger(world):
    other = person("stranger", Role.UNIT_FILLER, unit=UnitFactory.create(name="别的单位"))
    with pytest.raises(Exception, match="只有本单位的填报员或管理员"):
        ledger_carry(actor=other, unit=world["unit"], mapping=_confirm(world))


def _filled(w) -> SelfAssessment:
    draft = self_assessment_start(actor=w["filler"], unit=w["unit"], edition=w["old"])
    for code, value in {
        "A1": "是",
        "A2": "1",
        "A3": "B",
        "B1": "是",
        "B2": "否",
        "B4": "是",
    }.items():
        entry_save(actor=w["filler"], assessment_id=draft.pk, code=code, value=value, reason="")
    return draft


def test_entries_carry_into_items_scored_by_the_same_rule_when_allowed(world):
    w = world
    _filled(w)
    mapping = _confirm(w)
    draft, report = entries_carry(actor=w["filler"], unit=w["unit"], mapping=mapping)
    assert draft is not None and draft.edition == w["new"]
    values = dict(Entry.objects.filter(assessment=draft).values_list("code", "value"))
    assert values == {"A4": "B", "B1": "是"}
    assert report.carried == 2
    reasons = {s.code: s.reason for s in report.skipped}
    assert reasons["A1"].startswith("评分标准已变化(原2分,")
    assert reasons["A2"] == "该指标在新版本中拆分为A2、A2.1、A2.2,请分别填写"
    assert reasons["B2"] == "该指标在新版本中与其他指标合并为B5,请重新填写"
    assert reasons["B4"] == "该指标在新版本中已删除"
    # every carried value went through entry_save: audited as the filler's entry
    assert AuditEvent.objects.filter(action="assessment.entry", object_id=str(draft.pk)).exists()
    # a second run never overwrites what is in the new draft
    Entry.objects.filter(assessment=draft, code="A4").update(value="A")
    _, again = entries_carry(actor=w["filler"], unit=w["unit"], mapping=mapping)
    assert Entry.objects.get(assessment=draft, code="A4").value == "A"
    assert "新版本自评中A4已填写,未覆盖" in {s.reason for s in again.skipped}


def test_entries_stay_when_the_office_did_not_allow_it(world):
    _filled(world)
    mapping = _confirm(world, carry_entries=False)
    with pytest.raises(AssessmentRefused, match="未允许沿用自评填报"):
        entries_carry(actor=world["filler"], unit=world["unit"], mapping=mapping)
    assert not SelfAssessment.objects.filter(edition=world["new"]).exists()


def test_the_cli_confirms_an_edited_workbook_and_carries_a_unit(world, capsys, tmp_path):
    w = world
    _filled(w)
    _activity(w["unit"], w["filler"], (w["old"], "B3"))
    book = tmp_path / "对应关系.xlsx"
    assert main(["framework", "diff", "mapping@2025", "mapping@2026", "--xlsx", str(book)]) == 0
    assert main(["framework", "carry", "mapping@2025", "mapping@2026", "--unit", "江东区民政局",
                 "--user", "filler"]) == 1  # fmt: skip
    assert "版本对应关系尚未确认" in capsys.readouterr().err
    code = main(["framework", "map-confirm", "mapping@2025", "mapping@2026", "--xlsx", str(book),
                 "--carry-entries", "--user", "office"])  # fmt: skip
    assert code == 0
    assert "允许沿用自评填报" in capsys.readouterr().out
    assert edition_mapping_get(old=w["old"], new=w["new"]).carry_entries
    code = main(["framework", "carry", "mapping@2025", "mapping@2026", "--unit", "江东区民政局",
                 "--user", "filler"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "江东区民政局:版本对应示例(2025) → 版本对应示例(2026),已沿用3项" in out
    assert "自评填报 B4 公共设施维护:该指标在新版本中已删除" in out


def test_an_office_confirms_on_the_page_and_a_unit_carries_its_evidence(world, client):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    w = world
    _activity(
        w["unit"], w["filler"], (w["old"], next(iter(propose_mapping(OLD_FW, NEW_FW))).old[0])
    )
    url = reverse("edition_mapping") + f"?old={w['old'].pk}&new={w['new'].pk}"
    client.force_login(w["office"])
    page = client.get(url).content.decode()
    assert "尚未确认" in page and 'id="mapping-rows"' in page
    exported = client.get(
        reverse("edition_mapping_export") + f"?old={w['old'].pk}&new={w['new'].pk}"
    )
    sheet = load_workbook(io.BytesIO(exported.content))["对应关系"]
    assert [c.value for c in sheet[1]][:2] == ["对应方式", "原编码"]
    client.post(url, {"carry_entries": "on"})  # the proposal as it stands
    mapping = EditionMapping.objects.get(old=w["old"], new=w["new"])
    assert mapping.carry_entries and AuditEvent.objects.filter(action="framework.mapping").exists()
    client.force_login(w["filler"])
    page = client.get(url).content.decode()
    assert "已确认" in page and 'id="mapping-carry"' in page and 'id="mapping-confirm"' not in page
    assert client.post(url, {"carry_entries": "on"}).status_code == 403  # units do not confirm
    response = client.post(url, {"carry": "1", "unit": w["unit"].pk}, follow=True)
    assert "已沿用" in response.content.decode()
    assert ActivityIndicator.objects.filter(edition=w["new"], unit=w["unit"]).exists()
