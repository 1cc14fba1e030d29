"""Hostile inputs built small, and a check that refusing them stays cheap.

Each builder makes in memory, in a few milliseconds, a file that would cost a naive reader
gigabytes or minutes: a YAML "billion laughs", nesting thousands deep, a workbook whose sheet
holds two million rows (its XML written into the zip directly, where it compresses ~300 times).
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

PEAK_BYTES = 200 * 1024 * 1024
SECONDS = 2.0


@contextmanager
def bounded(*, peak: int = PEAK_BYTES, seconds: float = SECONDS) -> Iterator[None]:
    """Fail unless the block's peak Python memory and its time stay under the bounds.

    Time is this process's CPU time, so that other work on a shared machine does not count; it
    includes tracemalloc's own overhead (roughly doubling it), so the bound is a generous one.
    """
    tracemalloc.start()
    started = time.process_time()
    try:
        yield
    finally:
        elapsed = time.process_time() - started
        _, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert high < peak, f"peak memory {high / 1e6:.0f} MB"
    assert elapsed < seconds, f"took {elapsed:.2f} s"


def billion_laughs(levels: int = 10) -> str:
    """`a0` holds nine strings, each `aN` nine aliases of `aN-1`: 9**10 values when expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int = 100_000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def deep_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _workbook_xml(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


@cache
def xlsx_with_rows(
    rows: int,
    *,
    sheet: str = "Sheet1",
    header: tuple[str, ...] = ("名称",),
    cell: str = "x",
    numbered: bool = False,
    columns: int = 0,
    row_xml: str = "",
) -> bytes:
    """A workbook of one sheet: a header row, then `rows` rows of inline strings (each cell
    ending in its row number when `numbered`, so that it compresses like real data; `columns`
    cells when given; or `row_xml` verbatim as the body)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            heads = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in header)
            part.write(f'<row r="1">{heads}</row>'.encode())
            width = columns or len(header)
            chunk = []
            for number in range(rows):
                text = f"{cell}{number * 7919 % 1_000_003}" if numbered else cell
                body = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for _ in range(width))
                chunk.append(f"<row>{body}</row>")
                if len(chunk) == 10_000:
                    part.write("".join(chunk).encode())
                    chunk = []
            part.write("".join(chunk).encode())
            part.write(row_xml.encode())
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


@cache
def zip_bomb(
    name: str, *, size: int = 300 * 1024 * 1024, extra: tuple[tuple[str, bytes], ...] = ()
) -> bytes:
    """A zip whose part `name` inflates to `size` bytes of one repeated character."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part_name, data in extra:
            archive.writestr(part_name, data)
        with archive.open(name, "w", force_zip64=True) as part:
            block = b" " * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    return out.getvalue()
