"""The results file format: one unit's entries for ``wenming score`` (YAML or .xlsx).

Documented in ``docs/results-format.md``. Both readers produce the same plain data, which
:func:`results_from_data` checks against the compiled framework, reporting every bad entry
with its line (YAML) or sheet, row and column (.xlsx).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from wenming.core import yaml_io
from wenming.core.engine import Engine, Event, ItemResult, UnitResult
from wenming.core.errors import FileInvalid, Issue, Loc
from wenming.core.framework import STAGES
from wenming.core.points import PointsError, to_centi
from wenming.core.styles import InputError, UnitProfile
from wenming.core.xlsx_guard import sheet_rows, workbook_read

ENROLMENT_STAGES = ("小学", "初中", "高中")
TOP_FIELDS = {
    "framework",
    "edition",
    "unit",
    "as_of",
    "stage",
    "unit_type",
    "enrolment",
    "items",
    "events",
    "components",
}


def results_from_data(engine: Engine, data: Any, *, today: date | None = None) -> UnitResult:
    """Check results data against the framework; raise FileInvalid listing every problem."""
    issues: list[Issue] = []
    if not isinstance(data, dict):
        raise FileInvalid([Issue((), "结果文件的顶层应为键值对")])
    for key in data:
        if key not in TOP_FIELDS:
            issues.append(Issue((key,), f"未知字段“{key}”"))
    fw = engine.framework
    if data.get("framework") not in (None, fw.id):
        issues.append(
            Issue(("framework",), f"结果文件对应框架“{data['framework']}”,而不是“{fw.id}”")
        )
    if data.get("edition") is not None and str(data["edition"]) != fw.edition:
        issues.append(
            Issue(("edition",), f"结果文件对应版本“{data['edition']}”,而不是“{fw.edition}”")
        )
    as_of = _day(data.get("as_of", today or date.today()))
    if not isinstance(as_of, date):
        issues.append(Issue(("as_of",), f"评分日期“{as_of}”应写成 2026-06-30 的形式"))
        as_of = date.today()
    stage = data.get("stage")
    if stage is not None and stage not in STAGES:
        issues.append(Issue(("stage",), f"学段应为{'、'.join(STAGES)}之一"))
    unit_type = data.get("unit_type")
    if unit_type is not None:
        unit_type = str(unit_type).strip()
        if unit_type not in fw.unit_types:
            issues.append(
                Issue(
                    ("unit_type",),
                    f"单位类型应为{'、'.join(fw.unit_types)}之一,不能是“{unit_type}”",
                )
            )
            unit_type = None
    enrolment: dict[str, int] = {}
    for key, value in (data.get("enrolment") or {}).items():
        if key not in ENROLMENT_STAGES:
            issues.append(
                Issue(("enrolment", key), f"在校生学段应为{'、'.join(ENROLMENT_STAGES)}之一")
            )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            issues.append(Issue(("enrolment", key), "在校生数应为非负整数"))
        else:
            enrolment[key] = value
    items: dict[str, ItemResult] = {}
    raw_items = data.get("items") or {}
    if not isinstance(raw_items, dict):
        issues.append(Issue(("items",), "评分项应为“编码: 值”的键值对"))
        raw_items = {}
    for code, raw in raw_items.items():
        code = str(code)
        value, reason, note = raw, "", ""
        if isinstance(raw, dict) and not set(raw) & {"value", "reason", "note"}:
            raw = {"value": raw}  # counts per kind written directly: {缺项: 1, 不规范: 2}
        if isinstance(raw, dict):
            unknown = set(raw) - {"value", "reason", "note"}
            if unknown:
                issues.append(Issue(("items", code), f"未知字段“{'、'.join(map(str, unknown))}”"))
            value, reason, note = raw.get("value"), raw.get("reason") or "", raw.get("note") or ""
        if len(str(note)) > 500:
            issues.append(Issue(("items", code), f"{code} 说明超过500字"))
        try:
            items[code] = engine.parse_item(code, value, reason=str(reason), note=str(note))
        except InputError as exc:
            issues.append(Issue(("items", code), f"{code}:{exc}"))
    events = []
    for i, raw in enumerate(data.get("events") or []):
        entry = raw if isinstance(raw, dict) else {"code": raw}
        code, day = str(entry.get("code", "")), _day(entry.get("date"))
        until = _day(entry.get("until"))
        try:
            engine.check_event(code)
        except InputError as exc:
            issues.append(Issue(("events", i), str(exc)))
            continue
        if day is not None and not isinstance(day, date):
            issues.append(Issue(("events", i, "date"), f"日期“{day}”应写成 2026-06-30 的形式"))
            continue
        if until is not None:
            veto = engine.vetoes.get(code)
            if veto is None or veto.kind != "state":
                issues.append(
                    Issue(("events", i, "until"), f"{code} 不是状态类否决项,不能填写消除日期")
                )
                continue
            if not isinstance(until, date):
                issues.append(
                    Issue(("events", i, "until"), f"日期“{until}”应写成 2026-06-30 的形式")
                )
                continue
            if day is not None and until <= day:
                issues.append(Issue(("events", i, "until"), f"{code} 的消除日期应晚于开始日期"))
                continue
        events.append(Event(code, day, str(entry.get("note") or ""), until))
    components: dict[str, int] = {}
    known = {c.code: c for c in engine.framework.components}
    for code, value in (data.get("components") or {}).items():
        if code not in known:
            issues.append(Issue(("components", code), f"“{code}”不是本框架的分项"))
            continue
        try:
            centi = to_centi(value)
        except PointsError as exc:
            issues.append(Issue(("components", code), str(exc)))
            continue
        if not 0 <= centi <= to_centi(known[code].points):
            issues.append(
                Issue(("components", code), f"分项{code} 得分应在0到{known[code].points}之间")
            )
            continue
        components[code] = centi
    profile = UnitProfile(stage=stage, enrolment=enrolment, unit_type=unit_type)
    for code in items:
        if not engine.applies(code, profile):
            issues.append(Issue(("items", code), f"{code} 不适用于本单位的类型或学段,不应评分"))
    result = UnitResult(
        items=items,
        as_of=as_of,
        events=tuple(events),
        components=components,
        profile=profile,
        unit=str(data.get("unit") or ""),
    )
    if not issues:
        try:  # profile problems (a stage missing for a per-stage standard) show when scoring
            engine.score(result)
        except InputError as exc:
            issues.append(Issue(("stage",), str(exc)))
    if issues:
        raise FileInvalid(issues)
    return result


def _day(value: Any) -> Any:
    """Dates arrive as date, datetime (Excel) or ISO text; anything else is left to report."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


# -- xlsx -----------------------------------------------------------------------------

UNIT_SHEET, ITEMS_SHEET, EVENTS_SHEET, COMPONENTS_SHEET = "单位", "评分", "事项", "分项"
UNIT_LABELS = {
    "单位": "unit",
    "评分日期": "as_of",
    "学段": "stage",
    "单位类型": "unit_type",
    "框架": "framework",
    "版本": "edition",
}


def read_xlsx(content: bytes, *, source: str = "") -> tuple[dict[str, Any], Callable[[Loc], str]]:
    return workbook_read(content, lambda wb: _read_workbook(wb, source=source), source=source)


def _read_workbook(wb: Any, *, source: str) -> tuple[dict[str, Any], Callable[[Loc], str]]:
    if ITEMS_SHEET not in wb.sheetnames:
        raise FileInvalid([Issue((), f"缺少工作表“{ITEMS_SHEET}”")], source=source)
    cells: dict[Loc, str] = {}
    data: dict[str, Any] = {}

    def at(sheet: str, row: int, col: int) -> str:
        return f"工作表“{sheet}”第{row}行{get_column_letter(col)}列"

    def rows(name: str) -> list[tuple[int, list[Any]]]:
        if name not in wb.sheetnames:
            return []
        out = []
        for number, row in enumerate(sheet_rows(wb[name], min_row=2), start=2):
            values = [v.strip() if isinstance(v, str) else v for v in row] + [None] * 5
            if any(v not in (None, "") for v in values):
                out.append((number, [None if v == "" else v for v in values]))
        return out

    for number, (label, value, *_) in rows(UNIT_SHEET):
        if label in UNIT_LABELS:
            data[UNIT_LABELS[label]] = value
            cells[(UNIT_LABELS[label],)] = at(UNIT_SHEET, number, 2)
        elif str(label).endswith("在校生"):
            stage = str(label).removesuffix("在校生")
            data.setdefault("enrolment", {})[stage] = value
            cells[("enrolment", stage)] = at(UNIT_SHEET, number, 2)
    items: dict[str, Any] = {}
    for number, (code, _name, value, reason, note, *_) in rows(ITEMS_SHEET):
        if value is None:
            continue
        items[str(code)] = {"value": value, "reason": reason or "", "note": note or ""}
        cells[("items", str(code))] = at(ITEMS_SHEET, number, 3)
    data["items"] = items
    events: list[dict[str, Any]] = []
    for number, (code, day, note, until, *_) in rows(EVENTS_SHEET):
        cells[("events", len(events))] = at(EVENTS_SHEET, number, 1)
        cells[("events", len(events), "date")] = at(EVENTS_SHEET, number, 2)
        cells[("events", len(events), "until")] = at(EVENTS_SHEET, number, 4)
        events.append({"code": code, "date": day, "note": note, "until": until})
    data["events"] = events
    components = {}
    for number, (code, value, *_) in rows(COMPONENTS_SHEET):
        components[str(code)] = value
        cells[("components", str(code))] = at(COMPONENTS_SHEET, number, 2)
    data["components"] = components

    def where(loc: Loc) -> str:
        for end in range(len(loc), -1, -1):
            if tuple(loc[:end]) in cells:
                return cells[tuple(loc[:end])]
        return ""

    return data, where


def results_load(engine: Engine, path: Path) -> UnitResult:
    """Read a results file (.yaml/.yml or .xlsx) for ``engine``'s framework."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FileInvalid([Issue((), f"无法读取文件:{exc.strerror}")], source=str(path)) from None
    if path.suffix.lower() == ".xlsx":
        data, where = read_xlsx(content, source=path.name)
    elif path.suffix.lower() in (".yaml", ".yml"):
        try:
            data, lines = yaml_io.load(content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise FileInvalid([Issue((), "文件不是UTF-8编码的文本")], source=path.name) from None
        where = yaml_io.locator(lines)
    else:
        raise FileInvalid([Issue((), "结果文件应为 .yaml/.yml 或 .xlsx")], source=path.name)
    try:
        return results_from_data(engine, data)
    except FileInvalid as exc:
        raise FileInvalid(exc.located(where).issues, source=path.name) from None
