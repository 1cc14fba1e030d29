"""Read and write YAML documents keeping the line of every value.

PyYAML's composer gives nodes with positions; we build plain Python data from them ourselves
so that every path into the document (``("indicators", 0, "points")``) maps to the line where
it was written. Numbers with a decimal point become :class:`~decimal.Decimal`, read from the
text itself, so ``0.1`` stays exactly 0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from wenming.core.errors import FileInvalid, Issue, Loc

LineMap = dict[Loc, int]


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def load(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text into data and a map from paths to 1-based line numbers."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise FileInvalid(
            [Issue((), f"YAML格式错误:{exc.problem or exc}", f"第{line}行")]
        ) from None
    except yaml.YAMLError as exc:
        raise FileInvalid([Issue((), f"YAML格式错误:{exc}")]) from None
    lines: LineMap = {}
    issues: list[Issue] = []
    if node is None:
        return None, lines
    data = _build(node, (), lines, issues)
    if issues:
        raise FileInvalid(issues).located(locator(lines))
    return data, lines


def _build(node: yaml.Node, path: Loc, lines: LineMap, issues: list[Issue]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in out:
                line = key_node.start_mark.line + 1
                issues.append(Issue((*path, key), f"字段“{key}”重复", f"第{line}行"))
                continue
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, issues)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), lines, issues) for i, child in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise FileInvalid([Issue((), "键名必须是简单文字", f"第{node.start_mark.line + 1}行")])
    if node.tag == "tag:yaml.org,2002:float":
        text = node.value.replace("_", "")
        try:
            return Decimal(text)
        except ArithmeticError:
            pass  # .inf / .nan: let the constructor produce a float the validator will refuse
    return _CONSTRUCTOR.construct_object(node)


def locator(lines: LineMap) -> Callable[[Loc], str]:
    """Return a function naming the line of a path (or of its nearest written ancestor)."""

    def where(loc: Loc) -> str:
        for end in range(len(loc), -1, -1):
            line = lines.get(tuple(loc[:end]))
            if line is not None:
                return f"第{line}行"
        return ""

    return where


def load_file(path: Path) -> tuple[Any, LineMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileInvalid([Issue((), "文件不是UTF-8编码的文本")], source=path.name) from None
    return load(text)


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
