"""The wenming command, as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import DATA, LIBRARY
from wenming.cli import main
from wenming.core.formats import framework_load
from wenming.core.mapping import mapping_from_xlsx, propose_mapping

MINI = DATA / "mini.yaml"
RESULTS = DATA / "mini-results.yaml"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_the_whole_library(capsys):
    code, out, _ = run(capsys, "framework", "validate", *map(str, sorted(LIBRARY.glob("*.yaml"))))
    assert code == 0
    assert out.count("✓") == 5 and "82条测评内容,总分1000" in out


def test_validate_reports_located_errors_in_chinese(capsys, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("code: A3", "code: A2"), encoding="utf-8"
    )
    code, _, err = run(capsys, "framework", "validate", str(bad))
    assert code == 1
    assert "bad.yaml 有1处错误,未导入任何内容" in err and "第23行:编码“A2”重复" in err


def test_score_prints_table_total_grade_and_explanation(capsys):
    code, out, _ = run(capsys, "score", "--framework", str(MINI), "--results", str(RESULTS))
    assert code == 0
    assert "总分:89.2    等级:基本达标" in out
    assert "A2 扣1.5分:缺少制度(3处×0.5分)" in out
    assert "负面清单 N1 扣2分:违纪(2025-01-01)" in out


def test_score_as_json_matches_the_engine(capsys):
    code, out, _ = run(
        capsys, "score", "--framework", str(MINI), "--results", str(RESULTS), "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["total"] == "89.2" and data["grade"] == "基本达标"
    assert {n["code"]: n["score"] for n in data["nodes"]}["A1"] == "16"


def test_score_with_xlsx_results(capsys, tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    unit = wb.active
    assert unit is not None
    unit.title = "单位"
    for row in (
        ["字段", "值"],
        ["单位", "某九年一贯制学校"],
        ["评分日期", "2026-06-30"],
        ["学段", "九年一贯制"],
        ["小学在校生", 400],
        ["初中在校生", 600],
    ):
        unit.append(row)
    items = wb.create_sheet("评分")
    items.append(["编码", "名称", "评分", "扣分原因", "说明"])
    items.append(["A1", "生均面积", 5600, None, None])
    items.append(["A2", "制度", 2, "缺少两项制度", None])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    code, out, _ = run(capsys, "score", "--framework", str(MINI), "--results", str(path))
    assert code == 0 and "某九年一贯制学校" in out and "A2 扣1分:缺少两项制度(2处×0.5分)" in out


def test_invalid_results_get_located_errors(capsys, tmp_path: Path):
    bad = tmp_path / "r.yaml"
    bad.write_text(
        "as_of: 2026-06-30\nstage: 小学\nenrolment: {小学: 100}\nitems:\n  A3: E\n  Q9: 1\nevents: [X1]\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "score", "--framework", str(MINI), "--results", str(bad))
    assert code == 1
    assert "第5行:A3:等级应为A、B、C、D之一,不能是“E”" in err
    assert "第6行:Q9:指标“Q9”不存在" in err
    assert "第7行:“X1”不是本框架的否决项或负面清单条目" in err


def test_export_to_xlsx_and_back_and_diff(capsys, tmp_path: Path):
    out_xlsx = tmp_path / "mini.xlsx"
    assert run(capsys, "framework", "export", str(MINI), str(out_xlsx))[0] == 0
    assert framework_load(out_xlsx) == framework_load(MINI)
    changed = tmp_path / "mini-2027.yaml"
    text = MINI.read_text(encoding="utf-8").replace('edition: "2026"', 'edition: "2027"')
    text = text.replace("name: 综合\n        points: 10", "name: 综合\n        points: 5").replace(
        "name: 安全制度\n        points: 30", "name: 安全制度\n        points: 35"
    )
    text = text.replace(
        "      - code: A3\n        name: 管理\n        points: 20\n        scoring: letter\n", ""
    )
    text = text.replace("    points: 60\n", "    points: 40\n").replace("total: 100", "total: 80")
    text = text.replace("{name: 基本达标, min: 85, max: 90}", "{name: 基本达标, min: 85, max: 90}")
    changed.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "framework", "diff", str(MINI), str(changed))
    assert code == 0, err
    assert "删除  A3 管理(20分)" in out
    assert "分值变更  B2 综合:10分 → 5分" in out
    assert "分值变更  B1 安全制度:30分 → 35分" in out
    assert "分值变更  A 办学条件:60分 → 40分" in out


def test_diff_proposes_a_mapping_and_writes_it_for_the_office(capsys, tmp_path: Path):
    old, new = DATA / "mapping-2025.yaml", DATA / "mapping-2026.yaml"
    out_xlsx = tmp_path / "对应关系.xlsx"
    code, out, err = run(capsys, "framework", "diff", str(old), str(new), "--xlsx", str(out_xlsx))
    assert code == 0, err
    assert "对应关系建议(2025版 → 2026版" in out
    lines = [line.split() for line in out.splitlines()]
    assert [
        "合并",
        "B2、B3",
        "节约能源、节约用水",
        "B5",
        "节约能源和用水",
        "73",
        "名称相近",
    ] in lines
    assert ["改编码", "A3", "道德讲堂", "A4", "道德讲堂", "100", "编码:A3", "→", "A4"] in lines
    assert "合计:相同2行,调整上级1行,改编码1行,拆分1行,合并1行,新增4行,删除2行" in out
    rows = mapping_from_xlsx(out_xlsx.read_bytes(), framework_load(old), framework_load(new))
    assert rows == propose_mapping(framework_load(old), framework_load(new))


def test_show_prints_the_tree(capsys):
    code, out, _ = run(capsys, "framework", "show", str(LIBRARY / "civilized-unit.yaml"))
    assert code == 0 and "[加分]" in out and "负面清单" in out and "示例(非官方)" in out


def test_missing_file_is_a_chinese_error(capsys):
    code, _, err = run(capsys, "framework", "validate", "/nonexistent/x.yaml")
    assert code == 1 and "无法读取文件" in err


@pytest.mark.django_db
def test_import_is_all_or_nothing(capsys, tmp_path: Path):
    from wenming.frameworks.models import FrameworkEdition

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    code, _, err = run(capsys, "framework", "import", str(MINI), str(bad))
    assert code == 1 and "缺少必填项" in err
    assert FrameworkEdition.objects.count() == 0
    code, out, _ = run(capsys, "framework", "import", str(MINI))
    assert code == 0 and "已导入:mini@2026" in out
    code, out, _ = run(capsys, "framework", "show", "mini@2026")
    assert code == 0 and "迷你框架" in out


@pytest.mark.django_db
def test_demo_loads_library_and_prints_logins(capsys):
    from wenming.frameworks.models import FrameworkEdition

    code, out, _ = run(capsys, "demo")
    assert code == 0 and "演示账号" in out and "admin" in out
    assert FrameworkEdition.objects.count() == 5
    from wenming.citizen.models import CitizenReport

    assert "群众随手拍演示" in out
    # the hotline's printed service token reads its own report through the Open311 intake
    secret = re.search(r"12345热线服务令牌\(Open311,/api/v1/open311/\):(wm_\S+)", out)
    assert secret is not None
    from django.test import Client

    listed = Client().get("/api/v1/open311/requests.json", {"api_key": secret.group(1)})
    assert listed.status_code == 200 and len(listed.json()) == 1
    states = set(CitizenReport.objects.values_list("problem__state", flat=True))
    assert {"found", "accepted", "assigned", "closed"} <= states
    assert run(capsys, "demo")[0] == 0  # idempotent
    assert FrameworkEdition.objects.count() == 5


def test_show_names_state_vetoes_and_negative_caps(capsys):
    code, out, _ = run(capsys, "framework", "show", str(DATA / "rules.yaml"))
    assert code == 0
    assert "一票否决 V1:D类危房仍在使用(状态,按评分日是否存在判断)" in out
    assert "负面清单 N1:干部职工违纪(扣分 3分,回溯24个月,累计最多扣4分)" in out
    assert "负面清单扣分合计最多6分" in out
    assert "分档赋分" in out and "分类扣分" in out and "按级别加分" in out


def test_score_a_school_with_rules_real_standards_use(capsys, tmp_path: Path):
    results = tmp_path / "school.yaml"
    results.write_text(
        "as_of: 2026-06-30\nunit_type: 学校\nstage: 初中\n"
        "items: {A1: 25%, A2: {缺项: 1, 不规范: 1}, A3: 不适用, B2: 是, C: 1, F1: 国家级1、省级2}\n"
        "events:\n  - {code: V1, date: 2025-01-01, until: 2026-01-01}\n"
        "  - {code: N1, date: 2026-01-01}\n  - {code: N1, date: 2026-02-01}\n",
        encoding="utf-8",
    )
    args = ("score", "--framework", str(DATA / "rules.yaml"), "--results", str(results))
    code, out, _ = run(capsys, *args)
    assert code == 0
    # 8 of the 14 applicable points (A3 不适用, B1 for primary schools) → 8 × 20 ÷ 14 = 11.43;
    # bonus 7 capped at 5; N1 twice = 6 capped at 4
    assert "基本分 11.43;加分 5;负面清单扣分 4" in out and "总分:12.43" in out
    assert "B1共1项(4分)不适用于学校、初中,不评分、不计入" in out
    assert "已于2026-01-01消除),评分日不存在,不计" in out
