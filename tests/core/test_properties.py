"""Property tests over generated frameworks and results (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wenming.library as library_dir
from tests.core.helpers import full_value
from wenming.core.engine import Engine, Event, UnitResult, months_before
from wenming.core.formats import (
    framework_from_xlsx,
    framework_from_yaml,
    framework_load,
    framework_to_xlsx,
    framework_to_yaml,
)
from wenming.core.points import to_centi
from wenming.core.samples import sample_value, sampled
from wenming.core.styles import NOT_APPLICABLE, UnitProfile
from wenming.core.validation import framework_from_data

AS_OF = date(2026, 6, 30)
NAMES = st.text(alphabet="文明单位测评指标建设管理ABCxyz12", min_size=1, max_size=8)
PROFILE = UnitProfile(stage="九年一贯制", enrolment={"小学": 300, "初中": 500})
ENROLMENT = {"小学": 300, "初中": 500, "高中": 200}
UNIT_TYPES = ["学校", "机关"]
STAGE_NAMES = ["小学", "初中", "九年一贯制", "完全中学"]
STYLES = ["deduction", "letter", "yesno", "direct", "measured", "tiered", "findings", "awards"]


def _money(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"


@st.composite
def leaf(draw: Any, code: str) -> dict[str, Any]:
    points = draw(st.integers(min_value=1, max_value=3000))
    style = draw(st.sampled_from(STYLES))
    scoring: dict[str, Any] = {"style": style}
    if style == "deduction":
        scoring["per_occurrence"] = _money(draw(st.integers(min_value=1, max_value=points)))
    elif style == "measured":
        scoring["standard"] = {"小学": draw(st.integers(1, 50)), "初中": draw(st.integers(1, 50))}
        scoring["direction"] = draw(st.sampled_from(["higher", "lower"]))
        if draw(st.booleans()):
            scoring["per_students"] = draw(st.sampled_from([1, 100]))
    elif style == "tiered":
        ats = sorted(draw(st.sets(st.integers(0, 100), min_size=1, max_size=4)))
        size = len(ats) - 1
        below = draw(st.lists(st.integers(0, points), min_size=size, max_size=size))
        earned = sorted([*below, points])  # the best tier earns the item's points
        scoring["direction"] = draw(st.sampled_from(["higher", "lower"]))
        if scoring["direction"] == "lower":
            earned.reverse()
        scoring["tiers"] = [
            {"at": a, "points": _money(p)} for a, p in zip(ats, earned, strict=True)
        ]
    elif style == "findings":
        pers = draw(st.lists(st.integers(1, points), min_size=1, max_size=3))
        scoring["kinds"] = [
            {"name": f"问题{'甲乙丙'[i]}", "per": _money(p)} for i, p in enumerate(pers)
        ]
        if draw(st.booleans()):
            scoring["max"] = _money(draw(st.integers(1, points)))
    elif style == "awards":
        each = draw(st.lists(st.integers(1, points), min_size=1, max_size=3))
        scoring["levels"] = {f"{'国省市'[i]}级": _money(v) for i, v in enumerate(each)}
    node: dict[str, Any] = {
        "code": code,
        "name": draw(NAMES),
        "points": _money(points),
        "scoring": scoring,
    }
    if draw(st.integers(0, 3)) == 0:
        node["allow_na"] = True
    node.update(draw(limits()))
    return node


@st.composite
def limits(draw: Any) -> dict[str, Any]:
    """Now and then a node (and its branch) limited to a unit type or to stages."""
    out: dict[str, Any] = {}
    if draw(st.integers(0, 5)) == 0:
        out["unit_types"] = [draw(st.sampled_from(UNIT_TYPES))]
    if draw(st.integers(0, 5)) == 0:
        out["stages"] = draw(
            st.lists(st.sampled_from(STAGE_NAMES), min_size=1, max_size=2, unique=True)
        )
    return out


@st.composite
def tree(draw: Any, prefix: str, depth: int) -> list[dict[str, Any]]:
    nodes = []
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        code = f"{prefix}{i}"
        if depth > 1 and draw(st.booleans()):
            children = draw(tree(code + ".", depth - 1))
            total = sum(_centi(c) for c in children)
            nodes.append(
                {
                    "code": code,
                    "name": draw(NAMES),
                    "points": _money(total),
                    "children": children,
                    **draw(limits()),
                }
            )
        else:
            nodes.append(draw(leaf(code)))
    return nodes


def _centi(node: dict[str, Any]) -> int:
    whole, frac = node["points"].split(".")
    return int(whole) * 100 + int(frac)


@st.composite
def frameworks(draw: Any) -> dict[str, Any]:
    indicators = draw(tree("C", 3))
    total = sum(_centi(n) for n in indicators)
    data: dict[str, Any] = {
        "id": "gen",
        "name": draw(NAMES),
        "edition": "1",
        "campaign_type": "测试",
        "unit_types": UNIT_TYPES,
        "na_total": draw(st.sampled_from(["scale", "keep"])),
        "total": _money(total),
        "indicators": indicators,
        "combination": {"nine_year": True, "complete_secondary": True},
    }
    cap = 0
    if draw(st.booleans()):
        cap = draw(st.integers(min_value=1, max_value=2000))
        data["bonus"] = {"cap": _money(cap), "indicators": draw(tree("F", 1))}
    cuts = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=total + cap), max_size=3))))
    bounds = [0, *cuts]
    data["bands"] = [
        {
            "name": f"等级{i}",
            "min": _money(lo),
            **({"max": _money(bounds[i + 1])} if i + 1 < len(bounds) else {}),
        }
        for i, lo in enumerate(bounds)
    ]
    data["vetoes"] = [
        {"code": "V1", "name": "否决", "kind": draw(st.sampled_from(["event", "state"]))}
    ]
    entry: dict[str, Any] = {
        "code": "N1",
        "name": "扣分",
        "effect": "deduct",
        "points": "3",
        "window_months": 12,
    }
    if draw(st.booleans()):
        entry["max"] = draw(st.sampled_from(["2", "4.5", "6"]))
    data["negative_list"] = [entry]
    if draw(st.booleans()):
        data["negative_cap"] = draw(st.sampled_from(["1", "5"]))
    return data


@st.composite
def framework_and_results(draw: Any) -> tuple[Engine, UnitResult, UnitResult]:
    engine = Engine(framework_from_data(draw(frameworks())))

    profile = UnitProfile(
        stage=draw(st.sampled_from(STAGE_NAMES)),
        enrolment=ENROLMENT,
        unit_type=draw(st.sampled_from([None, *UNIT_TYPES])),
    )

    def one() -> UnitResult:
        items = {}
        for code, style in engine.styles.items():
            if draw(st.integers(0, 9)) == 0:
                continue  # not entered
            if code in engine.na_allowed and draw(st.integers(0, 2)) == 0:
                items[code] = engine.parse_item(code, "不适用")
                continue
            raw: Any
            if style.key == "deduction":
                raw = draw(st.integers(0, 40))
            elif style.key == "letter":
                raw = draw(st.sampled_from("ABCD"))
            elif style.key == "yesno":
                raw = draw(st.booleans())
            elif style.key == "direct":
                raw = _money(draw(st.integers(0, style.points)))
            elif style.key in ("findings", "awards"):
                names = style.names  # type: ignore[attr-defined]
                raw = {name: draw(st.integers(0, 5)) for name in names}
            elif style.key == "tiered":
                raw = draw(st.integers(0, 120))
            else:
                raw = draw(st.integers(0, 100_000))
            items[code] = engine.parse_item(code, raw)
        events = (Event("N1", AS_OF),) * draw(st.integers(0, 3))
        return UnitResult(items=items, as_of=AS_OF, profile=profile, events=events)

    return engine, one(), one()


def rank(engine: Engine, grade: str) -> int:
    return next(minimum for minimum, name in engine.bands if name == grade)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(framework_and_results())
def test_total_stays_between_zero_and_max_plus_bonus_cap(case):
    engine, result, _ = case
    card = engine.score(result)
    assert 0 <= card.total <= engine.total_max + engine.bonus_cap
    for index, maximum in enumerate(engine.max_points):
        if engine.nodes[index].code not in engine.bonus_codes:
            assert 0 <= card.scores[index] <= maximum


@FAST
@given(framework_and_results())
def test_grade_is_monotone_in_the_total_without_vetoes(case):
    engine, first, second = case
    a, b = engine.score(first), engine.score(second)
    assert not a.vetoed and not b.vetoed
    if a.total <= b.total:
        assert rank(engine, a.grade) <= rank(engine, b.grade)
    else:
        assert rank(engine, a.grade) >= rank(engine, b.grade)


@FAST
@given(framework_and_results())
def test_adding_a_veto_never_improves_the_grade(case):
    engine, result, _ = case
    before = engine.score(result)
    vetoed = UnitResult(
        items=result.items,
        as_of=AS_OF,
        profile=result.profile,
        events=(*result.events, Event("V1", AS_OF)),
    )
    after = engine.score(vetoed)
    assert after.vetoed
    assert rank(engine, after.grade) <= rank(engine, before.grade)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(framework_and_results())
def test_export_then_import_gives_the_same_scores(case):
    engine, result, _ = case
    fw = engine.framework
    via_yaml = framework_from_yaml(framework_to_yaml(fw))
    via_xlsx = framework_from_xlsx(framework_to_xlsx(fw))
    assert via_yaml == fw and via_xlsx == fw
    expected = engine.score(result)
    for again in (Engine(via_yaml), Engine(via_xlsx)):
        card = again.score(result)
        assert (card.scores, card.total, card.grade) == (
            expected.scores,
            expected.total,
            expected.grade,
        )


@FAST
@given(framework_and_results())
def test_not_applicable_never_beats_the_same_item_scored_in_full(case):
    engine, result, _ = case
    full = {
        code: engine.parse_item(code, full_value(engine.styles[code]))
        if entry.value is NOT_APPLICABLE
        else entry
        for code, entry in result.items.items()
    }
    as_full = UnitResult(items=full, as_of=AS_OF, profile=result.profile, events=result.events)
    assert engine.score(result).total <= engine.score(as_full).total


@FAST
@given(framework_and_results())
def test_items_that_do_not_apply_are_neither_scored_nor_missing(case):
    engine, result, _ = case
    card = engine.score(result)
    for index in card.excluded:
        assert card.scores[index] == 0 and card.node_max[index] == 0
        assert engine.nodes[index].code not in card.missing
    out = card.excluded | card.not_applicable
    lost = sum(
        engine.max_points[i]
        for i, node in enumerate(engine.nodes)
        if i in out and node.code not in engine.bonus_codes
    )
    assert card.applicable_max == engine.total_max - lost
    assert 0 <= card.base <= engine.total_max


def _better(engine: Engine, code: str, value: Any, draw: Any) -> Any:
    """A value of the same item that the rule says is at least as good (None: none to give)."""
    style = engine.styles[code]
    if value is NOT_APPLICABLE:
        return None
    if style.key == "tiered":
        step = draw(st.integers(0, 400_000))
        lower = style.p.direction == "lower"  # type: ignore[attr-defined]
        return max(0, value - step) if lower else value + step
    if style.key == "findings":  # fewer findings of each kind
        return tuple(draw(st.integers(0, n)) for n in value)
    if style.key == "awards":  # more awards at each level
        return tuple(n + draw(st.integers(0, 3)) for n in value)
    if style.key == "deduction":
        return draw(st.integers(0, value))
    return None


@FAST
@given(framework_and_results(), st.data())
def test_a_better_value_of_any_new_kind_never_lowers_the_total_or_the_grade(case, data):
    """Monotone in every item: a higher rate (lower, for `direction: lower`), fewer findings of
    any kind, more awards at any level never cost the unit points or a grade."""
    engine, result, _ = case
    items = dict(result.items)
    changed = False
    for code, entry in result.items.items():
        better = _better(engine, code, entry.value, data.draw)
        if better is not None:
            items[code] = type(entry)(better)
            changed = True
    if not changed:
        return
    improved = UnitResult(items=items, as_of=AS_OF, profile=result.profile, events=result.events)
    before, after = engine.score(result), engine.score(improved)
    assert after.total >= before.total
    assert rank(engine, after.grade) >= rank(engine, before.grade)


@FAST
@given(framework_and_results(), st.integers(0, 12))
def test_negative_list_deductions_never_pass_their_caps(case, extra):
    engine, result, _ = case
    events = (*result.events, *(Event("N1", AS_OF),) * extra)
    card = engine.score(
        UnitResult(items=result.items, as_of=AS_OF, profile=result.profile, events=events)
    )
    entry = engine.negative["N1"]
    counted = 300 * len(events)
    expected = min(counted, to_centi(entry.max)) if entry.max is not None else counted
    if engine.negative_cap is not None:
        expected = min(expected, engine.negative_cap)
    assert card.deductions == expected
    assert card.total == max(0, card.weighted + card.bonus - expected)


@FAST
@given(framework_and_results(), st.integers(-30, 30), st.one_of(st.none(), st.integers(-30, 30)))
def test_a_state_veto_holds_exactly_while_the_state_lasts_and_an_event_only_in_its_window(
    case, began, ended
):
    engine, result, _ = case
    start = AS_OF + timedelta(days=30 * began)
    until = None if ended is None else start + timedelta(days=30 * abs(ended) + 1)
    veto = engine.vetoes["V1"]
    card = engine.score(
        UnitResult(
            items=result.items,
            as_of=AS_OF,
            profile=result.profile,
            events=(Event("V1", start, until=until),),
        )
    )
    if veto.kind == "state":
        holds = start <= AS_OF and (until is None or until > AS_OF)
    else:
        holds = months_before(AS_OF, veto.window_months or 12) <= start <= AS_OF  # default 12
    assert card.vetoed == holds


# ───────────── the built-in library, with the new kinds, answered at random ─────────────

LIBRARY_ENGINES = {
    name: Engine(framework_load(Path(library_dir.__file__).parent / f"{name}.yaml"))
    for name in ("civilized-unit", "civilized-office", "school-standard")
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(LIBRARY_ENGINES)), st.randoms(use_true_random=False))
def test_library_answers_stay_in_bounds_and_survive_the_excel_round_trip(name, rng):
    engine = LIBRARY_ENGINES[name]
    items = {}
    for code, style in engine.styles.items():
        if sampled(style):
            raw: Any = sample_value(style, rng, weak=rng.random() < 0.5)
        else:
            raw = full_value(style)
        items[code] = engine.parse_item(code, raw)
    result = UnitResult(items=items, as_of=AS_OF, profile=PROFILE)
    card = engine.score(result)
    assert 0 <= card.total <= engine.total_max + engine.bonus_cap
    again = Engine(framework_from_xlsx(framework_to_xlsx(engine.framework))).score(result)
    assert (again.scores, again.total, again.grade) == (card.scores, card.total, card.grade)
