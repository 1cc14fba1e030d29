"""Property tests over generated frameworks and results (hypothesis)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenming.core.engine import Engine, Event, UnitResult
from wenming.core.formats import (
    framework_from_xlsx,
    framework_from_yaml,
    framework_to_xlsx,
    framework_to_yaml,
)
from wenming.core.styles import UnitProfile
from wenming.core.validation import framework_from_data

AS_OF = date(2026, 6, 30)
NAMES = st.text(alphabet="文明单位测评指标建设管理ABCxyz12", min_size=1, max_size=8)
PROFILE = UnitProfile(stage="九年一贯制", enrolment={"小学": 300, "初中": 500})


def _money(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"


@st.composite
def leaf(draw: Any, code: str) -> dict[str, Any]:
    points = draw(st.integers(min_value=1, max_value=3000))
    style = draw(st.sampled_from(["deduction", "letter", "yesno", "direct", "measured"]))
    scoring: dict[str, Any] = {"style": style}
    if style == "deduction":
        scoring["per_occurrence"] = _money(draw(st.integers(min_value=1, max_value=points)))
    elif style == "measured":
        scoring["standard"] = {"小学": draw(st.integers(1, 50)), "初中": draw(st.integers(1, 50))}
        scoring["direction"] = draw(st.sampled_from(["higher", "lower"]))
        if draw(st.booleans()):
            scoring["per_students"] = draw(st.sampled_from([1, 100]))
    return {"code": code, "name": draw(NAMES), "points": _money(points), "scoring": scoring}


@st.composite
def tree(draw: Any, prefix: str, depth: int) -> list[dict[str, Any]]:
    nodes = []
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        code = f"{prefix}{i}"
        if depth > 1 and draw(st.booleans()):
            children = draw(tree(code + ".", depth - 1))
            total = sum(_centi(c) for c in children)
            nodes.append(
                {"code": code, "name": draw(NAMES), "points": _money(total), "children": children}
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
        "unit_types": ["学校"],
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
    data["vetoes"] = [{"code": "V1", "name": "否决"}]
    data["negative_list"] = [
        {"code": "N1", "name": "扣分", "effect": "deduct", "points": "3", "window_months": 12}
    ]
    return data


@st.composite
def framework_and_results(draw: Any) -> tuple[Engine, UnitResult, UnitResult]:
    engine = Engine(framework_from_data(draw(frameworks())))

    def one() -> UnitResult:
        items = {}
        for code, style in engine.styles.items():
            if draw(st.integers(0, 9)) == 0:
                continue  # not entered
            raw: Any
            if style.key == "deduction":
                raw = draw(st.integers(0, 40))
            elif style.key == "letter":
                raw = draw(st.sampled_from("ABCD"))
            elif style.key == "yesno":
                raw = draw(st.booleans())
            elif style.key == "direct":
                raw = _money(draw(st.integers(0, style.points)))
            else:
                raw = draw(st.integers(0, 100_000))
            items[code] = engine.parse_item(code, raw)
        events = (Event("N1", AS_OF),) if draw(st.booleans()) else ()
        return UnitResult(items=items, as_of=AS_OF, profile=PROFILE, events=events)

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
        profile=PROFILE,
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
