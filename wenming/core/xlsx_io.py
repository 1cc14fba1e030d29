"""Frameworks as Excel workbooks, the way offices keep indicator tables.

One row per indicator with a parent-code column, plus sheets for the framework's identity,
veto items, the negative list, grade bands and components. Reading builds the same data a
YAML file gives, remembering the sheet, row and column of every value, so a validation error
reads "工作表“指标”第5行D列:分值不能为负数".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wenming.core import yaml_io
from wenming.core.errors import FileInvalid, Issue, Loc
from wenming.core.framework import EFFECT_LABELS, NA_TOTAL_LABELS, VETO_KIND_LABELS, Effect
from wenming.core.styles import REGISTRY
from wenming.core.xlsx_guard import sheet_rows, workbook_read
from wenming.core.xlsx_safe import new_workbook, workbook_bytes

INFO_SHEET, TREE_SHEET = "框架", "指标"
LIST_SEP = "、"

# (field, header) pairs; the order is the column order.
INFO_FIELDS = [
    ("id", "标识"),
    ("name", "名称"),
    ("edition", "版本"),
    ("campaign_type", "创建类型"),
    ("unit_types", "适用单位类型"),
    ("stages", "适用学段"),
    ("notice", "标注"),
    ("description", "说明"),
    ("total", "总分"),
    ("letter_grades", "等级比例"),
    ("measured_bands", "达标比例档次"),
    ("veto_grade", "否决后等级"),
    ("bonus_cap", "加分上限"),
    ("combination", "跨学段规则"),
    ("na_total", "不适用计分"),
    ("negative_cap", "负面清单扣分上限"),
]
TREE_COLUMNS = [
    ("code", "编码"),
    ("parent", "上级编码"),
    ("name", "名称"),
    ("points", "分值"),
    ("part", "类别"),
    ("style", "评分方式"),
    ("params", "评分参数"),
    ("requirement", "测评要求"),
    ("rule", "评分标准"),
    ("methods", "测评方法"),
    ("evidence", "佐证材料"),
    ("department", "责任科室"),
    ("keywords", "关键词"),
    ("evidence_rules", "佐证规则"),
    ("unit_types", "适用单位类型"),
    ("stages", "适用学段"),
    ("allow_na", "可不适用"),
]
LIST_FIELDS = {"unit_types", "stages", "methods", "evidence", "keywords"}
SECTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "vetoes": (
        "否决项",
        [
            ("code", "编码"),
            ("name", "名称"),
            ("description", "说明"),
            ("indicator", "关联指标"),
            ("window_months", "回溯期(月)"),
            ("kind", "类型"),
        ],
    ),
    "negative_list": (
        "负面清单",
        [
            ("code", "编码"),
            ("name", "名称"),
            ("effect", "处理方式"),
            ("points", "扣分"),
            ("window_months", "回溯期(月)"),
            ("indicator", "关联指标"),
            ("description", "说明"),
            ("max", "累计扣分上限"),
        ],
    ),
    "bands": ("等级", [("name", "名称"), ("min", "下限"), ("max", "上限")]),
    "quotas": (
        "定额",
        [
            ("code", "编码"),
            ("name", "名称"),
            ("activity_type", "活动类型"),
            ("per", "周期"),
            ("min", "最少次数"),
            ("per_department", "按科室"),
        ],
    ),
    "components": (
        "分项",
        [
            ("code", "编码"),
            ("name", "名称"),
            ("points", "满分"),
            ("threshold", "门槛分"),
            ("weight", "权重(%)"),
        ],
    ),
}
BASE, BONUS = "基本", "加分"
EFFECT_BY_LABEL = {label: effect.value for effect, label in EFFECT_LABELS.items()}
NA_TOTAL_BY_LABEL = {label: key for key, label in NA_TOTAL_LABELS.items()}
VETO_KIND_BY_LABEL = {label: key for key, label in VETO_KIND_LABELS.items()}
YES, NO = "是", "否"


# -- writing --------------------------------------------------------------------------


def write(data: dict[str, Any]) -> bytes:
    """Write framework data (as :func:`wenming.core.formats.framework_to_data` gives)."""
    wb = new_workbook()
    info = wb.active
    assert info is not None
    info.title = INFO_SHEET
    _header(info, ["字段", "值"])
    for field, label in INFO_FIELDS:
        value: Any
        if field == "bonus_cap":
            value = (data.get("bonus") or {}).get("cap")
        elif field in ("letter_grades", "measured_bands", "combination"):
            value = _flow(data[field]) if field in data else None
        elif field == "na_total" and field in data:
            value = NA_TOTAL_LABELS[data[field]]
        else:
            value = data.get(field)
        info.append([label, _cell(field, value)])
    _widths(info, [16, 60])

    tree = wb.create_sheet(TREE_SHEET)
    _header(tree, [h for _, h in TREE_COLUMNS])
    rows = list(_tree_rows(data.get("indicators", []), None, BASE))
    rows += _tree_rows((data.get("bonus") or {}).get("indicators", []), None, BONUS)
    for row in rows:
        tree.append([_cell(f, row.get(f)) for f, _ in TREE_COLUMNS])
    _widths(tree, [10, 10, 28, 8, 6, 10, 28, 40, 40, 20, 30, 12, 16, 30, 14, 14, 8])

    for section, (title, columns) in SECTIONS.items():
        sheet = wb.create_sheet(title)
        _header(sheet, [h for _, h in columns])
        for entry in data.get(section, []):
            values = dict(entry)
            if section == "negative_list":
                values["effect"] = EFFECT_LABELS[Effect(values["effect"])]
            if section == "vetoes" and "kind" in values:
                values["kind"] = VETO_KIND_LABELS[values["kind"]]
            sheet.append([_cell(f, values.get(f)) for f, _ in columns])
        _widths(sheet, [10, 30, 12, 10, 10, 10, 40, 12][: len(columns)])
    return workbook_bytes(wb)


def _tree_rows(
    nodes: Iterable[dict[str, Any]], parent: str | None, part: str
) -> Iterable[dict[str, Any]]:
    for node in nodes:
        row = {k: v for k, v in node.items() if k not in ("children", "scoring", "evidence_rules")}
        if node.get("evidence_rules"):
            row["evidence_rules"] = _flow(node["evidence_rules"])
        row["parent"], row["part"] = parent, part
        scoring = node.get("scoring")
        if scoring:
            params = {k: v for k, v in scoring.items() if k != "style"}
            style = scoring.get("style")
            row["style"] = REGISTRY[style].label if style in REGISTRY else style
            row["params"] = _flow(params) if params else None
        yield row
        yield from _tree_rows(node.get("children", []), node["code"], part)


def _cell(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in LIST_FIELDS:
        return LIST_SEP.join(value) or None
    if field == "allow_na":
        return YES if value else NO
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _flow(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=yaml_io._Dumper,
        default_flow_style=True,
        allow_unicode=True,
        width=10_000,
        sort_keys=False,
    ).strip()


def _header(sheet: Worksheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


# -- reading --------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.cells: dict[Loc, str] = {}
        self.issues: list[Issue] = []

    def at(self, sheet: str, row: int, col: int) -> str:
        return f"工作表“{sheet}”第{row}行{get_column_letter(col)}列"

    def fail(self, sheet: str, row: int, col: int, message: str) -> None:
        self.issues.append(Issue((), message, self.at(sheet, row, col)))

    def where(self, loc: Loc) -> str:
        for end in range(len(loc), -1, -1):
            found = self.cells.get(tuple(loc[:end]))
            if found is not None:
                return found
        return ""


def read(content: bytes, *, source: str = "") -> tuple[dict[str, Any], Callable[[Loc], str]]:
    """Read a workbook into framework data and a locator naming sheet, row and column."""
    data, where, issues = read_all(content, source=source)
    if issues:
        raise FileInvalid(issues, source=source)
    return data, where


def read_all(
    content: bytes, *, source: str = ""
) -> tuple[dict[str, Any], Callable[[Loc], str], list[Issue]]:
    """Like :func:`read`, but the cells that could not be read come back as issues beside the
    rest of the data (rows that could not be placed left out), so that validation can report
    the other rows' problems in the same pass."""
    return workbook_read(content, lambda wb: _read_workbook(wb, source=source), source=source)


def _read_workbook(
    wb: Any, *, source: str
) -> tuple[dict[str, Any], Callable[[Loc], str], list[Issue]]:
    reader = _Reader()
    missing = [name for name in (INFO_SHEET, TREE_SHEET) if name not in wb.sheetnames]
    if missing:
        raise FileInvalid([Issue((), f"缺少工作表“{name}”") for name in missing], source=source)
    data = _read_info(wb[INFO_SHEET], reader)
    indicators, bonus = _read_tree(wb[TREE_SHEET], reader)
    data["indicators"] = indicators
    if bonus or "bonus" in data:
        data.setdefault("bonus", {})["indicators"] = bonus
    for section, (title, columns) in SECTIONS.items():
        if title in wb.sheetnames:
            entries = _read_table(wb[title], columns, section, reader)
            if entries:
                data[section] = entries
    return data, reader.where, reader.issues


def _rows(sheet: Worksheet) -> Iterable[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(sheet_rows(sheet, min_row=2), start=2):
        if any(v not in (None, "") for v in row):
            yield number, row


def _text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _read_info(sheet: Worksheet, reader: _Reader) -> dict[str, Any]:
    by_label = {label: field for field, label in INFO_FIELDS}
    data: dict[str, Any] = {}
    for number, row in _rows(sheet):
        label, value = _text(row[0]), _text(row[1] if len(row) > 1 else None)
        field = by_label.get(str(label))
        if field is None:
            reader.fail(sheet.title, number, 1, f"未知字段“{label}”")
            continue
        if value is None:
            continue
        loc: Loc = ("bonus", "cap") if field == "bonus_cap" else (field,)
        reader.cells[loc] = reader.at(sheet.title, number, 2)
        if field == "bonus_cap":
            data.setdefault("bonus", {})["cap"] = value
        elif field in ("letter_grades", "measured_bands", "combination"):
            parsed = _parse_flow(str(value), reader, sheet.title, number, 2)
            if parsed is not None:
                data[field] = parsed
        elif field == "na_total":
            data[field] = NA_TOTAL_BY_LABEL.get(str(value), str(value))
        elif field in LIST_FIELDS:
            data[field] = _split(value)
        else:
            data[field] = str(value) if field in ("id", "edition", "name") else value
    return data


def _read_tree(sheet: Worksheet, reader: _Reader) -> tuple[list[Any], list[Any]]:
    col = {field: i for i, (field, _) in enumerate(TREE_COLUMNS)}
    nodes: dict[str, dict[str, Any]] = {}
    rows: dict[str, int] = {}
    roots: dict[str, list[dict[str, Any]]] = {BASE: [], BONUS: []}
    parts: dict[str, str] = {}
    styles = {cls.label: key for key, cls in REGISTRY.items()}
    for number, raw in _rows(sheet):
        row = [_text(v) for v in raw] + [None] * len(TREE_COLUMNS)
        code = row[col["code"]]
        if code is None:
            reader.fail(sheet.title, number, 1, "编码不能为空")
            continue
        code = str(code)
        node: dict[str, Any] = {"code": code}
        for field in ("name", "points", "requirement", "rule", "department"):
            value = row[col[field]]
            if value is not None:
                node[field] = str(value) if field != "points" else value
        for field in ("methods", "evidence", "keywords", "unit_types", "stages"):
            if row[col[field]] is not None:
                node[field] = _split(row[col[field]])
        allow_na = row[col["allow_na"]]
        if allow_na is not None:
            node["allow_na"] = {YES: True, NO: False}.get(str(allow_na), allow_na)
        rules = row[col["evidence_rules"]]
        if rules is not None:
            parsed = _parse_flow(str(rules), reader, sheet.title, number, col["evidence_rules"] + 1)
            if parsed is not None:
                node["evidence_rules"] = parsed
        style = row[col["style"]]
        if style is not None:
            scoring: dict[str, Any] = {"style": styles.get(str(style), str(style))}
            if row[col["params"]] is not None:
                params = _parse_flow(
                    str(row[col["params"]]), reader, sheet.title, number, col["params"] + 1
                )
                if isinstance(params, dict):
                    scoring.update(params)
                elif params is not None:
                    reader.fail(
                        sheet.title, number, col["params"] + 1, "评分参数应写成 {名称: 值} 的形式"
                    )
            node["scoring"] = scoring
        part = str(row[col["part"]] or BASE)
        if part not in roots:
            reader.fail(sheet.title, number, col["part"] + 1, f"类别应为“{BASE}”或“{BONUS}”")
            continue
        if code in nodes:
            reader.fail(sheet.title, number, 1, f"编码“{code}”重复(第{rows[code]}行已有)")
            continue
        parent = row[col["parent"]]
        if parent is not None:
            parent = str(parent)
            if parent not in nodes:
                reader.fail(
                    sheet.title, number, 2, f"上级编码“{parent}”不存在(上级指标须写在下级之前)"
                )
                continue
            if parts[parent] != part:
                reader.fail(sheet.title, number, col["part"] + 1, f"类别与上级指标“{parent}”不一致")
                continue
            nodes[parent].setdefault("children", []).append(node)
        else:
            roots[part].append(node)
        nodes[code], rows[code], parts[code] = node, number, part
    # map document paths to cells once the tree is known
    for part, prefix in ((BASE, ("indicators",)), (BONUS, ("bonus", "indicators"))):
        _map_tree(roots[part], prefix, rows, sheet.title, col, reader)
    return roots[BASE], roots[BONUS]


def _map_tree(
    nodes: list[dict[str, Any]],
    prefix: Loc,
    rows: dict[str, int],
    title: str,
    col: dict[str, int],
    reader: _Reader,
) -> None:
    for i, node in enumerate(nodes):
        here = (*prefix, i)
        number = rows[node["code"]]
        reader.cells[here] = reader.at(title, number, 1)
        for field, index in col.items():
            reader.cells[(*here, field)] = reader.at(title, number, index + 1)
        reader.cells[(*here, "scoring")] = reader.at(title, number, col["params"] + 1)
        reader.cells[(*here, "scoring", "style")] = reader.at(title, number, col["style"] + 1)
        _map_tree(node.get("children", []), (*here, "children"), rows, title, col, reader)


def _read_table(
    sheet: Worksheet, columns: list[tuple[str, str]], section: str, reader: _Reader
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for number, raw in _rows(sheet):
        row = [_text(v) for v in raw] + [None] * len(columns)
        entry: dict[str, Any] = {}
        index = len(entries)
        reader.cells[(section, index)] = reader.at(sheet.title, number, 1)
        for i, (field, _) in enumerate(columns):
            reader.cells[(section, index, field)] = reader.at(sheet.title, number, i + 1)
            value = row[i]
            if value is None:
                continue
            if field == "effect":
                value = EFFECT_BY_LABEL.get(str(value), str(value))
            elif field == "kind":
                value = VETO_KIND_BY_LABEL.get(str(value), str(value))
            elif field in ("code", "name", "indicator", "description", "activity_type", "per"):
                value = str(value)
            entry[field] = value
        entries.append(entry)
    return entries


def _split(value: Any) -> list[str]:
    parts = str(value).replace("\n", LIST_SEP).split(LIST_SEP)
    return [p.strip() for p in parts if p.strip()]


def _parse_flow(text: str, reader: _Reader, sheet: str, row: int, col: int) -> Any:
    try:
        data, _ = yaml_io.load(text)
    except FileInvalid as exc:
        reader.fail(sheet, row, col, f"无法解析“{text}”:{exc.issues[0].message}")
        return None
    return data


def read_file(path: Path) -> tuple[dict[str, Any], Callable[[Loc], str]]:
    return read(path.read_bytes(), source=path.name)
