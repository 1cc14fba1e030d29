"""An invalid framework file is rejected whole, each error naming its line or cell."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import DATA
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_from_xlsx, framework_from_yaml, framework_to_xlsx

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def rejected(text: str) -> list[str]:
    with pytest.raises(FileInvalid) as info:
        framework_from_yaml(text, source="bad.yaml")
    return [str(issue) for issue in info.value.issues]


def test_valid_mini_framework_loads(mini):
    assert mini.name == "迷你框架"
    assert [leaf.code for leaf in mini.leaves()] == ["A1", "A2", "A3", "B1", "B2", "F1"]


def test_duplicate_code_names_its_line():
    text = MINI.replace("code: A3", "code: A2")
    errors = rejected(text)
    second = [n for n, line in enumerate(text.splitlines(), 1) if "code: A2" in line][1]
    assert f"第{second}行:编码“A2”重复" in errors


def test_children_not_adding_up_to_parent():
    text = MINI.replace("name: 综合\n        points: 10", "name: 综合\n        points: 12")
    errors = rejected(text)
    assert any("B 的下级指标分值合计42分,与本项分值40分不符" in e for e in errors)
    line = line_of(text, "name: 安全") + 1
    assert any(e.startswith(f"第{line}行") and "B 的下级" in e for e in errors)


def test_negative_points_are_refused_at_their_line():
    text = MINI.replace("name: 制度\n        points: 20", "name: 制度\n        points: -20")
    errors = rejected(text)
    assert f"第{line_of(text, 'points: -20')}行:分值不能为负数" in errors


def test_unknown_scoring_style_lists_the_known_ones():
    text = MINI.replace("scoring: letter", "scoring: stars")
    (error,) = [e for e in rejected(text) if "未知的评分方式" in e]
    assert error.startswith(f"第{line_of(text, 'scoring: stars')}行")
    assert "deduction(扣分制)" in error and "yesno(是否制)" in error


def test_overlapping_bands():
    text = MINI.replace("{name: 基本达标, min: 85, max: 90}", "{name: 基本达标, min: 85, max: 92}")
    errors = rejected(text)
    assert any("等级“基本达标”与“达标”重叠" in e for e in errors)


def test_bands_with_a_gap():
    text = MINI.replace("{name: 不达标, min: 0, max: 85}", "{name: 不达标, min: 0, max: 80}")
    errors = rejected(text)
    line = line_of(text, "name: 基本达标")
    assert f"第{line}行:等级“不达标”与“基本达标”之间有空档(80–85分无等级)" in errors


def test_lowest_band_must_start_at_zero():
    text = MINI.replace("{name: 不达标, min: 0, max: 85}", "{name: 不达标, min: 10, max: 85}")
    assert any("最低等级“不达标”应从0分起" in e for e in rejected(text))


def test_veto_pointing_at_missing_code():
    text = MINI.replace("indicator: A1", "indicator: Z9")
    assert f"第{line_of(text, 'indicator: Z9')}行:否决项V1 指向的指标“Z9”不存在" in rejected(text)


def test_deduct_entry_needs_points_and_others_must_not_have_them():
    text = MINI.replace("effect: deduct, points: 2,", "effect: deduct,").replace(
        "effect: veto,", "effect: veto, points: 3,"
    )
    errors = rejected(text)
    assert any("负面清单N1 为扣分项,须填写扣分分值" in e for e in errors)
    assert any("负面清单N2 的处理方式为一票否决,不应填写扣分分值" in e for e in errors)


def test_top_level_total_must_match():
    text = MINI.replace("total: 100", "total: 120")
    assert f"第{line_of(text, 'total: 120')}行:一级指标分值合计100分,与总分120分不符" in rejected(
        text
    )


def test_missing_field_and_unknown_field():
    text = MINI.replace("campaign_type: 测试\n", "").replace("notice:", "colour: red\nnotice:")
    errors = rejected(text)
    assert any("缺少必填项“创建类型”" in e for e in errors)
    assert f"第{line_of(text, 'colour: red')}行:未知字段“colour”" in errors


def test_yaml_syntax_error_names_the_line():
    text = MINI.replace("name: 生均面积", "name: [生均面积")
    (error,) = rejected(text)
    assert "YAML格式错误" in error and error.startswith("第")


def test_leaf_without_scoring_and_parent_with_scoring():
    text = MINI.replace("        scoring: yesno\n", "").replace(
        "    name: 安全\n", "    name: 安全\n    scoring: yesno\n"
    )
    errors = rejected(text)
    assert any("B1 是末级指标,须设定评分方式" in e for e in errors)
    assert any("B 有下级指标,不能设评分方式" in e for e in errors)


def test_more_than_two_decimals_is_refused():
    text = MINI.replace("per_occurrence: 0.5", "per_occurrence: 0.125")
    assert any("最多保留两位小数" in e for e in rejected(text))


def test_all_errors_reported_together():
    text = MINI.replace("code: A3", "code: A2").replace("indicator: A1", "indicator: Z9")
    assert len(rejected(text)) >= 2


# -- Excel -------------------------------------------------------------------------------


def workbook_bytes(mini, edit) -> bytes:
    wb = load_workbook(io.BytesIO(framework_to_xlsx(mini)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_rejected(content: bytes) -> list[str]:
    with pytest.raises(FileInvalid) as info:
        framework_from_xlsx(content, source="bad.xlsx")
    return [str(issue) for issue in info.value.issues]


def test_xlsx_empty_name_names_row_and_column(mini):
    def edit(wb):
        sheet = wb["指标"]
        assert sheet["A5"].value == "A3"
        sheet["C5"] = None

    assert "工作表“指标”第5行C列:缺少必填项“名称”" in xlsx_rejected(workbook_bytes(mini, edit))


def test_xlsx_negative_points_names_the_cell(mini):
    def edit(wb):
        wb["指标"]["D4"] = -3

    errors = xlsx_rejected(workbook_bytes(mini, edit))
    assert "工作表“指标”第4行D列:分值不能为负数" in errors


def test_xlsx_unknown_parent_and_duplicate_code(mini):
    def edit(wb):
        wb["指标"]["B3"] = "Q"
        wb["指标"]["A6"] = "A2"

    errors = xlsx_rejected(workbook_bytes(mini, edit))
    assert any(e.startswith("工作表“指标”第3行B列:上级编码“Q”不存在") for e in errors)
    assert any(e.startswith("工作表“指标”第6行A列:编码“A2”重复") for e in errors)


def test_xlsx_band_overlap_names_the_band_row(mini):
    def edit(wb):
        sheet = wb["等级"]
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "基本达标")
        sheet.cell(row, 3).value = 95

    assert any(
        "重叠" in e and e.startswith("工作表“等级”第")
        for e in xlsx_rejected(workbook_bytes(mini, edit))
    )


def test_xlsx_params_error_points_at_params_column(mini):
    def edit(wb):
        wb["指标"]["G4"] = "{per_occurrence: -1}"

    errors = xlsx_rejected(workbook_bytes(mini, edit))
    assert "工作表“指标”第4行G列:每处扣分应大于0" in errors


def test_not_a_workbook():
    assert xlsx_rejected(b"plain text") == ["无法读取该文件,请上传.xlsx格式的Excel工作簿"]


def test_unknown_file_type(tmp_path: Path):
    from wenming.core.formats import framework_load

    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(FileInvalid, match="只支持"):
        framework_load(path)


def test_evidence_rules_need_their_figures():
    text = MINI.replace(
        "        scoring: {style: deduction, per_occurrence: 0.5}",
        "        scoring: {style: deduction, per_occurrence: 0.5}\n"
        "        evidence_rules: [{kind: photos}, {kind: manual, text: 照片能看清单位名称}, {kind: photos, min: 2, per: year}]",
    )
    errors = rejected(text)
    line = line_of(text, "evidence_rules")
    assert f"第{line}行:A2 的佐证规则(photos)须填写至少几张照片(min)" in errors
    assert f"第{line}行:A2 的佐证规则:只有记录次数(records)可以按周期(per)统计" in errors
    assert len(errors) == 2


def test_unknown_evidence_rule_kind_is_refused():
    text = MINI.replace(
        "        scoring: yesno\n",
        "        scoring: yesno\n        evidence_rules: [{kind: video, min: 1}]\n",
    )
    assert any("kind" in e or "应为" in e for e in rejected(text))


def test_xlsx_reports_every_error_of_every_kind_in_one_pass(mini):
    """An unknown parent (read), a points cell that is not a number (parsed) and an unknown
    style (checked) are three rounds of corrections unless all three are reported at once —
    and the sums the missing row changes are not blamed on its parent."""

    def edit(wb):
        sheet = wb["指标"]
        assert [sheet[f"A{r}"].value for r in (3, 4, 5)] == ["A1", "A2", "A3"]
        sheet["D3"] = "十分"
        sheet["F4"] = "不存在的方式"
        sheet["B5"] = "ZZZ"

    errors = xlsx_rejected(workbook_bytes(mini, edit))
    assert errors[0].startswith("工作表“指标”第5行B列:上级编码“ZZZ”不存在")
    assert "工作表“指标”第3行D列:分值应为数字" in errors
    assert any(e.startswith("工作表“指标”第4行F列:未知的评分方式“不存在的方式”") for e in errors)
    assert len(errors) == 3, errors


def test_yaml_reports_parse_and_rule_errors_together():
    text = MINI.replace("per_occurrence: 0.5}", "per_occurrence: 0.5}\n        colour: red", 1)
    text = text.replace("style: measured", "style: nosuch", 1)
    errors = rejected(text)
    assert any("未知字段“colour”" in e for e in errors), errors
    assert any("未知的评分方式“nosuch”" in e for e in errors), errors
