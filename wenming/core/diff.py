"""What changed between two framework editions (``wenming framework diff A B``)."""

from __future__ import annotations

from dataclasses import dataclass

from wenming.core.framework import Framework, Indicator
from wenming.core.points import fmt, to_centi


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | repointed | moved | renamed | rescored | other
    code: str
    text: str


KIND_LABELS = {
    "added": "新增",
    "removed": "删除",
    "repointed": "分值变更",
    "moved": "调整上级",
    "renamed": "更名",
    "rescored": "评分方式变更",
    "other": "其他变更",
}


def framework_diff(old: Framework, new: Framework) -> list[Change]:
    a = {n.code: (n, p) for n, p, _ in old.walk()}
    b = {n.code: (n, p) for n, p, _ in new.walk()}
    changes: list[Change] = []
    for code, (node, _) in b.items():
        if code not in a:
            changes.append(Change("added", code, f"{code} {node.name}({_pts(node)}分)"))
    for code, (node, _) in a.items():
        if code not in b:
            changes.append(Change("removed", code, f"{code} {node.name}({_pts(node)}分)"))
    for code, (before, old_parent) in a.items():
        if code not in b:
            continue
        after, new_parent = b[code]
        if before.points != after.points:
            changes.append(
                Change("repointed", code, f"{code} {after.name}:{_pts(before)}分 → {_pts(after)}分")
            )
        op, np = _code(old_parent), _code(new_parent)
        if op != np:
            changes.append(
                Change("moved", code, f"{code} 上级:{op or '(顶层)'} → {np or '(顶层)'}")
            )
        if before.name != after.name:
            changes.append(Change("renamed", code, f"{code} 名称:{before.name} → {after.name}"))
        if before.scoring != after.scoring:
            changes.append(
                Change("rescored", code, f"{code} 评分方式:{before.scoring} → {after.scoring}")
            )
    for label, left, right in (
        ("等级", old.bands, new.bands),
        ("否决项", old.vetoes, new.vetoes),
        ("负面清单", old.negative_list, new.negative_list),
        ("分项", old.components, new.components),
        ("加分", old.bonus and old.bonus.cap, new.bonus and new.bonus.cap),
    ):
        if left != right:
            changes.append(Change("other", "", f"{label}有变更"))
    return changes


def _pts(node: Indicator) -> str:
    return fmt(to_centi(node.points))


def _code(node: Indicator | None) -> str | None:
    return node.code if node else None
