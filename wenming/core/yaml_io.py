"""Read and write YAML documents keeping the line of every value.

PyYAML's composer gives nodes with positions; we build plain Python data from them ourselves
so that every path into the document (``("indicators", 0, "points")``) maps to the line where
it was written. Numbers with a decimal point become :class:`~decimal.Decimal`, read from the
text itself, so ``0.1`` stays exactly 0.1.

Every file is bounded before it costs anything: its length, its nesting depth (checked on the
parser's event stream, which needs no recursion, before the recursive composer runs) and the
number of values it yields. Anchors and aliases are allowed, but each alias counts the values it
expands to, so a "billion laughs" file is refused after :data:`MAX_NODES` values, not expanded.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from wenming.core.errors import FileInvalid, Issue, Loc

LineMap = dict[Loc, int]

MAX_CHARS = 2_000_000  # the largest framework in the library is 62 KB
MAX_DEPTH = 40  # the deepest is 10 levels
MAX_NODES = 50_000  # values after expanding aliases; the largest framework has ~3,400

# libyaml when the wheel has it: its parser is non-recursive and 10x faster than PyYAML's, whose
# scanner slows down quadratically on deep flow nesting ("[[[[…" costs seconds before any check)
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def load(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text into data and a map from paths to 1-based line numbers."""
    if len(text) > MAX_CHARS:
        raise FileInvalid([Issue((), f"文件过大(上限{MAX_CHARS // 1_000_000}百万字符)")])
    try:
        _check_shape(text)
        node = yaml.compose(text, Loader=_LOADER)
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
    data = _Builder(lines, issues).build(node, ())
    if issues:
        raise FileInvalid(issues).located(locator(lines))
    return data, lines


def _check_shape(text: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH or longer than MAX_NODES, without recursion."""
    depth = 0
    for events, event in enumerate(yaml.parse(text, Loader=_LOADER), start=1):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise FileInvalid([Issue((), _TOO_DEEP, _line(event))])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if events > MAX_NODES:
            raise FileInvalid([Issue((), _TOO_MANY, _line(event))])


_TOO_DEEP = f"嵌套层次过深(上限{MAX_DEPTH}层)"
_TOO_MANY = f"内容过多(引用展开后超过{MAX_NODES}个值),文件未被读取"


def _line(item: yaml.Event | yaml.Node) -> str:
    return f"第{item.start_mark.line + 1}行" if item.start_mark else ""


class _Builder:
    """Plain data from composed nodes, counting every value an alias expands to."""

    def __init__(self, lines: LineMap, issues: list[Issue]) -> None:
        self.lines = lines
        self.issues = issues
        self.budget = MAX_NODES

    def build(self, node: yaml.Node, path: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise FileInvalid([Issue((), _TOO_MANY, _line(node))])
        if len(path) > MAX_DEPTH:  # aliases inside aliases can nest deeper than the text
            raise FileInvalid([Issue((), _TOO_DEEP, _line(node))])
        lines, issues = self.lines, self.issues
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
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
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
    try:
        return _CONSTRUCTOR.construct_object(node)
    except (ValueError, ArithmeticError, yaml.YAMLError):  # 2026-13-45, a 5,000-digit integer …
        raise FileInvalid([Issue((), f"无法识别的值“{node.value[:20]}”", _line(node))]) from None


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
