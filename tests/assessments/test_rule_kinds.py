"""The self-assessment screen with every kind of rule: tiers, findings by kind, awards by level,
不适用, items limited to unit types and stages, state vetoes with an end date (tests/data/rules.yaml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import person
from wenming.accounts.models import Role
from wenming.assessments.scoring import scorecard_of
from wenming.assessments.services import AssessmentRefused, entry_save, self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.core.formats import framework_load
from wenming.frameworks.services import framework_import

RULES = Path(__file__).parent.parent / "data" / "rules.yaml"


@pytest.fixture
def rules(world):
    """The rules framework, stored; 第一小学 is a primary school (学校, 小学)."""
    return framework_import(framework=framework_load(RULES))[0]


def start(world, rules, unit=None, filler=None):
    return self_assessment_start(
        actor=filler or world.people.filler, unit=unit or world.s1, edition=rules
    )


def post(client, a, code, **data):
    data.setdefault("version", 0)
    return client.post(
        reverse("assessments:entry", args=[a.pk, code]), data, HTTP_HX_REQUEST="true"
    ).content.decode()


def card(a):
    found, problems = scorecard_of(a, a.entries.all())
    assert found is not None, problems
    return found


def test_tiered_item_takes_the_measured_value_and_shows_its_bands(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "志愿者注册率(%)" in page  # what to enter
    assert "≥30%:3分" in page and "≥20%:2分" in page  # the bands
    assert "≤0件:4分" in page and "≤2件:2分" in page  # a tier where less is better
    html = post(client, a, "A1", value="25")
    assert a.entries.get(code="A1").value == "25"
    assert card(a).node("A1") == 200
    assert "A1 实测25%,得2分,扣1分" in html


def test_findings_are_entered_per_kind_and_stored_as_counts(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "缺项" in page and "每处扣2分" in page and 'name="count_1"' in page
    post(client, a, "A2", count_0="1", count_1="1", reason="缺会议记录")
    entry = a.entries.get(code="A2")
    assert entry.value == "缺项:1、不规范:1"
    assert card(a).node("A2") == 200  # 5 − (2 + 1)
    post(client, a, "A2", count_0="3", count_1="", reason="缺会议记录", version=entry.version)
    assert card(a).node("A2") == 100  # 5 − min(6, cap 4)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert 'name="count_0" min="0" step="1" inputmode="numeric" value="3"' in page


def test_a_bad_count_names_its_kind_and_writes_nothing(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    html = post(client, a, "A2", count_0="-1", count_1="x")
    assert "缺项" in html and "不规范" in html
    assert not a.entries.filter(code="A2").exists()
    assert not AuditEvent.objects.filter(field__startswith="A2.").exists()


def test_awards_are_entered_per_level_up_to_the_items_points(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    post(client, a, "F1", count_0="1", count_1="2", count_2="")
    assert a.entries.get(code="F1").value == "国家级:1、省级:2"
    assert card(a).node("F1") == 500  # 3 + 2 × 2 = 7, capped at 5
    assert card(a).bonus == 500


def test_not_applicable_rescales_the_total_by_the_frameworks_rule(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert page.count('name="na"') == 1  # only A3 allows 不适用
    assert "基本分按适用指标满分折算到20分" in page
    for code, value in (("A1", "30"), ("A2", "0"), ("B1", "是"), ("B2", "是"), ("C", "1")):
        entry_save(actor=world.people.filler, assessment_id=a.pk, code=code, value=value)
    html = post(client, a, "A3", na="1", value="")
    assert a.entries.get(code="A3").value == "不适用"
    scored = card(a)
    assert scored.applicable_max == 1800 and scored.base_raw == 1600
    assert scored.base == 1778  # 1600 × 2000 ÷ 1800 = 1777.8 → 17.78
    assert "按总分20分折算为17.78分" in html
    assert 'id="total-value">17.78</strong>' in html
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert ">不适用</span>" in page and "8 / 8分" in page  # A: 10 points, 2 of them out


def test_items_limited_to_other_types_or_stages_are_not_shown_scored_or_counted(
    client, world, rules
):
    junior_filler = person("junior_filler", Role.UNIT_FILLER, unit=world.s2)
    a = start(world, rules, unit=world.s2, filler=junior_filler)
    client.force_login(junior_filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert 'data-code="B2"' in page and 'data-code="B1"' not in page  # B1: 小学 only
    with pytest.raises(AssessmentRefused, match="B1 不适用于本单位"):
        entry_save(actor=junior_filler, assessment_id=a.pk, code="B1", value="是")
    html = post(client, a, "B1", value="是")
    assert "B1 不适用于本单位" in html and not a.entries.filter(code="B1").exists()
    assert "B1" not in card(a).missing

    agency_filler = person("agency_filler", Role.UNIT_FILLER, unit=world.bureau)
    b = start(world, rules, unit=world.bureau, filler=agency_filler)
    client.force_login(agency_filler)
    page = client.get(reverse("assessments:detail", args=[b.pk])).content.decode()
    assert 'data-code="B"' not in page and 'data-code="B2"' not in page  # B: 学校 only
    assert card(b).applicable_max == 1400


def test_a_state_veto_counts_until_its_end_date(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert page.count('name="until"') == 1  # V1 is a state; V2 is an event
    post(client, a, "V1", value="是", event_date="2020-03-01")
    assert card(a).vetoed
    entry = a.entries.get(code="V1")
    post(
        client,
        a,
        "V1",
        value="是",
        event_date="2020-03-01",
        until="2021-09-01",
        version=entry.version,
    )
    entry.refresh_from_db()
    assert entry.until == date(2021, 9, 1)
    assert not card(a).vetoed  # taken out of use before the as-of date
    assert AuditEvent.objects.filter(field="V1.until").exists()
    html = post(client, a, "V2", value="是", until="2021-09-01")
    assert "V2 不是状态类否决项,不能填写消除日期" in html
    assert not a.entries.filter(code="V2").exists()
    html = post(
        client,
        a,
        "V1",
        value="是",
        event_date="2022-01-01",
        until="2021-09-01",
        version=entry.version,
    )
    assert "消除日期应晚于开始日期" in html


def test_the_printed_rule_is_generated_where_the_framework_wrote_none(client, world, rules):
    a = start(world, rules)
    client.force_login(world.people.filler)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "评分标准:注册率达到30%得3分" in page  # written
    assert "评分标准:不超过0件得4分" in page  # C has none: generated from its tiers
