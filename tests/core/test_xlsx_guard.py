"""Every uploaded workbook is checked before parsing and read as a bounded stream."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.hostile import bounded, xlsx_with_rows, zip_bomb
from wenming.core import xlsx_guard
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_from_bytes
from wenming.core.results import read_xlsx
from wenming.core.xlsx_guard import WorkbookRefused, sheet_rows, workbook_check, workbook_open


def refusal(content: bytes) -> str:
    with bounded(), pytest.raises(WorkbookRefused) as caught:
        workbook_open(content)
    return str(caught.value)


def test_two_million_rows_in_a_small_file_are_refused_unread():
    bomb = xlsx_with_rows(2_000_000)
    assert len(bomb) < 400_000
    assert "文件解压后过大(单个部件上限64MB" in refusal(bomb)


def test_a_part_that_inflates_a_hundredfold_is_refused():
    bomb = zip_bomb("xl/worksheets/sheet1.xml", size=40 * 1024 * 1024)
    assert f"压缩比异常(超过{xlsx_guard.MAX_RATIO}倍)" in refusal(bomb)


def test_the_sum_of_parts_is_bounded(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL_BYTES", 1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            archive.writestr(f"xl/media/p{i}.bin", bytes(range(256)) * 2400)  # 600 KB each
    assert "合计上限1MB" in refusal(out.getvalue())


def test_more_data_rows_than_the_limit_are_refused_before_parsing():
    content = xlsx_with_rows(xlsx_guard.MAX_ROWS + xlsx_guard.HEADER_ROWS + 1, numbered=True)
    message = refusal(content)
    assert f"超过{xlsx_guard.MAX_ROWS}行数据(上限{xlsx_guard.MAX_ROWS}行)" in message


def test_the_limit_itself_is_allowed():
    content = xlsx_with_rows(2_000, numbered=True)
    workbook = workbook_open(content)
    assert sum(1 for _ in sheet_rows(workbook.worksheets[0])) == 2_001


def test_a_row_numbered_past_the_limit_is_refused():
    far = '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'
    assert "超过50000行数据" in refusal(xlsx_with_rows(3, row_xml=far))


def test_a_row_too_wide_is_refused():
    message = refusal(xlsx_with_rows(1, columns=xlsx_guard.MAX_COLUMNS + 1))
    assert f"第2行超过{xlsx_guard.MAX_COLUMNS}列" in message


def test_too_many_cells_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_CELLS", 1_000)
    assert "单元格过多(上限1000个)" in refusal(xlsx_with_rows(100, columns=20, numbered=True))


def test_too_many_parts_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(xlsx_guard.MAX_PARTS + 1):
            archive.writestr(f"p{i}.xml", b"")
    assert f"部件过多(上限{xlsx_guard.MAX_PARTS}个)" in refusal(out.getvalue())


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_not_a_workbook(content):
    assert refusal(content) == xlsx_guard.NOT_A_WORKBOOK


def test_streaming_stops_at_the_limit_even_unchecked(monkeypatch):
    """Rows the byte count could not see are still never read past the limit."""
    content = xlsx_with_rows(200, numbered=True)
    monkeypatch.setattr(xlsx_guard, "MAX_ROWS", 100)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = sheet_rows(workbook.worksheets[0])
    with pytest.raises(WorkbookRefused, match="超过100行数据"):
        for _ in rows:
            pass


def test_prefixed_rows_are_counted(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_ROWS", 5)
    body = "".join(f'<x:row r="{n}"><x:c r="A{n}"><x:v>1</x:v></x:c></x:row>' for n in range(2, 20))
    with pytest.raises(WorkbookRefused, match="超过5行数据"):
        workbook_check(xlsx_with_rows(0, row_xml=body))


def test_framework_workbook_is_bounded_the_same_way():
    with bounded(), pytest.raises(FileInvalid, match="解压后过大"):
        framework_from_bytes(xlsx_with_rows(2_000_000), filename="框架.xlsx")


def test_results_workbook_is_bounded_the_same_way():
    with bounded(), pytest.raises(FileInvalid, match="解压后过大"):
        read_xlsx(xlsx_with_rows(2_000_000), source="结果.xlsx")
