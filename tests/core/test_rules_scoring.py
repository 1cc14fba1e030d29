"""Rules real standards use, scored: tiers, findings by kind, awards by level, 不适用,
items limited to unit types and stages, capped negative lists and vetoes that are states."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import DATA
from wenming.core.engine import Engine, Event, ItemResult, UnitResult
from wenming.core.formats import framework_from_yaml, framework_load
from wenming.core.styles import NOT_APPLICABLE, InputError, UnitProfile

AS_OF = date(2026, 6, 30)
OFFICE = UnitProfile(unit_type="机关")
PRIMARY = UnitProfile(unit_type="学校", stage="小学")
JUNIOR = UnitProfile(unit_type="学校", stage="初中")
TEXT = (DATA / "rules.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(framework_load(DATA / "rules.yaml"))


def entries(engine: Engine, **values: object) -> dict[str, ItemResult]:
    full: dict[str, object] = {"A1": 45, "A2": 0, "A3": "是", "B1": "是", "B2": "是", "C": 0}
    full.update(values)
    return {code: engine.parse_item(code, raw) for code, raw in full.items() if raw is not None}


def card(engine: Engine, profile: UnitProfile = PRIMARY, events: tuple[Event, ...] = (), **values):
    items = entries(engine, **values)
    return engine.score(UnitResult(items=items, as_of=AS_OF, profile=profile, events=events))


# -- tiered points ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "points"), [(45, 300), (30, 300), ("29.9999", 200), (20, 200), ("19.5%", 0)]
)
def test_registration_rate_earns_the_points_of_its_tier(engine, rate, points):
    assert card(engine, A1=rate).node("A1") == points


@pytest.mark.parametrize(("complaints", "points"), [(0, 400), (1, 200), (2, 200), (3, 0)])
def test_fewer_complaints_earn_more_when_lower_is_better(engine, complaints, points):
    assert card(engine, C=complaints).node("C") == points


def test_tier_explanation_names_the_measured_value(engine):
    lines = card(engine, A1="25.5").explain()
    assert "A1 实测25.5%,得2分,扣1分" in lines


# -- deductions by kind of finding -------------------------------------------------------------


def test_each_kind_of_finding_deducts_its_own_amount(engine):
    result = card(engine, A2="缺项1、不规范1")
    assert result.node("A2") == 200
    assert "A2 扣3分:台账规范(缺项1处×2分、不规范1处×1分)" in result.explain()


def test_findings_stop_at_the_items_cap(engine):
    result = card(engine, A2={"缺项": 3})
    assert result.node("A2") == 100
    assert "A2 扣4分:台账规范(缺项3处×2分,最多扣4分)" in result.explain()


def test_unknown_kind_of_finding_is_refused_in_chinese(engine):
    with pytest.raises(InputError, match="“错别字”不是本项的问题类型,可填:缺项、不规范"):
        engine.parse_item("A2", "错别字2")


# -- bonus per award by level ------------------------------------------------------------------


def test_awards_add_their_levels_amounts_up_to_the_cap(engine):
    one = card(engine, F1="省级1、市级2")
    assert one.node("F1") == 400 and one.bonus == 400
    many = card(engine, F1="国家级1、省级2")
    assert many.node("F1") == 500
    assert "加分 F1 加5分" in many.explain()


# -- 不适用 --------------------------------------------------------------------------------------


def test_not_applicable_scales_the_applicable_points_to_the_full_total(engine):
    result = card(engine, A3="不适用", A2="不规范1")
    # 17 of the 18 applicable points, × 20 ÷ 18 = 18.888… → 18.89
    assert (result.base_raw, result.applicable_max, result.base) == (1700, 1800, 1889)
    lines = result.explain()
    assert "A3 不适用,不计分(职工食堂管理,本项2分)" in lines
    assert any("适用指标满分18分,实得17分,按总分20分折算为18.89分" in line for line in lines)
    assert "A3" not in result.missing


def test_not_applicable_never_beats_the_item_scored_in_full(engine):
    for a2 in ("0", "不规范1", "缺项1、不规范2"):
        assert card(engine, A3="不适用", A2=a2).total <= card(engine, A2=a2).total


def test_keep_rule_leaves_the_total_as_earned():
    fw = framework_from_yaml(TEXT.replace("na_total: scale", "na_total: keep"))
    result = card(Engine(fw), A3="不适用")
    assert result.base == 1800 and result.total == 1800
    assert "适用指标满分18分,按实得18分计,不折算" in result.explain()


def test_not_applicable_is_refused_where_the_framework_does_not_allow_it(engine):
    with pytest.raises(InputError, match="A1 不允许填写“不适用”"):
        engine.parse_item("A1", "不适用")
    assert engine.parse_item("A3", " 不适用 ").value is NOT_APPLICABLE


# -- items limited to unit types and stages ----------------------------------------------------


def test_a_school_branch_is_not_scored_or_counted_for_an_office(engine):
    result = card(engine, OFFICE, B1=None, B2=None)
    assert result.applicable_max == 1400
    assert result.base == 2000  # 14 of 14 applicable points, scaled to 20
    assert result.missing == ["F1"]  # the bonus item, not the school branch
    assert "B1、B2共2项(6分)不适用于机关,不评分、不计入" in result.explain()
    rows = {code: (maximum, score) for code, _, _, maximum, score in result.rows()}
    assert rows["B"] == (0, 0)


def test_a_primary_item_does_not_count_for_a_junior_school_but_does_for_nine_year(engine):
    junior = card(engine, JUNIOR, B1="否")
    assert junior.node("B1") == 0 and junior.base == 2000  # entered but not counted
    nine_year = card(engine, UnitProfile(unit_type="学校", stage="九年一贯制"), B1="否")
    assert nine_year.base == 1600


def test_a_unit_of_unknown_type_is_held_to_every_item(engine):
    assert card(engine, UnitProfile(), B1="否").base == 1600


# -- negative list caps and vetoes that are states ---------------------------------------------


def test_negative_list_deductions_stop_at_the_entry_cap_and_the_overall_cap(engine):
    n1 = tuple(Event("N1", date(2026, m, 1)) for m in (1, 2))
    assert card(engine, events=n1).deductions == 400
    both = (*n1, Event("N2", date(2026, 3, 1)), Event("N2", date(2026, 4, 1)))
    result = card(engine, events=both)
    assert result.deductions == 600 and result.total == 1400
    lines = result.explain()
    assert "负面清单 N1 累计扣6分,按本条上限4分计" in lines
    assert "负面清单扣分合计8分,按上限6分计" in lines


def test_a_state_veto_counts_while_the_state_lasts_at_the_as_of_date(engine):
    still = card(engine, events=(Event("V1", date(2020, 1, 1)),))
    assert still.vetoed and still.grade == "不达标"
    assert "一票否决:D类危房仍在使用(自2020-01-01起,评分日仍存在)" in still.explain()
    ended = card(engine, events=(Event("V1", date(2020, 1, 1), until=date(2026, 5, 1)),))
    assert not ended.vetoed
    assert "V1 D类危房仍在使用(自2020-01-01起,已于2026-05-01消除),评分日不存在,不计" in (
        ended.explain()
    )
    later = card(engine, events=(Event("V1", date(2026, 7, 1)),))
    assert not later.vetoed


def test_a_state_veto_has_no_look_back_window(engine):
    # began ten years ago and never ended: an event veto would be outside its window
    assert card(engine, events=(Event("V1", date(2016, 1, 1)),)).vetoed
    assert not card(engine, events=(Event("V2", date(2016, 1, 1)),)).vetoed


# -- the explanation never rounds a measured share across a band ------------------------------

MEASURED = """
id: measured-bands
name: 达标比例示例
edition: "1"
campaign_type: 标准化学校
unit_types: [学校]
total: 10
indicators:
  - code: M1
    name: 生均图书
    points: 10
    scoring: {style: measured, standard: 100, unit: 册}
bands:
  - {name: 达标, min: 8}
  - {name: 不达标, min: 0, max: 8}
"""


@pytest.mark.parametrize(
    ("measured", "shown", "points"),
    [
        ("79.99", "79.99%", 500),
        ("79.999", "79.99%", 500),
        ("80", "80%", 800),
        ("99.995", "99.99%", 800),
    ],
)
def test_the_share_shown_is_never_rounded_into_a_better_band(measured, shown, points):
    engine = Engine(framework_from_yaml(MEASURED))
    result = engine.score(
        UnitResult(items={"M1": engine.parse_item("M1", measured)}, as_of=AS_OF, profile=PRIMARY)
    )
    assert result.node("M1") == points
    line = next(line for line in result.explain() if line.startswith("M1 "))
    assert f"达到标准的{shown}," in line, line
