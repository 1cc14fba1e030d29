"""The draw core: quotas rounded up, district minimums, strata, determinism, verification."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenming.core.draw import (
    ALGORITHM,
    BY_DISTRICT,
    BY_SHARE,
    Candidate,
    Rules,
    RulesInvalid,
    algorithm_label,
    draw,
    draw_check,
    draw_make,
    quota,
    rank_key,
    share_parse,
)

THIRD = Fraction(1, 3)


def schools(n: int, stratum: str = "学校·初中", district: str = "临江街道", start: int = 0):
    return [
        Candidate(code=f"91420100MA{start + i:08d}", stratum=stratum, district=district)
        for i in range(n)
    ]


def test_one_third_of_seven_junior_schools_is_three():
    picks = draw(schools(7), Rules(shares={"学校·初中": THIRD}), seed="abc")
    assert len(picks) == 3
    assert {p.reason for p in picks} == {BY_SHARE}


@pytest.mark.parametrize(
    ("n", "expected"), [(1, 1), (2, 1), (3, 1), (4, 2), (7, 3), (9, 3), (10, 4)]
)
def test_share_is_rounded_up(n, expected):
    assert len(draw(schools(n), Rules(shares={"学校·初中": THIRD}), seed="s")) == expected


def test_strata_are_drawn_separately():
    pool = schools(7) + schools(5, stratum="学校·小学", start=100) + schools(4, "医院", start=200)
    rules = Rules(shares={"学校·初中": THIRD, "学校·小学": Fraction(1, 5)})
    picks = draw(pool, rules, seed="x")
    by = Counter(next(c.stratum for c in pool if c.code == p.code) for p in picks)
    assert by == {"学校·初中": 3, "学校·小学": 1}  # a stratum without a share is not drawn


def test_minimum_per_district_adds_best_ranked_of_that_district():
    pool = schools(6, district="A") + schools(1, district="B", start=50)
    rules = Rules(shares={"学校·初中": Fraction(1, 7)}, min_per_district=1)
    picks = draw(pool, rules, seed="seed-1")
    districts = {next(c.district for c in pool if c.code == p.code) for p in picks}
    assert districts == {"A", "B"}
    # the top-up in a district is its best-ranked undrawn candidate
    for p in picks:
        if p.reason == BY_DISTRICT:
            cand = next(c for c in pool if c.code == p.code)
            rest = [c for c in pool if c.district == cand.district and c.code != cand.code]
            undrawn = [c for c in rest if c.code not in {q.code for q in picks}]
            assert all(rank_key("seed-1", cand.code) < rank_key("seed-1", c.code) for c in undrawn)


def test_minimum_is_capped_by_candidates_in_the_district():
    pool = schools(1, district="A") + schools(5, district="B", start=10)
    picks = draw(pool, Rules(shares={"学校·初中": Fraction(0)}, min_per_district=3), seed="s")
    assert picks == []  # share 0: the stratum does not take part at all
    picks = draw(pool, Rules(shares={"学校·初中": Fraction(1, 100)}, min_per_district=3), seed="s")
    counts = Counter(next(c.district for c in pool if c.code == p.code) for p in picks)
    assert counts == {"A": 1, "B": 3}


def test_ranking_is_sha256_of_seed_and_credit_code():
    import hashlib

    assert rank_key("s", "X1") == hashlib.sha256(b"s:X1").hexdigest()
    pool = schools(5)
    picks = draw(pool, Rules(shares={"学校·初中": Fraction(2, 5)}), seed="s")
    best = sorted(pool, key=lambda c: rank_key("s", c.code))[:2]
    assert [p.code for p in picks] == [c.code for c in best]


def test_known_answer_is_stable_across_machines_and_versions():
    picks = draw(schools(7), Rules(shares={"学校·初中": THIRD}), seed="0123456789abcdef")
    ranked = sorted(schools(7), key=lambda c: rank_key("0123456789abcdef", c.code))
    assert [p.code for p in picks] == [c.code for c in ranked[:3]]
    assert ALGORITHM == "wenming-draw/1"


@pytest.mark.parametrize(
    ("text", "value"),
    [("1/3", THIRD), (" 1 / 3 ", THIRD), ("0.5", Fraction(1, 2)), ("50%", Fraction(1, 2))],
)
def test_share_parse(text, value):
    assert share_parse(text) == value


@pytest.mark.parametrize("text", ["abc", "1/0", "4/3", "-0.1", "120%", ""])
def test_share_parse_refuses_in_chinese_naming_the_stratum(text):
    with pytest.raises(RulesInvalid, match="“学校·初中”的抽取比例"):
        share_parse(text, label="学校·初中")


def test_duplicate_credit_codes_are_refused():
    with pytest.raises(RulesInvalid, match="重复"):
        draw(schools(2) + schools(1), Rules(shares={"学校·初中": THIRD}), seed="s")


def test_a_made_record_verifies_and_a_tampered_one_does_not():
    pool = schools(7) + schools(4, district="B", start=20)
    record = draw_make(pool, Rules(shares={"学校·初中": THIRD}, min_per_district=2), "seed")
    assert draw_check(record).ok
    assert draw_check(record).label == "核验通过"
    # result changed (and the digest recomputed by the tamperer): re-run disagrees
    other = next(c["code"] for c in record.candidates if c["code"] not in str(record.result))
    forged = [*record.result[:-1], {"code": other, "reason": BY_SHARE}]
    verdict = draw_check(dataclasses.replace(record, result=forged))
    assert not verdict.ok and verdict.label == "核验失败"
    assert any("记录中没有" in p for p in verdict.problems)
    assert any("摘要不符" in p for p in verdict.problems)
    # seed changed
    assert not draw_check(dataclasses.replace(record, seed="other")).ok
    # candidates changed (one removed): the digest no longer matches
    fewer = dataclasses.replace(record, candidates=record.candidates[1:])
    assert any("摘要不符" in p for p in draw_check(fewer).problems)
    # unknown algorithm
    (problem,) = draw_check(dataclasses.replace(record, algorithm="x/9")).problems
    assert problem == "记录的抽签算法版本(未知算法)不是本程序的第1版,无法重算"
    assert algorithm_label("wenming-draw/2") == "第2版"


# -- properties -----------------------------------------------------------------------

STRATA = ["学校·初中", "学校·小学", "医院"]
candidate_lists = st.lists(
    st.tuples(st.sampled_from(STRATA), st.sampled_from(["A", "B", "C", "D"])),
    min_size=0,
    max_size=40,
).map(
    lambda rows: [
        Candidate(code=f"C{i:04d}", stratum=s, district=d) for i, (s, d) in enumerate(rows)
    ]
)
shares = st.dictionaries(
    st.sampled_from(STRATA), st.fractions(min_value=0, max_value=1, max_denominator=12)
)


@settings(max_examples=150, deadline=None)
@given(pool=candidate_lists, shares=shares, minimum=st.integers(0, 3), seed=st.text(max_size=20))
def test_properties_of_every_draw(pool, shares, minimum, seed):
    rules = Rules(shares=shares, min_per_district=minimum)
    picks = draw(pool, rules, seed)
    codes = [p.code for p in picks]
    assert len(set(codes)) == len(codes)
    by_code = {c.code: c for c in pool}
    # every stratum gets at least its rounded-up share, and share picks never exceed it
    for stratum in STRATA:
        members = [c for c in pool if c.stratum == stratum]
        share = shares.get(stratum, Fraction(0))
        drawn = [p for p in picks if by_code[p.code].stratum == stratum]
        assert len(drawn) >= quota(share, len(members))
        assert sum(1 for p in drawn if p.reason == BY_SHARE) == math.ceil(share * len(members))
    # every district with candidates taking part has its minimum, as far as it can
    taking_part = [c for c in pool if shares.get(c.stratum, 0) > 0]
    for district in {c.district for c in taking_part}:
        available = sum(1 for c in taking_part if c.district == district)
        got = sum(1 for code in codes if by_code[code].district == district)
        assert got >= min(minimum, available)


@settings(max_examples=100, deadline=None)
@given(pool=candidate_lists, shares=shares, seed=st.text(max_size=20), data=st.data())
def test_same_seed_same_list_whatever_the_input_order(pool, shares, seed, data):
    shuffled = data.draw(st.permutations(pool))
    rules = Rules(shares=shares, min_per_district=1)
    assert draw(pool, rules, seed) == draw(shuffled, rules, seed)
    assert draw_make(pool, rules, seed) == draw_make(shuffled, rules, seed)
    assert draw_check(draw_make(shuffled, rules, seed)).ok


@settings(max_examples=50, deadline=None)
@given(shares=shares, minimum=st.integers(0, 3))
def test_rules_round_trip_through_json(shares, minimum):
    rules = Rules(shares=shares, min_per_district=minimum)
    assert Rules.from_json(rules.to_json()) == rules


def test_rules_json_reads_like_the_form():
    rules = Rules(shares={"初中": THIRD, "小学": Fraction(0), "医院": Fraction(1)})
    assert rules.to_json() == {
        "shares": {"医院": "1", "初中": "1/3", "小学": "0"},
        "min_per_district": 0,
    }
