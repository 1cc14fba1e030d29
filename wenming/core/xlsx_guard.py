"""The one way any uploaded .xlsx is opened: sizes and rows checked before parsing, then streamed.

An .xlsx is a zip of XML parts, and XML of repeated rows compresses several hundred times: a
630 KB upload can hold a 190 MB sheet of two million rows. So before openpyxl sees the file,
:func:`workbook_check` reads only the zip's directory (number of parts, each part's size, their
sum, each part's compression ratio) and then streams every XML part once, counting rows and cells
with byte searches (no XML parsing, memory flat). Only then :func:`workbook_open` opens it in
openpyxl's read-only (streaming) mode, and :func:`sheet_rows` never reads past the row limit.
openpyxl parses with defusedxml (a dependency), so entity expansion in the XML is refused too.

Imports, the framework workbook and results workbooks all use this module, and
:func:`zip_check` also guards .docx uploads (wenming/documents/reading.py); copy nothing of it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from wenming.core.errors import ActionRefused, FileInvalid, Issue

T = TypeVar("T")

MAX_ROWS = 50_000  # data rows of one sheet
HEADER_ROWS = 10  # title and header lines allowed above the data
MAX_COLUMNS = 200  # cells in one row
MAX_CELLS = 2_000_000  # cells in the whole workbook
MAX_PARTS = 1_000
MAX_PART_BYTES = 64 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 128 * 1024 * 1024  # all parts, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024

NOT_A_WORKBOOK = "无法读取该文件,请上传.xlsx格式的Excel工作簿"
_MB = 1024 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
_ROW_INDEX = re.compile(rb'^[^>]*?\sr\s*=\s*["\'](\d+)')
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")


class WorkbookRefused(ActionRefused):
    """The file is not opened; the message says why in Chinese."""


ZipRefused = WorkbookRefused  # the same refusal, named for zips that are not workbooks


def zip_check(
    content: bytes,
    *,
    refused: str = NOT_A_WORKBOOK,
    max_part: int | None = None,
    max_total: int | None = None,
) -> zipfile.ZipFile:
    """Open a zip (an .xlsx or .docx) after checking its directory: number of parts, each part's
    declared size, their sum and each part's compression ratio. Nothing is inflated here, and
    zipfile never inflates a part past its declared size (it fails the CRC check instead)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception:  # zipfile raises many kinds for bytes that are not a zip
        raise WorkbookRefused(refused) from None
    max_part = max_part or MAX_PART_BYTES
    max_total = max_total or MAX_TOTAL_BYTES
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise WorkbookRefused(f"文件包含的部件过多(上限{MAX_PARTS}个),不是正常的文件")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > max_part or total > max_total:
            raise WorkbookRefused(
                f"文件解压后过大(单个部件上限{max_part // _MB}MB,合计上限{max_total // _MB}MB),未读取"
            )
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise WorkbookRefused(f"文件压缩比异常(超过{MAX_RATIO}倍),疑似恶意构造的文件,未读取")
    return archive


def workbook_check(content: bytes) -> None:
    """Refuse a workbook whose parts, rows or cells pass the limits, without parsing it."""
    with zip_check(content) as archive:
        counter = _Counter()
        for part in archive.infolist():
            if part.filename.lower().endswith(".xml"):
                counter.scan(archive, part)


class _Counter:
    """Rows and cells of worksheet XML, counted with byte searches over a stream."""

    def __init__(self) -> None:
        self.cells_total = 0

    def scan(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        self.rows = 0  # rows holding at least one cell
        self.index = 0  # the current row's number (the r attribute, or the one after the last)
        self.cells = 0  # cells of the current row
        tail = b""
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    buffer = tail + chunk
                    # keep a tag that may be cut at the end of the chunk for the next round
                    cut = buffer.rfind(b"<", max(0, len(buffer) - 16))
                    cut = len(buffer) if cut < 0 else cut
                    self._feed(buffer[:cut])
                    tail = buffer[cut:]
                self._feed(tail)
        except WorkbookRefused:
            raise
        except Exception:  # zipfile: bad CRC, unknown compression method, truncated stream …
            raise WorkbookRefused(NOT_A_WORKBOOK) from None
        self._end_row()

    def _feed(self, data: bytes) -> None:
        pieces = _ROW.split(data)
        self._count_cells(pieces[0])
        for piece in pieces[1:]:
            self._end_row()
            match = _ROW_INDEX.match(piece[:200])
            self.index = int(match.group(1)) if match else self.index + 1
            self._count_cells(piece)

    def _count_cells(self, piece: bytes) -> None:
        if not self.index:  # before the first row: not sheet data
            return
        found = piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/")
        if b":c" in piece:
            found += len(_PREFIXED_CELL.findall(piece))
        self.cells += found
        self.cells_total += found
        if self.cells > MAX_COLUMNS:
            raise WorkbookRefused(f"第{self.index}行超过{MAX_COLUMNS}列,未读取")
        if self.cells_total > MAX_CELLS:
            raise WorkbookRefused(f"单元格过多(上限{MAX_CELLS}个),未读取")

    def _end_row(self) -> None:
        if self.cells:
            self.rows += 1
            if self.rows > MAX_ROWS + HEADER_ROWS or self.index > MAX_ROWS + HEADER_ROWS:
                raise WorkbookRefused(_too_many_rows())
        self.cells = 0


def _too_many_rows(sheet: str = "") -> str:
    which = f"工作表“{sheet}”" if sheet else "工作表"
    return f"{which}超过{MAX_ROWS}行数据(上限{MAX_ROWS}行),请分成几个文件导入,未读取"


def workbook_open(content: bytes) -> Workbook:
    """Check the file (see :func:`workbook_check`), then open it for streaming reads."""
    workbook_check(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookRefused(NOT_A_WORKBOOK) from None


def sheet_rows(sheet: Any, *, min_row: int = 1) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet as value tuples, at most MAX_COLUMNS wide.

    Never reads past the row limit: a row with values beyond it (which the check above lets
    through only for XML it could not count) refuses the whole sheet rather than being dropped.
    """
    last = MAX_ROWS + HEADER_ROWS
    rows = sheet.iter_rows(min_row=min_row, max_row=last + 1, max_col=MAX_COLUMNS, values_only=True)
    number = min_row
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # a part that inflates wrongly or XML openpyxl cannot read, met late
            raise WorkbookRefused(NOT_A_WORKBOOK) from None
        if number > last:
            if any(v not in (None, "") for v in row):
                raise WorkbookRefused(_too_many_rows(sheet.title))
            return
        yield row
        number += 1


def workbook_read(content: bytes, read: Callable[[Any], T], *, source: str = "") -> T:
    """``read(workbook)`` over a guarded, read-only workbook, closed afterwards; a refusal of the
    guard (at opening, or a sheet past the row limit found while streaming) becomes the file's
    :class:`FileInvalid` for the framework and results loaders."""
    try:
        wb = workbook_open(content)
    except WorkbookRefused as exc:
        raise FileInvalid([Issue((), str(exc))], source=source) from None
    try:
        return read(wb)
    except WorkbookRefused as exc:
        raise FileInvalid([Issue((), str(exc))], source=source) from None
    finally:
        wb.close()
