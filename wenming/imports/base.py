"""Excel import with a preview: parse → validate → show what will change → commit all-or-nothing.

The one import mechanism of the product. An importer describes its columns and knows how to
read rows into a plan and apply a plan; the services here keep the uploaded file, show the
preview, and on confirmation re-read the file and apply it inside one transaction, refusing if
anything is wrong. To add an importer, copy ``wenming/organizations/importer.py`` and register it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from wenming.accounts.scope import Scope
from wenming.core.xlsx_guard import sheet_rows, workbook_open


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: int  # 1-based; 0 when the whole row is meant
    header: str
    message: str

    def __str__(self) -> str:
        if not self.sheet:  # the whole file
            return self.message
        where = f"工作表“{self.sheet}”第{self.row}行"
        if self.column:
            where += f"{get_column_letter(self.column)}列({self.header})"
        return f"{where}:{self.message}"


@dataclass
class PlannedChange:
    sheet: str
    row: int
    key: str
    label: str
    action: str  # 新增 | 更新 | 无变化
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    changes: list[PlannedChange] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        out = {"新增": 0, "更新": 0, "无变化": 0}
        for change in self.changes:
            out[change.action] += 1
        return out


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, tuple[int, str]]  # field → (column index, header)

    def error(self, field_name: str, message: str) -> CellError:
        col, header = self.columns.get(field_name, (0, ""))
        return CellError(self.sheet, self.number, col, header, message)


class Importer(ABC):
    kind: ClassVar[str]
    label: ClassVar[str]
    sheets: ClassVar[dict[str, list[Column]]]
    # query parameters the importer needs (e.g. which unit and framework), kept with the upload
    context_keys: ClassVar[tuple[str, ...]] = ()
    # where the person lands after a confirmed import: a URL name, with these context keys
    # passed on as query parameters (a unit's sheet leads back to that unit's page)
    done_url: ClassVar[str] = "units:list"
    done_query: ClassVar[tuple[str, ...]] = ()
    # what the upload page says about the sheet beyond the general rules (how rows are matched)
    intro: ClassVar[str] = ""

    def __init__(self, *, context: dict[str, str] | None = None, user: User | None = None) -> None:
        self.context = context or {}
        self.user = user

    def done_target(self) -> str:
        """The page to return to once the import is confirmed (where the person came from)."""
        url = reverse(self.done_url)
        query = {k: self.context[k] for k in self.done_query if self.context.get(k)}
        return f"{url}?{urlencode(query)}" if query else url

    def check_context(self) -> None:
        """Raise ImportRefused (from wenming.imports.services) if the context is not allowed."""
        return None

    @classmethod
    @abstractmethod
    def allowed(cls, scope: Scope) -> bool:
        """May a person with this scope use the importer at all?"""

    @abstractmethod
    def plan(self, workbook: Workbook, *, scope: Scope) -> ImportPlan:
        """Read and check every row; decide what each would change. Writes nothing."""

    @abstractmethod
    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        """Apply a plan without errors (called inside a transaction)."""

    @abstractmethod
    def export(self, *, scope: Scope) -> bytes:
        """The same sheet filled with what the person may see."""

    # -- helpers for importers ---------------------------------------------------------

    def rows(
        self, workbook: Workbook, sheet_name: str, errors: list[CellError], *, header_row: int = 1
    ) -> Iterator[Row]:
        """The sheet's data rows below its header line, blank ones left out (streamed, bounded:
        a sheet past the row limit raises WorkbookRefused from wenming.core.xlsx_guard)."""
        if sheet_name not in workbook.sheetnames:
            errors.append(CellError(sheet_name, 1, 0, "", f"缺少工作表“{sheet_name}”"))
            return
        columns = self.sheets[sheet_name]
        raw_rows = sheet_rows(workbook[sheet_name], min_row=header_row)
        header = [str(v).strip() if v is not None else "" for v in next(raw_rows, ())]
        positions: dict[str, tuple[int, str]] = {}
        missing = False
        for column in columns:
            if column.header in header:
                positions[column.field] = (header.index(column.header) + 1, column.header)
            elif column.required:
                missing = True
                errors.append(CellError(sheet_name, header_row, 0, "", f"缺少列“{column.header}”"))
        if missing:
            return
        for number, raw in enumerate(raw_rows, start=header_row + 1):
            if raw is None or all(v in (None, "") for v in raw):
                continue
            values = {}
            for field_name, (col, _) in positions.items():
                value = raw[col - 1] if col - 1 < len(raw) else None
                if isinstance(value, str):
                    value = value.strip() or None
                values[field_name] = value
            row = Row(sheet_name, number, values, positions)
            for column in columns:
                if column.required and values.get(column.field) is None:
                    errors.append(row.error(column.field, f"“{column.header}”不能为空"))
            yield row


def open_workbook(content: bytes) -> Workbook:
    """Open an upload for streaming reads; WorkbookRefused (Chinese) when it passes a limit."""
    return workbook_open(content)


REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    REGISTRY[cls.kind] = cls
    return cls
