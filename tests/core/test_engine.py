"""The scoring engine: exact at the boundaries, vetoes override scores, windows count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.core.helpers import AS_OF, PRIMARY, events, full_marks, with_total
from wenming.core.engine import Engine, ItemResult, UnitResult, in_window, months_before
from wenming.core.events import Event
from wenming.core.points import fmt
from wenming.core.styles import UnitProfile


def centi(points: str) -> int:
    return int(Decimal(points) * 100)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("1000", "达标"),
        ("900", "达标"),
        ("899.5", "基本达标"),
        ("850", "基本达标"),
        ("849.5", "不达标"),
        ("600", "不达标"),
    ],
)
def test_standardization_bands_are_exact_at_the_boundaries(school_engine, total, grade):
    card = school_engine.score(with_total(school_engine, centi(total)))
    assert fmt(card.total) == total
    assert card.grade == grade


def test_veto_item_overrides_high_score(school_engine, school):
    d_class = next(v for v in school.vetoes if "D类危房" in v.name)
    result = with_total(school_engine, centi("950"), events=events((d_class.code, None)))
    card = school_engine.score(result)
    assert fmt(card.total) == "950"
    assert card.band_grade == "达标"
    assert card.grade == "不达标"
    assert card.vetoed
    assert card.veto_reasons == [f"一票否决:{d_class.name}(评分日仍存在)"]
    assert any(line.startswith("一票否决:D类危房") for line in card.explain())


def test_the_library_d_class_veto_is_a_state_checked_at_the_as_of_date(school_engine, school):
    """Issue 21: a D-class building still in use is a state, not an event in a window."""
    d_class = next(v for v in school.vetoes if "D类危房" in v.name)
    assert d_class.kind == "state"

    def grade(event: Event) -> str:
        return str(
            school_engine.score(with_total(school_engine, centi("950"), events=(event,))).grade
        )

    # began years ago and still in use: an event window would have let it lapse
    assert grade(Event(d_class.code, date(2019, 3, 1))) == "不达标"
    # taken out of use before the as-of date: no veto
    assert grade(Event(d_class.code, date(2019, 3, 1), until=date(2026, 5, 1))) == "达标"
    # begins after the as-of date: not yet
    assert grade(Event(d_class.code, date(2026, 7, 1))) == "达标"


def test_full_marks_reach_the_maximum(school_engine):
    card = school_engine.score(
        UnitResult(
            items=full_marks(school_engine), as_of=AS_OF, profile=UnitProfile("小学", {"小学": 800})
        )
    )
    assert card.total == school_engine.total_max
    assert card.explain() == []


def test_missing_items_count_zero_and_are_named(mini_engine):
    card = mini_engine.score(UnitResult(items={}, as_of=AS_OF))
    assert card.total == 0
    assert card.missing == ["A1", "A2", "A3", "B1", "B2", "F1"]
    assert "A1 未评分,计0分(生均面积)" in card.explain()


def test_deduction_never_goes_below_zero(mini_engine):
    items = {"A2": mini_engine.parse_item("A2", 1000, reason="制度缺失")}
    card = mini_engine.score(UnitResult(items=items, as_of=AS_OF))
    assert card.node("A2") == 0
    assert "A2 扣20分:制度缺失(1000处×0.5分,最多扣20分)" in card.explain()


def test_deduction_explanation_reads_like_a_score_sheet(mini_engine):
    items = {"A2": mini_engine.parse_item("A2", 4, reason="缺少志愿服务记录")}
    card = mini_engine.score(UnitResult(items=items, as_of=AS_OF))
    assert card.node("A2") == centi("18")
    assert "A2 扣2分:缺少志愿服务记录(4处×0.5分)" in card.explain()


def test_letter_grade_shares(mini_engine):
    scores = {
        g: mini_engine.score(
            UnitResult(items={"A3": mini_engine.parse_item("A3", g)}, as_of=AS_OF)
        ).node("A3")
        for g in "ABCD"
    }
    assert scores == {"A": 2000, "B": 1320, "C": 660, "D": 0}


def test_bonus_never_exceeds_its_cap(mini_engine):
    items = {"F1": mini_engine.parse_item("F1", 8)}
    card = mini_engine.score(UnitResult(items=items, as_of=AS_OF))
    assert card.bonus_raw == 800 and card.bonus == 500 and card.total == 500
    assert "加分合计8分,按上限5分计" in card.explain()


def test_nine_year_school_uses_enrolment_weighted_standard(mini_engine):
    # standard 5 (primary) and 6 (junior); 400 + 600 pupils → required 5.6 per pupil
    profile = UnitProfile("九年一贯制", {"小学": 400, "初中": 600})
    at = lambda area: mini_engine.score(  # noqa: E731
        UnitResult(items={"A1": mini_engine.parse_item("A1", area)}, as_of=AS_OF, profile=profile)
    ).node("A1")
    assert at(5600) == 2000  # exactly 100 %
    assert at(5599) == 1600  # 99.98 % → 80 % of 20 points
    assert at(4480) == 1600  # exactly 80 %
    assert at(4479) == 1000  # just under 80 % → 50 %
    assert at(3359) == 0  # under 60 %


def test_complete_secondary_apportions_shared_resources(mini_engine):
    # 600 junior + 400 senior share 6000 m²: junior part 3600 m² for 600 pupils = 6 per pupil
    profile = UnitProfile("完全中学", {"初中": 600, "高中": 400})
    card = mini_engine.score(
        UnitResult(items={"A1": mini_engine.parse_item("A1", 6000)}, as_of=AS_OF, profile=profile)
    )
    assert card.node("A1") == 2000
    card = mini_engine.score(
        UnitResult(items={"A1": mini_engine.parse_item("A1", 5999)}, as_of=AS_OF, profile=profile)
    )
    assert card.node("A1") == 1600


def test_negative_list_counts_only_inside_its_window(mini_engine: Engine):
    def total(day: date) -> int:
        return mini_engine.score(
            UnitResult(
                items=full_marks(mini_engine),
                as_of=AS_OF,
                profile=PRIMARY,
                events=events(("N1", day)),
            )
        ).total

    assert total(date(2024, 6, 30)) == 9800  # exactly 24 months before: counts
    assert total(date(2024, 6, 29)) == 10000  # one day earlier: outside
    assert total(date(2026, 7, 1)) == 10000  # after the as-of date: not yet
    assert total(date(2026, 6, 30)) == 9800


def test_negative_list_veto_in_window_fails_the_unit(mini_engine):
    card = mini_engine.score(
        UnitResult(
            items=full_marks(mini_engine),
            as_of=AS_OF,
            profile=PRIMARY,
            events=events(("N2", date(2026, 1, 5))),
        )
    )
    assert card.grade == "不达标" and card.vetoed
    assert card.veto_reasons == ["负面清单 N2 一票否决:刑事案件(2026-01-05)"]


def test_months_before_clamps_to_month_end():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert in_window(None, AS_OF, 12)


def test_parse_errors_are_in_chinese(mini_engine):
    from wenming.core.styles import InputError

    cases = [
        ("A2", -1, "非负整数"),
        ("A3", "E", "等级应为A、B、C、D之一"),
        ("B1", "也许", "是否项应填写"),
        ("B2", 11, "超出范围"),
        ("A1", "abc", "不是数字"),
        ("ZZ", 1, "不存在"),
        ("A", 1, "不是末级指标"),
    ]
    for code, raw, message in cases:
        with pytest.raises(InputError, match=message):
            mini_engine.parse_item(code, raw)


def test_component_threshold_and_weight():
    from tests.conftest import library

    campus = library("civilized-campus")
    engine = Engine(campus)
    (comp,) = campus.components
    items = full_marks(engine)
    passing = engine.score(
        UnitResult(items=items, as_of=AS_OF, profile=PRIMARY, components={comp.code: 9000})
    )
    # 80 % × 100 + 20 % × 90 = 98
    assert passing.total == 9800 and not passing.vetoed
    failing = engine.score(
        UnitResult(items=items, as_of=AS_OF, profile=PRIMARY, components={comp.code: 8000})
    )
    assert failing.vetoed and failing.grade == campus.failing_grade
    assert any("未达到85分门槛" in r for r in failing.veto_reasons)


def test_totals_are_decimal_exact(mini_engine):
    # 0.5-point deductions over many items never drift
    items = dict(full_marks(mini_engine))
    items["A2"] = ItemResult(3)
    card = mini_engine.score(UnitResult(items=items, as_of=AS_OF, profile=PRIMARY))
    assert card.total == 10000 - 150
    assert fmt(card.total) == "98.5"


def test_event_windows_can_be_checked_without_scoring(mini_engine):
    # campaign eligibility asks the same question the scorer does
    effects = mini_engine.assess_events(
        events(("N1", date(2025, 1, 1)), ("N2", date(2024, 1, 1)), ("V1", None)), as_of=AS_OF
    )
    assert [(e.event.code, e.counted, e.effect.value) for e in effects] == [
        ("N1", True, "deduct"),
        ("N2", False, "veto"),
        ("V1", True, "veto"),
    ]
