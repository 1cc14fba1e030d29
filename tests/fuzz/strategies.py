"""Generated and mutated inputs for the parsers' property tests and the atheris harness."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st
from openpyxl import Workbook

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# what a person (or an attacker) can type into a cell
cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", " ", "是", "否", "机关", "学校", "小学", "2026-03-15", "=1+1", "#N/A"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.booleans(),
)


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name[:31] or "Sheet")
        for row in rows:
            sheet.append([_writable(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _writable(value: Any) -> Any:
    if isinstance(value, str):  # openpyxl refuses control characters in cells
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    return value


@st.composite
def sheet_rows(draw: st.DrawFn, headers: list[str]) -> list[list[Any]]:
    """A header line (sometimes with a column missing or moved) and a few rows of anything."""
    head = list(headers)
    if draw(st.booleans()) and head:
        head.pop(draw(st.integers(0, len(head) - 1)))
    if draw(st.booleans()):
        head = draw(st.permutations(head))
    rows = draw(st.lists(st.lists(cells, max_size=len(head) + 1), max_size=6))
    return [head, *rows]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A valid file with a few bytes flipped, cut, or repeated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "cut", "repeat", "insert"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if how == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif how == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 32))] * draw(st.integers(1, 50))
        else:
            data[at:at] = draw(
                st.sampled_from([b"&a ", b"*a", b"[", b"{", b"\n  - ", b"\xff", b": "])
            )
    return bytes(data)


def is_chinese(message: str) -> bool:
    return bool(CHINESE.search(message))
