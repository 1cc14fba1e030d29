"""The built-in library: full-size, consistent, marked as examples, lossless through Excel."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import LIBRARY, library
from tests.core.helpers import PRIMARY
from wenming.core.engine import Engine
from wenming.core.formats import (
    framework_from_xlsx,
    framework_from_yaml,
    framework_to_xlsx,
    framework_to_yaml,
)
from wenming.core.framework import Effect
from wenming.core.styles import REGISTRY

NAMES = ["school-standard", "civilized-unit", "civilized-campus", "safe-family", "civilized-office"]


def test_library_holds_the_five_frameworks():
    assert sorted(p.stem for p in LIBRARY.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_is_marked_as_an_unofficial_example(name):
    fw = library(name)
    assert fw.notice == "示例(非官方)"
    Engine(fw)  # compiles


@pytest.mark.parametrize("name", NAMES)
def test_yaml_to_xlsx_to_yaml_is_lossless(name):
    fw = library(name)
    back = framework_from_xlsx(framework_to_xlsx(fw))
    assert back == fw
    assert framework_to_yaml(back) == framework_to_yaml(fw)
    assert framework_from_yaml(framework_to_yaml(fw)) == fw


def test_standardization_framework_is_full_size(school):
    leaves = list(school.leaves())
    assert len(leaves) >= 60
    depths = {node.code: depth for node, _, depth in school.walk()}
    assert {depths[leaf.code] for leaf in leaves} == {3}
    assert school.total == 1000
    assert [(b.name, b.min, b.max) for b in sorted(school.bands, key=lambda b: b.min)] == [
        ("不达标", 0, 850),
        ("基本达标", 850, 900),
        ("达标", 900, None),
    ]
    assert len(school.vetoes) == 3
    assert any("D类危房" in v.name for v in school.vetoes)
    assert school.combination.nine_year and school.combination.complete_secondary


def test_civilized_unit_has_bonus_and_a_graded_negative_list():
    fw = library("civilized-unit")
    assert fw.total == 100 and fw.bonus is not None and fw.bonus.cap == 10
    assert sum(i.points for i in fw.bonus.indicators) > fw.bonus.cap
    assert len(fw.negative_list) >= 10
    assert {n.effect for n in fw.negative_list} == set(Effect)
    assert {n.window_months for n in fw.negative_list} <= {12, 24}


def test_between_them_the_frameworks_use_every_scoring_style():
    used = Counter(leaf.style for name in NAMES for leaf in library(name).leaves())
    assert set(used) == set(REGISTRY)


def test_campus_is_letter_graded_and_family_is_yes_no():
    campus = Counter(leaf.style for leaf in library("civilized-campus").leaves())
    assert campus.most_common(1)[0][0] == "letter"
    assert {leaf.style for leaf in library("safe-family").leaves()} == {"yesno"}


# Issue 21: the rules that were written as 直接赋分 with the real rule only in the text
EXPRESSED = {
    "civilized-office": {"B2": "tiered", "G2": "tiered", "A1": "findings", "C1": "letter",
                         "G1": "letter", "J1": "letter"},
    "civilized-unit": {"B3.3": "tiered", "C1.1": "tiered", "D2.3": "tiered", "A1.2": "findings",
                       "B1.1": "findings", "B3.1": "findings", "C3.1": "findings",
                       "D3.2": "findings", "T1": "awards", "T2": "awards", "T3": "awards",
                       "T5": "awards", "B2.3": "letter", "D1.1": "letter", "D1.2": "letter"},
    "school-standard": {"C5.2": "letter"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPRESSED))
def test_rules_once_only_in_text_are_scoring_data(name):
    fw = library(name)
    found = {code: fw.find(code) for code in EXPRESSED[name]}
    assert {code: node.style for code, node in found.items() if node is not None} == EXPRESSED[name]


@pytest.mark.parametrize("name", NAMES)
def test_no_rule_is_left_only_in_text(name):
    """What stays 直接赋分 is an assessor's judgement, and its rule says so."""
    for leaf in library(name).leaves():
        if leaf.style == "direct":
            assert "直接赋分" in leaf.rule, leaf.code


def test_library_scores_the_new_kinds_as_their_rules_say():
    engine = Engine(library("civilized-unit"))
    score = lambda code, raw: engine.styles[code].score(engine.parse_item(code, raw).value, PRIMARY)  # noqa: E731
    assert [score("C1.1", v) for v in ("30", "29.99", "20", "10", "9.9")] == [300, 200, 200, 100, 0]
    assert [score("B3.3", v) for v in ("95%", "94", "90", "80", "79")] == [200, 150, 150, 100, 0]
    assert score("T3", "国家级1、市级1") == 300  # 4 points of awards, at most 3
    assert score("T5", "市级1") == 100
    assert score("A1.2", "集体学习缺次2、缺学习计划或研讨材料1") == 300 - 150
    school = Engine(library("school-standard"))
    assert school.styles["C5.2"].score(school.parse_item("C5.2", "市级").value, PRIMARY) == 800
