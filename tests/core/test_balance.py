"""The enrolment-weighted coefficient of variation and each school's leave-one-out effect."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from wenming.core.balance import School, balance_of, weighted_cv


def test_hand_worked_example_from_the_issue():
    found = weighted_cv([400, 600, 1000], [2.0, 3.0, 4.0])
    assert found is not None
    mean, cv = found
    assert round(mean, 4) == 3.3
    assert round(cv, 4) == 0.2367
    schools = [
        School("1", 400, {"x": 2.0}),
        School("2", 600, {"x": 3.0}),
        School("3", 1000, {"x": 4.0}),
    ]
    result = balance_of(schools, ["x"])
    indicator = result.indicators[0]
    overall = indicator.cv
    assert overall is not None
    without = {
        key: overall - effect for key, effect in indicator.effects.items() if effect is not None
    }
    assert {k: round(v, 4) for k, v in without.items()} == {"1": 0.1336, "2": 0.2635, "3": 0.1884}
    # school 2 sits near the mean: leaving it out raises the coefficient (negative effect)
    assert (indicator.effects["2"] or 0) < 0 < (indicator.effects["1"] or 0)


def test_composite_is_the_mean_of_the_indicators():
    schools = [
        School("a", 100, {"x": 1.0, "y": 10.0}),
        School("b", 300, {"x": 2.0, "y": 10.0}),
    ]
    result = balance_of(schools, ["x", "y"])
    assert result.indicators[1].cv == 0
    cv = result.indicators[0].cv
    assert cv is not None and result.composite == cv / 2


def test_no_pupils_or_zero_mean_has_no_coefficient():
    assert weighted_cv([0, 0], [1.0, 2.0]) is None
    assert weighted_cv([10, 20], [0.0, 0.0]) is None
    result = balance_of([School("a", 10, {"x": 0.0})], ["x"])
    assert result.composite is None and result.composite_effects["a"] is None


def test_a_single_school_has_no_variation():
    assert weighted_cv([500], [7.5]) == (7.5, 0.0)


schools_st = st.lists(
    st.tuples(st.integers(1, 3000), st.floats(0.1, 5000, allow_nan=False)), min_size=2, max_size=30
)


@given(schools_st)
def test_leave_one_out_equals_recomputing_without_the_school(rows):
    schools = [School(str(i), n, {"x": x}) for i, (n, x) in enumerate(rows)]
    indicator = balance_of(schools, ["x"]).indicators[0]
    assert indicator.cv is not None
    for i, school in enumerate(schools):
        rest = rows[:i] + rows[i + 1 :]
        found = weighted_cv([n for n, _ in rest], [x for _, x in rest])
        assert found is not None
        effect = indicator.effects[school.key]
        assert effect is not None
        assert math.isclose(indicator.cv - effect, found[1], rel_tol=1e-7, abs_tol=1e-9)


@given(schools_st, st.floats(0.01, 100))
def test_cv_does_not_depend_on_the_unit_of_measure(rows, scale):
    a = weighted_cv([n for n, _ in rows], [x for _, x in rows])
    b = weighted_cv([n for n, _ in rows], [x * scale for _, x in rows])
    assert a is not None and b is not None
    assert math.isclose(a[1], b[1], rel_tol=1e-7, abs_tol=1e-9)


@given(schools_st, st.integers(2, 5))
def test_doubling_every_enrolment_changes_nothing(rows, k):
    a = weighted_cv([n for n, _ in rows], [x for _, x in rows])
    b = weighted_cv([n * k for n, _ in rows], [x for _, x in rows])
    assert a is not None and b is not None
    assert math.isclose(a[1], b[1], rel_tol=1e-9, abs_tol=1e-12)
    assert a[1] >= 0


@given(st.integers(1, 1000), st.integers(2, 20), st.floats(0.1, 1000))
def test_equal_values_give_zero(n, count, x):
    found = weighted_cv([n] * count, [x] * count)
    assert found is not None
    assert math.isclose(found[1], 0.0, abs_tol=1e-9)
