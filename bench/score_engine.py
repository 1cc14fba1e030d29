"""Benchmark: score 10,000 units on a 150-indicator framework (1.5 million item results).

Run:  .venv/bin/python bench/score_engine.py [--units N]

The mix holds every scoring style (tiered points, deductions by kind of finding and awards by
level among them), items that may be entered as 不适用 (3 % are, so totals are re-scaled), a
branch limited to schools and an item limited to primary schools, and capped negative-list
deductions.

Prints the engine's time (exact integer arithmetic, every node's score, totals, bonus, negative
list, grade) next to a plain-Python loop that only sums the same entered numbers, so the ratio
shows the engine's overhead. Explanations are built on demand and are timed separately for a
sample. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wenming.core.engine import Engine, Event, ItemResult, UnitResult
from wenming.core.styles import UnitProfile
from wenming.core.validation import framework_from_data

STYLES = [
    "deduction",
    "deduction",
    "letter",
    "yesno",
    "direct",
    "measured",
    "tiered",
    "findings",
    "awards",
    "yesno",
]


def build_framework() -> dict[str, Any]:
    """5 first-level × 6 second-level × 5 items = 150 leaves; points add up to 1000."""
    indicators: list[dict[str, Any]] = []
    n = 0
    for a in range(5):
        seconds: list[dict[str, Any]] = []
        for b in range(6):
            leaves: list[dict[str, Any]] = []
            for c in range(5):
                style = STYLES[n % len(STYLES)]
                n += 1
                scoring: dict[str, Any] = {"style": style}
                points = "6.5" if c < 4 else "7"  # 4 × 6.5 + 7 = 33 per second-level
                if style == "deduction":
                    scoring["per_occurrence"] = "0.5"
                elif style == "measured":
                    scoring.update(
                        standard={"小学": "5.5", "初中": "6.25"}, per_students=1, shared=True
                    )
                elif style == "tiered":
                    scoring["tiers"] = [
                        {"at": 30, "points": points},
                        {"at": 20, "points": 4},
                        {"at": 10, "points": 2},
                    ]
                elif style == "findings":
                    scoring["kinds"] = [{"name": "缺项", "per": 2}, {"name": "不规范", "per": 1}]
                    scoring["max"] = 5
                elif style == "awards":
                    scoring["levels"] = {"国家级": 3, "省级": 2, "市级": 1}
                leaf: dict[str, Any] = {
                    "code": f"{a}.{b}.{c}",
                    "name": f"测评内容{n}",
                    "points": points,
                    "scoring": scoring,
                }
                if n % 10 == 0:
                    leaf["allow_na"] = True
                if n == 7:
                    leaf["stages"] = ["小学"]
                leaves.append(leaf)
            second: dict[str, Any] = {
                "code": f"{a}.{b}",
                "name": f"二级指标{a}{b}",
                "points": 33,
                "children": leaves,
            }
            if (a, b) == (4, 5):
                second["unit_types"] = ["学校"]
            seconds.append(second)
        indicators.append(
            {"code": f"{a}", "name": f"一级指标{a}", "points": 198, "children": seconds}
        )
    indicators[0]["points"] = 208
    indicators[0]["children"][0]["points"] = 43
    indicators[0]["children"][0]["children"][4]["points"] = 17
    return {
        "id": "bench",
        "name": "基准测试框架",
        "edition": "1",
        "campaign_type": "测试",
        "unit_types": ["学校", "机关"],
        "negative_cap": 8,
        "total": 1000,
        "indicators": indicators,
        "bonus": {
            "cap": 20,
            "indicators": [{"code": "F1", "name": "特色", "points": 30, "scoring": "direct"}],
        },
        "negative_list": [
            {
                "code": "N1",
                "name": "扣分事项",
                "effect": "deduct",
                "points": 5,
                "window_months": 24,
                "max": 6,
            },
            {"code": "N2", "name": "否决事项", "effect": "veto", "window_months": 12},
        ],
        "bands": [
            {"name": "达标", "min": 900},
            {"name": "基本达标", "min": 850, "max": 900},
            {"name": "不达标", "min": 0, "max": 850},
        ],
        "combination": {"nine_year": True, "complete_secondary": True},
    }


def build_results(engine: Engine, units: int) -> tuple[list[UnitResult], list[list[int]]]:
    rng = random.Random(20261122)
    results, raw_numbers = [], []
    stages = ["小学", "初中", "九年一贯制", "完全中学"]
    for _ in range(units):
        items, numbers = {}, []
        for code, style in engine.styles.items():
            key = style.key
            raw: object
            if code in engine.na_allowed and rng.random() < 0.3:
                raw = "不适用"
            elif key == "deduction":
                raw = rng.choice([0] * 12 + [1, 2, 30])
            elif key == "letter":
                raw = rng.choice("AAAAAAABC")
            elif key == "yesno":
                raw = rng.random() < 0.97
            elif key == "direct":
                raw = rng.choice([style.points // 100] * 4 + [0])
            elif key == "tiered":
                raw = rng.randint(5, 40)
            elif key == "findings":
                raw = rng.choice(["0"] * 8 + ["缺项1", "不规范2", "缺项2、不规范3"])
            elif key == "awards":
                raw = rng.choice(["0", "市级1", "省级1、市级2", "国家级2"])
            else:
                raw = rng.randint(4000, 12000)
            parsed = engine.parse_item(code, raw)
            items[code] = ItemResult(parsed.value)
            numbers.append(parsed.value if isinstance(parsed.value, int) else 1)
        stage = rng.choice(stages)
        enrolment = {
            "小学": rng.randint(200, 1500),
            "初中": rng.randint(200, 1500),
            "高中": rng.randint(0, 900),
        }
        events = (Event("N1", date(2025, 5, 1)),) * rng.choice([0] * 18 + [1, 2])
        results.append(
            UnitResult(
                items=items,
                as_of=date(2026, 6, 30),
                events=events,
                profile=UnitProfile(
                    stage=stage, enrolment=enrolment, unit_type=rng.choice(["学校", "机关"])
                ),
            )
        )
        raw_numbers.append(numbers)
    return results, raw_numbers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of N runs (the machine may be shared)"
    )
    args = parser.parse_args()
    framework = framework_from_data(build_framework())
    engine = Engine(framework)
    leaves = len(engine.styles)
    t0 = time.perf_counter()
    results, numbers = build_results(engine, args.units)
    t_build = time.perf_counter() - t0

    # CPU time of this process (time.process_time), so that other work on a shared machine
    # does not count; wall time is printed beside it.
    t_floor = t_engine = w_engine = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.process_time()
        floor_total = 0
        for row in numbers:
            s = 0
            for v in row:
                s += v
            floor_total += s
        t_floor = min(t_floor, time.process_time() - t0)

        t0, w0 = time.process_time(), time.perf_counter()
        cards = engine.score_many(results)
        t_engine = min(t_engine, time.process_time() - t0)
        w_engine = min(w_engine, time.perf_counter() - w0)

    t0 = time.perf_counter()
    for card in cards[:1000]:
        card.explain()
    t_explain = time.perf_counter() - t0

    grades: dict[str, int] = {}
    for card in cards:
        grades[card.grade] = grades.get(card.grade, 0) + 1
    print(
        f"framework: {leaves} leaf items ({len(engine.nodes)} nodes); units: {args.units:,}; "
        f"item results: {leaves * args.units:,}"
    )
    print(f"preparing inputs (parsing, not timed below): {t_build:.2f} s")
    print(f"best of {max(1, args.repeat)} runs each, CPU time on one core:")
    print(
        f"engine, score every unit:   {t_engine:.3f} s  ({t_engine / (leaves * args.units) * 1e9:.0f} ns per item)"
    )
    print(f"plain loop summing numbers: {t_floor:.3f} s")
    print(f"engine wall time (shared machine): {w_engine:.3f} s")
    print(f"ratio engine / plain loop:  {t_engine / t_floor:.1f}x")
    print(f"explanations for 1,000 units (on demand): {t_explain:.3f} s")
    print(f"grades: {grades}")
    print(
        f"not applicable or not for the unit's type/stage: "
        f"{sum(1 for c in cards if c.applicable_max < engine.total_max):,} units re-scaled"
    )


if __name__ == "__main__":
    main()
