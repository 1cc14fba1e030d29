"""Which indicator of a new framework edition continues which of the old one (版本对应关系).

``propose_mapping(old, new)`` proposes, for every node of both editions, one row:

- ``same``: the same code under the same parent (the name may have been reworded);
- ``moved``: the same code under another parent;
- ``renamed``: the code changed, the name is the same (or, failing that, clearly the closest);
- ``split``: one old indicator became several new ones (its code became a parent of new items,
  or several new names each come closest to it);
- ``merged``: several old indicators became one new one;
- ``new`` / ``dropped``: no counterpart.

Every old code appears on the old side of exactly one row, every new code on the new side of
exactly one row. Names are compared after dropping spaces and punctuation, with difflib's ratio;
a code is only followed while the names stay recognisably alike (a reused code for a different
indicator is not a match). The proposal is for an office to confirm or edit: ``mapping_to_xlsx``
writes it as a workbook and ``mapping_from_xlsx`` reads an edited one back, checked against both
editions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from wenming.core.errors import FileInvalid, Issue
from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt
from wenming.core.styles import style_for
from wenming.core.xlsx_guard import workbook_read
from wenming.core.xlsx_safe import new_workbook, workbook_bytes

SIMILAR = 0.6  # names at least this alike may be matched across codes
KEEP_CODE = 0.34  # below this, the same code names a different indicator


class MapKind(StrEnum):
    SAME = "same"
    MOVED = "moved"
    RENAMED = "renamed"
    SPLIT = "split"
    MERGED = "merged"
    NEW = "new"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return MAP_LABELS[self]


MAP_LABELS = {
    MapKind.SAME: "相同",
    MapKind.MOVED: "调整上级",
    MapKind.RENAMED: "改编码",
    MapKind.SPLIT: "拆分",
    MapKind.MERGED: "合并",
    MapKind.NEW: "新增",
    MapKind.DROPPED: "删除",
}
KIND_BY_LABEL = {label: kind for kind, label in MAP_LABELS.items()}


@dataclass(frozen=True)
class MapRow:
    kind: MapKind
    old: tuple[str, ...]  # old codes (none for a new indicator)
    new: tuple[str, ...]  # new codes (none for a dropped one)
    similarity: int = 100  # name similarity in %, of the least alike pair
    note: str = ""


def normalize(name: str) -> str:
    """A name without spaces and punctuation, full-width folded: what is compared."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def similarity(a: str, b: str) -> float:
    left, right = normalize(a), normalize(b)
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def _pct(value: float) -> int:
    return int(value * 100 + 0.5)


def _nodes(fw: Framework) -> dict[str, tuple[Indicator, str | None]]:
    return {node.code: (node, parent.code if parent else None) for node, parent, _ in fw.walk()}


def propose_mapping(old: Framework, new: Framework) -> list[MapRow]:
    """A proposed mapping of every node of ``old`` and ``new`` (see the module docstring)."""
    a, b = _nodes(old), _nodes(new)
    rows: list[MapRow] = []
    left = dict(a)  # not yet mapped
    right = dict(b)

    # 1. the same code, while the names stay alike
    for code, (node, parent) in a.items():
        if code not in b:
            continue
        other, other_parent = b[code]
        sim = similarity(node.name, other.name)
        if sim < KEEP_CODE:
            continue
        note = "" if sim == 1.0 else f"名称:{node.name} → {other.name}"
        if node.is_leaf != other.is_leaf:  # an item became a group, or a group an item
            continue
        kind = MapKind.SAME if parent == other_parent else MapKind.MOVED
        if kind is MapKind.MOVED:
            moved = f"上级:{parent or '(顶层)'} → {other_parent or '(顶层)'}"
            note = f"{moved};{note}" if note else moved
        rows.append(MapRow(kind, (code,), (code,), _pct(sim), note))
        del left[code], right[code]

    # 2. an old item whose code became a group in the new edition: split into its items
    for code in list(left):
        node, _ = left[code]
        if code not in right or not node.is_leaf or right[code][0].is_leaf:
            continue
        group = right[code][0]
        parts = tuple(leaf.code for leaf in _leaves(group) if leaf.code in right)
        if not parts:
            continue
        note = f"{code}已细分为下级指标{SEP.join(parts)}"
        rows.append(MapRow(MapKind.SPLIT, (code,), (code, *parts), 100, note))
        del left[code]
        for part in (code, *parts):
            del right[part]
    # an old group whose items all went while a new item kept the group's code: merged
    for code in list(right):
        node, _ = right[code]
        if code not in left or not node.is_leaf or left[code][0].is_leaf:
            continue
        parts = tuple(leaf.code for leaf in _leaves(left[code][0]) if leaf.code in left)
        if not parts:
            continue
        note = f"下级指标{SEP.join(parts)}已合并为{code}"
        rows.append(MapRow(MapKind.MERGED, (code, *parts), (code,), 100, note))
        for part in (code, *parts):
            del left[part]
        del right[code]

    # 3. the same name under another code
    by_name: dict[str, list[str]] = {}
    for code, (node, _) in right.items():
        by_name.setdefault(normalize(node.name), []).append(code)
    for code in list(left):
        node, _ = left[code]
        candidates = by_name.get(normalize(node.name), [])
        if len(candidates) == 1 and candidates[0] in right:
            target = candidates[0]
            rows.append(MapRow(MapKind.RENAMED, (code,), (target,), 100, f"编码:{code} → {target}"))
            del left[code], right[target]

    # 4. names alike: mutual best pairs, splits and merges
    rows.extend(_by_similarity(left, right))
    return _ordered(rows, a, b)


def _by_similarity(
    left: dict[str, tuple[Indicator, str | None]], right: dict[str, tuple[Indicator, str | None]]
) -> list[MapRow]:
    sims = {
        (o, n): similarity(left[o][0].name, right[n][0].name)
        for o in left
        for n in right
        if left[o][0].is_leaf == right[n][0].is_leaf
    }
    best_new: dict[str, str] = {}
    best_old: dict[str, str] = {}
    for (o, n), sim in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        if sim < SIMILAR:
            break
        best_new.setdefault(o, n)
        best_old.setdefault(n, o)
    rows: list[MapRow] = []
    done_old: set[str] = set()
    done_new: set[str] = set()
    for o in left:
        parts = tuple(n for n in right if best_old.get(n) == o)
        if len(parts) >= 2 and all(best_new.get(n, o) in (o, None) for n in parts):
            low = min(sims[o, n] for n in parts)
            rows.append(MapRow(MapKind.SPLIT, (o,), parts, _pct(low), "名称相近"))
            done_old.add(o)
            done_new.update(parts)
    for n in right:
        if n in done_new:
            continue
        parts = tuple(o for o in left if best_new.get(o) == n and o not in done_old)
        if len(parts) >= 2:
            low = min(sims[o, n] for o in parts)
            rows.append(MapRow(MapKind.MERGED, parts, (n,), _pct(low), "名称相近"))
            done_new.add(n)
            done_old.update(parts)
    for o in left:
        match = best_new.get(o)
        if o in done_old or match is None or match in done_new or best_old.get(match) != o:
            continue
        note = f"编码:{o} → {match};名称相近:{left[o][0].name} → {right[match][0].name}"
        rows.append(MapRow(MapKind.RENAMED, (o,), (match,), _pct(sims[o, match]), note))
        done_old.add(o)
        done_new.add(match)
    rows += [MapRow(MapKind.DROPPED, (o,), (), 0) for o in left if o not in done_old]
    rows += [MapRow(MapKind.NEW, (), (n,), 0) for n in right if n not in done_new]
    return rows


def _leaves(node: Indicator) -> Iterable[Indicator]:
    if node.is_leaf:
        yield node
        return
    for child in node.children:
        yield from _leaves(child)


def _ordered(
    rows: list[MapRow],
    a: dict[str, tuple[Indicator, str | None]],
    b: dict[str, tuple[Indicator, str | None]],
) -> list[MapRow]:
    """Rows in the order of the new edition's tree; the dropped ones last, in the old order."""
    old_pos = {code: i for i, code in enumerate(a)}
    new_pos = {code: i for i, code in enumerate(b)}

    def key(row: MapRow) -> tuple[int, int]:
        if row.new:
            return (0, min(new_pos[c] for c in row.new))
        return (1, min(old_pos[c] for c in row.old))

    return sorted(rows, key=key)


# ───────────────────────── the mapping as a workbook an office edits ─────────────────────────

SHEET = "对应关系"
HEADER = ["对应方式", "原编码", "原名称", "新编码", "新名称", "名称相似度(%)", "说明"]
SEP = "、"


def mapping_table(rows: Iterable[MapRow], old: Framework, new: Framework) -> list[list[str]]:
    """The rows as printed and written: Chinese labels, codes and names joined by 、."""
    a, b = _nodes(old), _nodes(new)
    out = []
    for row in rows:
        out.append(
            [
                row.kind.label,
                SEP.join(row.old),
                SEP.join(a[c][0].name for c in row.old),
                SEP.join(row.new),
                SEP.join(b[c][0].name for c in row.new),
                str(row.similarity) if row.old and row.new else "",
                row.note,
            ]
        )
    return out


def mapping_to_xlsx(rows: Iterable[MapRow], old: Framework, new: Framework) -> bytes:
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(HEADER)
    for line in mapping_table(rows, old, new):
        sheet.append(line)
    info = workbook.create_sheet("版本")
    info.append(["", "标识", "版本", "名称"])
    info.append(["原版本", old.id, old.edition, old.name])
    info.append(["新版本", new.id, new.edition, new.name])
    for column, width in zip("ABCDEFG", (10, 16, 30, 16, 30, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(workbook)


def mapping_from_xlsx(data: bytes, old: Framework, new: Framework) -> list[MapRow]:
    """An office's edited mapping workbook, checked against both editions (FileInvalid)."""

    def read(workbook: Any) -> list[MapRow]:
        if SHEET not in workbook.sheetnames:
            raise FileInvalid([Issue((), f"缺少工作表“{SHEET}”")], source="对应关系文件")
        sheet = workbook[SHEET]
        lines: list[tuple[int, dict[str, str]]] = []
        header: list[str] = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v).strip() for v in values]
            if index == 1:
                header = cells
                continue
            if any(cells):
                lines.append((index, dict(zip(header, cells, strict=False))))
        return mapping_rows(lines, old, new, sheet=SHEET)

    return workbook_read(data, read, source="对应关系文件")


def mapping_rows(
    lines: list[tuple[int, dict[str, str]]], old: Framework, new: Framework, *, sheet: str = SHEET
) -> list[MapRow]:
    """Rows typed by people (one dict per line, keys as in ``HEADER``), validated whole."""
    a, b = _nodes(old), _nodes(new)
    problems: list[Issue] = []
    rows: list[MapRow] = []
    seen_old: dict[str, int] = {}
    seen_new: dict[str, int] = {}

    def place(line: int, column: str) -> str:
        letter = "ABCDEFG"[HEADER.index(column)]
        return f"工作表“{sheet}”第{line}行{letter}列"

    for line, cells in lines:
        label = cells.get("对应方式", "")
        kind = KIND_BY_LABEL.get(label)
        if kind is None:
            choices = "、".join(MAP_LABELS.values())
            problems.append(
                Issue((), f"对应方式“{label}”应为{choices}之一", place(line, "对应方式"))
            )
            continue
        olds = tuple(c.strip() for c in re.split(r"[、,,;;\s]+", cells.get("原编码", "")) if c)
        news = tuple(c.strip() for c in re.split(r"[、,,;;\s]+", cells.get("新编码", "")) if c)
        bad = False
        for codes, known, seen, column in (
            (olds, a, seen_old, "原编码"),
            (news, b, seen_new, "新编码"),
        ):
            for code in codes:
                if code not in known:
                    which = "原版本" if column == "原编码" else "新版本"
                    problems.append(Issue((), f"{which}中没有指标“{code}”", place(line, column)))
                    bad = True
                elif code in seen:
                    problems.append(
                        Issue((), f"指标“{code}”已在第{seen[code]}行出现", place(line, column))
                    )
                    bad = True
                else:
                    seen[code] = line
        need = {
            MapKind.NEW: ((0, 0), (1, 1)),
            MapKind.DROPPED: ((1, 1), (0, 0)),
            MapKind.SPLIT: ((1, 1), (2, None)),
            MapKind.MERGED: ((2, None), (1, 1)),
        }.get(kind, ((1, 1), (1, 1)))
        for codes, (low, high), column in ((olds, need[0], "原编码"), (news, need[1], "新编码")):
            if len(codes) < low or (high is not None and len(codes) > high):
                count = "不填" if high == 0 else f"填{low}个" if low == high else f"至少填{low}个"
                problems.append(Issue((), f"“{label}”的{column}应{count}编码", place(line, column)))
                bad = True
        if not bad:
            similarity_cell = cells.get("名称相似度(%)", "")
            sim = int(similarity_cell) if similarity_cell.isdigit() else 0
            rows.append(MapRow(kind, olds, news, min(sim, 100), cells.get("说明", "")))
    for code in a:
        if code not in seen_old:
            problems.append(Issue((), f"原版本的指标“{code}”没有出现在对应关系中", sheet))
    for code in b:
        if code not in seen_new:
            problems.append(Issue((), f"新版本的指标“{code}”没有出现在对应关系中", sheet))
    if problems:
        raise FileInvalid(problems, source="对应关系文件")
    return rows


def targets(rows: Iterable[MapRow]) -> dict[str, tuple[MapKind, tuple[str, ...]]]:
    """For each old code: how it continues and in which new codes (none when dropped)."""
    out: dict[str, tuple[MapKind, tuple[str, ...]]] = {}
    for row in rows:
        for code in row.old:
            out[code] = (row.kind, row.new)
    return out


# ───────────────────────── carrying a unit's work through a confirmed mapping ─────────────────────────


@dataclass(frozen=True)
class NotCarried:
    """Something of the old edition that did not continue, and why (in Chinese)."""

    what: str  # 佐证关联, 指标说明, 自评填报
    code: str
    name: str
    reason: str


@dataclass
class CarryReport:
    carried: int = 0
    skipped: list[NotCarried] = field(default_factory=list)

    def add(self, other: CarryReport) -> None:
        self.carried += other.carried
        self.skipped += other.skipped

    def lines(self) -> list[str]:
        return [f"{s.what} {s.code} {s.name}:{s.reason}" for s in self.skipped]


def link_destinations(
    code: str, follow: dict[str, tuple[MapKind, tuple[str, ...]]]
) -> tuple[tuple[str, ...], str]:
    """The new codes an evidence link on ``code`` continues to, or why there are none."""
    if code not in follow:
        return (), "对应关系中没有该指标"
    kind, news = follow[code]
    if kind is MapKind.DROPPED or not news:
        return (), "该指标在新版本中已删除"
    return news, ""


def entry_destination(
    code: str,
    follow: dict[str, tuple[MapKind, tuple[str, ...]]],
    old: Framework,
    new: Framework,
) -> tuple[str | None, str]:
    """Where an item's entered value continues, or why it cannot: only into one item scored by
    the same rule (the same printed 评分标准 and points); a split or merged item is re-entered."""
    news, reason = link_destinations(code, follow)
    if not news:
        return None, reason
    kind = follow[code][0]
    joined = SEP.join(news)
    if kind is MapKind.SPLIT:
        return None, f"该指标在新版本中拆分为{joined},请分别填写"
    if kind is MapKind.MERGED:
        return None, f"该指标在新版本中与其他指标合并为{joined},请重新填写"
    before, after = old.find(code), new.find(news[0])
    if before is None or after is None or not after.is_leaf:
        return None, f"新版本中对应的{joined}不是测评内容"
    was, now = style_for(before, old), style_for(after, new)
    if was.points != now.points or was.rule_text() != now.rule_text():
        return None, (
            f"评分标准已变化(原{fmt(was.points)}分,{was.rule_text()};"
            f"现{fmt(now.points)}分,{now.rule_text()}),请重新填写"
        )
    return news[0], ""
