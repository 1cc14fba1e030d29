"""Edition mapping (issue 21 part 3): a proposal that covers both editions exactly once, finds
what stayed, moved, was re-coded, split or merged, and survives an office's workbook."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import library
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_load
from wenming.core.framework import Framework
from wenming.core.mapping import (
    MapKind,
    MapRow,
    mapping_from_xlsx,
    mapping_to_xlsx,
    propose_mapping,
    similarity,
    targets,
)
from wenming.core.xlsx_guard import workbook_open
from wenming.core.xlsx_safe import new_workbook, workbook_bytes

DATA = Path(__file__).parent.parent / "data"
OLD = framework_load(DATA / "mapping-2025.yaml")
NEW = framework_load(DATA / "mapping-2026.yaml")
UNIT = library("civilized-unit")


def _covers_both_once(rows: list[MapRow], old: Framework, new: Framework) -> None:
    olds = Counter(code for row in rows for code in row.old)
    news = Counter(code for row in rows for code in row.new)
    assert olds == Counter(node.code for node, _, _ in old.walk())
    assert news == Counter(node.code for node, _, _ in new.walk())


def test_the_example_editions_show_every_way_an_indicator_continues():
    rows = propose_mapping(OLD, NEW)
    _covers_both_once(rows, OLD, NEW)
    found = {(row.kind, row.old, row.new) for row in rows}
    assert found >= {
        (MapKind.SAME, ("A1",), ("A1",)),
        (MapKind.SPLIT, ("A2",), ("A2", "A2.1", "A2.2")),
        (MapKind.RENAMED, ("A3",), ("A4",)),
        (MapKind.MOVED, ("B1",), ("B1",)),
        (MapKind.MERGED, ("B2", "B3"), ("B5",)),
        (MapKind.DROPPED, ("B4",), ()),
        (MapKind.NEW, (), ("A5",)),
        (MapKind.NEW, (), ("C2",)),
    }
    assert targets(rows)["B3"] == (MapKind.MERGED, ("B5",))


def test_a_reused_code_for_another_indicator_is_not_followed():
    data = NEW.model_dump(by_alias=True, exclude_none=True)
    data["indicators"][0]["children"][0]["name"] = "网上祭扫"  # A1, nothing like 理论学习
    rows = propose_mapping(OLD, Framework.model_validate(data))
    assert targets(rows)["A1"] == (MapKind.DROPPED, ())


def test_names_are_compared_without_spaces_and_punctuation():
    assert similarity("志愿服务(队伍)", "志愿服务 队伍") == 1.0
    assert similarity("理论学习", "网上祭扫") == 0.0


def test_the_same_edition_maps_to_itself():
    rows = propose_mapping(UNIT, UNIT)
    assert {row.kind for row in rows} == {MapKind.SAME}
    assert all(row.old == row.new for row in rows)


# ───────────── properties: any edit of a real framework is mapped, once, both ways ─────────────


def _edit(fw: Framework, drop: set[int], recode: set[int], reword: set[int]) -> Framework:
    data: dict[str, Any] = fw.model_dump(by_alias=True, exclude_none=True)
    counter = iter(range(10_000))

    def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for node in nodes:
            if node.get("children"):
                node["children"] = walk(node["children"])
                if not node["children"]:
                    continue
                kept.append(node)
                continue
            i = next(counter)
            if i in drop:
                continue
            if i in recode:
                node["code"] = f"X{i}"
            if i in reword:
                node["name"] = node["name"] + "工作"
            kept.append(node)
        return kept

    data["indicators"] = walk(data["indicators"])
    return Framework.model_validate(data)


LEAVES = sum(1 for _ in UNIT.leaves(bonus=False))
indices = st.sets(st.integers(0, LEAVES - 1), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drop=indices, recode=indices, reword=indices)
def test_every_indicator_of_both_editions_is_on_exactly_one_row(drop, recode, reword):
    new = _edit(UNIT, drop, recode - drop, reword - drop)
    rows = propose_mapping(UNIT, new)
    _covers_both_once(rows, UNIT, new)
    for row in rows:
        sizes = (len(row.old), len(row.new))
        assert {
            MapKind.NEW: sizes == (0, 1),
            MapKind.DROPPED: sizes == (1, 0),
            MapKind.SPLIT: sizes[0] == 1 and sizes[1] >= 2,
            MapKind.MERGED: sizes[0] >= 2 and sizes[1] == 1,
        }.get(row.kind, sizes == (1, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recode=indices)
def test_a_recoded_item_with_a_unique_name_is_found_by_its_name(recode):
    leaves = list(UNIT.leaves(bonus=False))
    names = Counter(node.name for node, _, _ in UNIT.walk())
    rows = targets(propose_mapping(UNIT, _edit(UNIT, set(), recode, set())))
    for i in recode:
        leaf = leaves[i]
        if names[leaf.name] == 1:
            assert rows[leaf.code] == (MapKind.RENAMED, (f"X{i}",))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drop=indices, recode=indices)
def test_the_workbook_gives_back_the_same_mapping(drop, recode):
    new = _edit(UNIT, drop, recode - drop, set())
    rows = propose_mapping(UNIT, new)
    assert mapping_from_xlsx(mapping_to_xlsx(rows, UNIT, new), UNIT, new) == rows


# ───────────── an office's edited workbook is checked whole, with the cell named ─────────────


def _edited(change: dict[int, dict[int, str] | None]) -> bytes:
    """The proposal's workbook with cells changed (row → column → value; None drops the row)."""
    wb = workbook_open(mapping_to_xlsx(propose_mapping(OLD, NEW), OLD, NEW))
    lines = [list(row) for row in wb["对应关系"].iter_rows(values_only=True)]
    wb.close()
    out = new_workbook()
    sheet = out.active
    assert sheet is not None
    sheet.title = "对应关系"
    for index, line in enumerate(lines, start=1):
        if index in change and change[index] is None:
            continue
        for column, value in (change.get(index) or {}).items():
            line[column] = value
        sheet.append(line)
    return workbook_bytes(out)


def test_an_office_may_turn_a_proposal_into_another_kind():
    # row 13 proposes 删除 B4 and row 11 新增 C2; the office says B4 became C2
    rows = mapping_from_xlsx(_edited({13: {0: "改编码", 3: "C2"}, 11: None}), OLD, NEW)
    assert targets(rows)["B4"] == (MapKind.RENAMED, ("C2",))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({2: {0: "大概"}}, "工作表“对应关系”第2行A列:对应方式“大概”应为"),
        ({2: {3: "Z9"}}, "工作表“对应关系”第2行D列:新版本中没有指标“Z9”"),
        ({3: {3: "A"}}, "工作表“对应关系”第3行D列:指标“A”已在第2行出现"),
        ({13: {0: "改编码"}}, "第13行D列:“改编码”的新编码应填1个编码"),
        ({11: None}, "新版本的指标“C2”没有出现在对应关系中"),
    ],
)
def test_a_wrong_workbook_is_refused_naming_the_cell(change, message):
    with pytest.raises(FileInvalid) as caught:
        mapping_from_xlsx(_edited(change), OLD, NEW)
    assert message in caught.value.report()
