"""Load and save frameworks as YAML or Excel; every reader ends in the same validator."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from wenming.core import xlsx_io, yaml_io
from wenming.core.errors import FileInvalid, Issue
from wenming.core.framework import Framework
from wenming.core.validation import framework_from_data

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx",)


def framework_from_yaml(text: str, *, source: str = "") -> Framework:
    data, lines = yaml_io.load(text)
    try:
        return framework_from_data(data)
    except FileInvalid as exc:
        raise FileInvalid(exc.located(yaml_io.locator(lines)).issues, source=source) from None


def framework_from_xlsx(content: bytes, *, source: str = "") -> Framework:
    """Every problem of the workbook at once: cells that cannot be read, then whatever
    validation finds in the rows that could be read."""
    data, where, unreadable = xlsx_io.read_all(content, source=source)
    try:
        framework = framework_from_data(data)
    except FileInvalid as exc:
        found = exc.located(where).issues
        if unreadable:  # rows left out change the sums: only the rows' own problems count
            found = [i for i in found if not i.is_sum]
        raise FileInvalid([*unreadable, *found], source=source) from None
    if unreadable:
        raise FileInvalid(unreadable, source=source)
    return framework


def framework_from_bytes(content: bytes, *, filename: str) -> Framework:
    """Parse an uploaded or read file, choosing the format by its name."""
    suffix = Path(filename).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return framework_from_xlsx(content, source=filename)
    if suffix in YAML_SUFFIXES:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileInvalid([Issue((), "文件不是UTF-8编码的文本")], source=filename) from None
        return framework_from_yaml(text, source=filename)
    raise FileInvalid([Issue((), "只支持 .yaml/.yml 或 .xlsx 格式的框架文件")], source=filename)


def framework_load(path: Path) -> Framework:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FileInvalid([Issue((), f"无法读取文件:{exc.strerror}")], source=str(path)) from None
    return framework_from_bytes(content, filename=path.name)


def framework_to_data(fw: Framework) -> dict[str, Any]:
    """Plain data for writing: defaults left out, enums as their values, aliases used."""
    data = fw.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    return {key: _plain(value) for key, value in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def framework_to_yaml(fw: Framework) -> str:
    return yaml_io.dump(framework_to_data(fw))


def framework_to_xlsx(fw: Framework) -> bytes:
    return xlsx_io.write(framework_to_data(fw))


def framework_save(fw: Framework, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        path.write_bytes(framework_to_xlsx(fw))
    elif suffix in YAML_SUFFIXES:
        path.write_text(framework_to_yaml(fw), encoding="utf-8")
    else:
        raise FileInvalid([Issue((), "只能导出为 .yaml 或 .xlsx 文件")], source=str(path))
