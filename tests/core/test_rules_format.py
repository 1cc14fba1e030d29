"""The new rules as data: validated with located Chinese errors, lossless through Excel, the
printed 评分标准 generated from the parameters and a written one held to them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from tests.conftest import DATA
from tests.core.test_validation import line_of, rejected, workbook_bytes, xlsx_rejected
from wenming.core.engine import Engine
from wenming.core.errors import FileInvalid
from wenming.core.formats import (
    framework_from_xlsx,
    framework_from_yaml,
    framework_to_xlsx,
    framework_to_yaml,
)
from wenming.core.results import read_xlsx, results_from_data
from wenming.core.rules import printed_rule, rule_text
from wenming.core.styles import NOT_APPLICABLE

TEXT = (DATA / "rules.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fw():
    return framework_from_yaml(TEXT)


# -- round trip ---------------------------------------------------------------------------------


def test_every_new_field_survives_excel_and_yaml(fw):
    back = framework_from_xlsx(framework_to_xlsx(fw))
    assert back == fw
    assert framework_to_yaml(back) == framework_to_yaml(fw)
    assert back.na_total == "scale" and back.negative_cap == 6
    b, b1, a3 = back.find("B"), back.find("B1"), back.find("A3")
    assert b is not None and b1 is not None and a3 is not None
    assert b.unit_types == ("学校",) and b1.stages == ("小学",)
    assert a3.allow_na and back.vetoes[0].kind == "state"
    assert back.negative_list[0].max == 4


def test_excel_shows_the_new_fields_in_chinese():
    from openpyxl import load_workbook

    keep = framework_from_yaml(TEXT.replace("na_total: scale", "na_total: keep"))
    assert framework_from_xlsx(framework_to_xlsx(keep)) == keep
    wb = load_workbook(io.BytesIO(framework_to_xlsx(keep)))
    info = {row[0].value: row[1].value for row in wb["框架"].iter_rows(min_row=2)}
    assert info["不适用计分"] == "不折算" and info["负面清单扣分上限"] == 6
    tree = wb["指标"]
    header = [c.value for c in tree[1]]
    rows = {r[0].value: r for r in tree.iter_rows(min_row=2)}
    assert rows["A3"][header.index("可不适用")].value == "是"
    assert rows["B"][header.index("适用单位类型")].value == "学校"
    assert rows["A2"][header.index("评分方式")].value == "分类扣分"
    vetoes = wb["否决项"]
    assert [c.value for c in vetoes[2]][-1] == "状态"


# -- validation -----------------------------------------------------------------------------------


def test_a_rule_naming_other_points_than_the_parameters_is_refused_at_its_line():
    text = TEXT.replace("缺一项扣2分,不规范一处扣1分", "缺一项扣3分,不规范一处扣1分")
    (error,) = [e for e in rejected(text) if "评分标准" in e]
    assert error.startswith(
        f"第{line_of(text, '缺一项扣3分')}行:A2 评分标准中的3分与评分参数不一致"
    )
    assert "参数给出的分值:1分、2分、4分、5分" in error


def test_a_rule_naming_more_than_a_direct_items_points_is_refused():
    text = TEXT.replace(
        "        allow_na: true\n        scoring: yesno",
        "        allow_na: true\n        rule: 有食堂且管理规范得3分\n        scoring: direct",
    )
    (error,) = [e for e in rejected(text) if "评分标准" in e]
    assert error.endswith("A3 评分标准中的3分超过本项分值2分")


def test_a_rule_drifting_in_excel_names_the_cell(fw):
    def edit(wb):
        sheet = wb["指标"]
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "A1")
        sheet.cell(row, 9).value = "注册率达到30%得4分"

    errors = xlsx_rejected(workbook_bytes(fw, edit))
    assert any(e.startswith("工作表“指标”第3行I列:A1 评分标准中的4分") for e in errors)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    points: 6\n    unit_types: [学校]",
            "    points: 6\n    unit_types: [医院]",
            "B 的适用单位类型“医院”不在本框架的适用单位类型(机关、学校)之中",
        ),
        ("        stages: [小学]", "        stages: [大学]", "B1 的适用学段“大学”不在可用学段"),
        (
            "kind: state}",
            "kind: state, window_months: 12}",
            "否决项V1 是状态(按评分日是否存在判断),不设回溯期",
        ),
        ("window_months: 24}", "window_months: 24, max: 5}", None),
        (
            "effect: deduct, points: 2, window_months: 24}",
            "effect: suspend, window_months: 24, max: 2}",
            "负面清单N2 的处理方式为暂缓,不应填写累计扣分上限",
        ),
        ("          max: 4", "          max: 6", "A2 扣分上限6分超过本项分值5分"),
        ("{at: 20, points: 2}", "{at: 20, points: 4}", "A1 分档得分4分超过本项分值3分"),
        (
            "tiers: [{at: 0, points: 4}, {at: 2, points: 2}]",
            "tiers: [{at: 0, points: 2}, {at: 2, points: 4}]",
            "C 分档得分应随档次提高而不减少",
        ),
        ("{name: 不规范, per: 1}", "{name: 缺项, per: 1}", "A2 问题类型名称重复"),
        ("{name: 不规范, per: 1}", "{name: 不规范2, per: 1}", "“不规范2”不能包含数字、顿号、逗号"),
        (
            "{国家级: 3, 省级: 2, 市级: 1}",
            "{国家级: 3, 省级: 2, 市、县级: 1}",
            "“市、县级”不能包含数字",
        ),
        (
            "tiers: [{at: 30, points: 3}, {at: 20, points: 2}]",
            "tiers: [{at: 30, points: 2.5}, {at: 20, points: 2}]",
            "A1 最好一档应得满分3分(现为2.5分)",
        ),
        (
            "{国家级: 3, 省级: 2, 市级: 1}",
            "{国家级: 6, 省级: 2, 市级: 1}",
            "F1 级别“国家级”的分值超过本项分值5分",
        ),
        (
            "na_total: scale",
            "na_total: half",
            "不适用计分应为scale(按适用分值折算)、keep(不折算)之一",
        ),
    ],
)
def test_new_fields_are_checked_with_their_line(old, new, message):
    text = TEXT.replace(old, new, 1)
    assert text != TEXT
    if message is None:
        framework_from_yaml(text)  # a cap on a deduct entry is fine
        return
    errors = rejected(text)
    line = line_of(text, new.strip().splitlines()[-1][:20])
    (error,) = [e for e in errors if message in e]
    # at the parameter's line, or at the item's ``scoring:`` line a few lines above it
    assert any(error.startswith(f"第{n}行") for n in range(line - 5, line + 1)), error


def test_only_a_leaf_may_allow_not_applicable():
    text = TEXT.replace("    name: 志愿服务\n", "    name: 志愿服务\n    allow_na: true\n")
    assert any("A 有下级指标:只有末级指标可以设为可不适用" in e for e in rejected(text))


# -- the printed rule ---------------------------------------------------------------------------


def test_the_printed_rule_is_generated_from_the_parameters(fw):
    texts = {leaf.code: rule_text(leaf, fw) for leaf in fw.leaves()}
    assert texts["A1"] == "按志愿者注册率(%)赋分:达到30%得3分,20%(含)至30%得2分,低于20%不得分。"
    assert texts["A2"] == "缺项每处扣2分,不规范每处扣1分;合计最多扣4分。"
    assert texts["C"] == "不超过0件得4分,超过0件至2件(含)得2分,超过2件不得分。"
    assert texts["F1"] == "国家级每项加3分,省级每项加2分,市级每项加1分;最多加5分。"
    assert rule_text(fw.find("A3"), fw, extra="无职工食堂的填不适用。") == (
        "达到要求得2分,未达到不得分。无职工食堂的填不适用。"
    )


def test_a_written_rule_is_printed_as_written_and_a_missing_one_is_generated(fw):
    assert printed_rule(fw.find("A2"), fw) == "缺一项扣2分,不规范一处扣1分,最多扣4分。"
    assert printed_rule(fw.find("B2"), fw) == "达到要求得2分,未达到不得分。"


def test_every_library_rule_agrees_with_its_parameters():
    from tests.conftest import LIBRARY
    from wenming.core.formats import framework_load

    for path in LIBRARY.glob("*.yaml"):
        framework_load(path)  # the drift check is part of validation


# -- results files ------------------------------------------------------------------------------


def test_results_carry_the_unit_type_states_and_new_values(fw):
    engine = Engine(fw)
    data = {
        "as_of": "2026-06-30",
        "unit_type": "学校",
        "stage": "小学",
        "items": {
            "A1": "32%",
            "A2": {"缺项": 1},
            "A3": "不适用",
            "B1": "是",
            "C": 1,
            "F1": {"value": "国家级1", "reason": "全国文明单位"},
        },
        "events": [{"code": "V1", "date": "2025-01-01", "until": "2026-01-01"}],
    }
    result = results_from_data(engine, data)
    assert result.profile.unit_type == "学校"
    assert result.items["A3"].value is NOT_APPLICABLE
    assert result.items["A2"].value == (1, 0)
    assert result.events[0].until == date(2026, 1, 1)
    assert not engine.score(result).vetoed


def test_results_refuse_an_item_that_does_not_apply_and_a_wrong_until(fw):
    engine = Engine(fw)
    data = {
        "unit_type": "机关",
        "items": {"B1": "是", "A1": "不适用"},
        "events": [
            {"code": "V2", "until": "2026-01-01"},
            {"code": "V1", "date": "2026-02-01", "until": "2026-01-01"},
        ],
    }
    with pytest.raises(FileInvalid) as info:
        results_from_data(engine, data)
    messages = [i.message for i in info.value.issues]
    assert "B1 不适用于本单位的类型或学段,不应评分" in messages
    assert "A1:A1 不允许填写“不适用”" in messages
    assert "V2 不是状态类否决项,不能填写消除日期" in messages
    assert "V1 的消除日期应晚于开始日期" in messages
    with pytest.raises(FileInvalid, match="单位类型应为机关、学校之一"):
        results_from_data(engine, {"unit_type": "医院"})


def test_results_workbook_reads_unit_type_and_end_date(fw):
    wb = Workbook()
    unit = wb.worksheets[0]
    unit.title = "单位"
    unit.append(["字段", "值"])
    unit.append(["单位类型", "机关"])
    unit.append(["评分日期", "2026-06-30"])
    items = wb.create_sheet("评分")
    items.append(["编码", "名称", "评分", "扣分原因", "说明"])
    items.append(["A2", "台账规范", "缺项:1、不规范:2", "台账缺失", None])
    items.append(["B1", "课后服务", "是", None, None])
    events = wb.create_sheet("事项")
    events.append(["编码", "日期", "说明", "消除日期"])
    events.append(["V1", "2025-01-01", "教学楼鉴定为D类", "2026-09-01"])
    out = io.BytesIO()
    wb.save(out)
    data, where = read_xlsx(out.getvalue())
    engine = Engine(fw)
    with pytest.raises(FileInvalid) as info:
        results_from_data(engine, data)
    located = info.value.located(where)
    assert [str(i) for i in located.issues] == [
        "工作表“评分”第3行C列:B1 不适用于本单位的类型或学段,不应评分"
    ]
    del data["items"]["B1"]
    result = results_from_data(engine, data)
    card = engine.score(result)
    assert card.node("A2") == 100 and card.vetoed
