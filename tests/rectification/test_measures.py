"""Measures agree exactly with hand-counted records, including 退回 and the deadline day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.rectification.conftest import new_problem, to_handled
from wenming.organizations.models import RegionLevel
from wenming.rectification import services as svc
from wenming.rectification.models import ProblemSource, Tally, TallyKind
from wenming.rectification.selectors import (
    Measures,
    measures_for,
    overview,
    repeat_overdue_units,
)

MARCH = date(2026, 3, 1)
TODAY = date(2026, 3, 30)


def close(world, clock, problem, day, hour=10, minute=0, complaint=None):
    p = world.people
    to_handled(world, problem)
    svc.problem_verify(actor=p.east_office, problem=problem)
    if complaint is not None:
        reached, satisfied = complaint
        svc.problem_call_back(
            actor=p.east_office, problem=problem, reached=reached, satisfied=satisfied
        )
    clock.set(day, hour, minute)
    svc.problem_close(actor=p.east_office, problem=problem)
    clock.set(date(2026, 3, 2))


@pytest.fixture
def march(world, clock):
    """Eight problems received in March at 第一小学 (hand-counted in the test below)."""
    p = world.people
    clock.set(date(2026, 2, 10))
    feb = new_problem(world, title="二月的问题")
    close(world, clock, feb, date(2026, 3, 1))
    clock.set(date(2026, 3, 2))
    a = new_problem(world, title="A")  # deadline by rule: 04-01
    close(world, clock, a, date(2026, 3, 12))  # 10 days, on time
    b = new_problem(world, title="B", deadline=date(2026, 3, 20))
    close(world, clock, b, date(2026, 3, 20), 23, 30)  # on the deadline day: on time, 18 days
    c = new_problem(world, title="C", deadline=date(2026, 3, 20))
    close(world, clock, c, date(2026, 3, 21), 0, 30)  # 00:30 Beijing = 3-20 UTC: late, 19 days
    d = new_problem(world, title="D")
    to_handled(world, d)
    svc.problem_return(actor=p.east_office, problem=d, reason="不彻底")
    svc.problem_handle(actor=p.filler, problem=d, fix="彻底整改")
    svc.problem_return(actor=p.east_office, problem=d, reason="还不彻底")
    svc.problem_handle(actor=p.filler, problem=d, fix="再次整改")
    svc.problem_verify(actor=p.east_office, problem=d)
    clock.set(date(2026, 3, 25))
    svc.problem_close(actor=p.east_office, problem=d)  # returned twice, closed once, 23 days
    clock.set(date(2026, 3, 2))
    e = new_problem(world, title="E", source=ProblemSource.COMPLAINT)
    close(world, clock, e, date(2026, 3, 5), complaint=(True, True))  # 3 days
    f = new_problem(world, title="F", source=ProblemSource.COMPLAINT)
    close(world, clock, f, date(2026, 3, 6), complaint=(False, None))  # 4 days
    new_problem(world, title="G", deadline=date(2026, 3, 10))  # open, overdue on 3-30
    new_problem(world, title="H", deadline=date(2026, 4, 15))  # open, not yet due
    return world


def check_march(m: Measures) -> None:
    assert (m.received, m.closed, m.open) == (8, 6, 2)
    assert m.close_rate == Decimal("75.00")
    assert m.closed_on_time == 5 and m.on_time_rate == Decimal("83.33")
    assert (m.complaints_closed, m.callbacks_reached, m.callbacks_satisfied) == (2, 1, 1)
    assert m.callback_rate == Decimal("50.00") and m.satisfaction_rate == Decimal("100.00")
    assert m.days_total == 10 + 18 + 19 + 23 + 3 + 4
    assert m.avg_days == Decimal("12.8")
    assert m.p90_days == 23  # nearest rank: ceil(0.9 × 6) = 6th of [3, 4, 10, 18, 19, 23]
    assert m.returned == 2


def test_measures_match_the_hand_count(march):
    world = march
    for kind, key in (
        (TallyKind.UNIT, world.s1.pk),
        (TallyKind.BODY, world.bureau.pk),
        (TallyKind.REGION, world.town.pk),
        (TallyKind.REGION, world.east.pk),
        (TallyKind.REGION, world.city.pk),
    ):
        check_march(measures_for(kind, [key], MARCH, MARCH)[key])
    feb = measures_for(TallyKind.UNIT, [world.s1.pk], date(2026, 2, 1), date(2026, 2, 1))
    assert (feb[world.s1.pk].received, feb[world.s1.pk].closed) == (1, 1)
    west = measures_for(TallyKind.REGION, [world.west.pk], MARCH, MARCH)[world.west.pk]
    assert west.received == 0


def test_the_overview_shows_the_hand_count_per_township_and_body(march):
    world = march
    o = overview(region=world.east, level=RegionLevel.TOWNSHIP, start=MARCH, end=MARCH, today=TODAY)
    row = next(r for r in o.regions if r.key == world.town.pk)
    assert row.m.overdue == 1
    check_march(row.m)
    check_march(o.total)
    body = next(r for r in o.bodies if r.key == world.bureau.pk)
    check_march(body.m)
    year = overview(
        region=world.east,
        level=RegionLevel.TOWNSHIP,
        start=date(2026, 1, 1),
        end=MARCH,
        today=TODAY,
    )
    assert (year.total.received, year.total.closed) == (9, 7)


def test_incremental_tallies_equal_a_rebuild_from_the_problems(march):
    def snapshot():
        return sorted(
            (*row[:-1], bytes(row[-1]))
            for row in Tally.objects.values_list(
                "kind", "key", "span", "start", *svc.TALLY_FIELDS, "days"
            )
        )

    before = snapshot()
    svc.tallies_rebuild()
    assert snapshot() == before


def test_units_with_repeated_overdue_problems_are_named_for_the_bulletin(march):
    world = march
    once = repeat_overdue_units(region=world.city, start=MARCH, end=MARCH, today=TODAY)
    # G is overdue and C was closed late: two in the period
    assert [(r.unit.name, r.overdue, r.closed_late) for r in once] == [("江东区第一小学", 1, 1)]
    assert repeat_overdue_units(region=world.west, start=MARCH, end=MARCH, today=TODAY) == []


def test_a_citizen_report_is_called_back_and_a_merged_duplicate_closes_without_one(
    world, clock, client
):
    p = world.people
    clock.set(date(2026, 3, 2))
    kept = new_problem(world, title="公园垃圾无人清理", source=ProblemSource.CITIZEN)
    twin = new_problem(world, title="公园垃圾堆放", source=ProblemSource.CITIZEN)
    to_handled(world, kept)
    kept = svc.problem_verify(actor=p.east_office, problem=kept)
    with pytest.raises(svc.ProblemRefused):  # a citizen is called back before 结案
        svc.problem_close(actor=p.east_office, problem=kept)
    kept = svc.problem_call_back(actor=p.east_office, problem=kept, reached=True, satisfied=False)
    svc.problem_close(actor=p.east_office, problem=kept)
    new_problem(world, title="校门口占道经营")  # a patrol's, open
    clock.set(date(2026, 3, 4))
    with pytest.raises(svc.ProblemRefused, match=svc.MERGE_TARGET):
        svc.problem_merge(actor=p.east_office, problem=twin, into=twin, comment="重复")
    with pytest.raises(svc.ProblemRefused):  # the unit does not close its own problems
        svc.problem_merge(actor=p.filler, problem=twin, into=kept, comment="重复")
    twin = svc.problem_merge(actor=p.east_office, problem=twin, into=kept, comment="重复")
    assert twin.merged_into == kept and twin.closed_on == date(2026, 3, 4)
    m = measures_for(TallyKind.UNIT, [world.s1.pk], MARCH, MARCH)[world.s1.pk]
    # all received; both citizen problems closed on time (the twin in 2 days); only the one
    # called back counts for the call-back rate
    assert (m.received, m.closed, m.closed_on_time) == (3, 2, 2)
    assert (m.complaints_closed, m.callbacks_reached, m.callbacks_satisfied) == (1, 1, 0)
    before = sorted(Tally.objects.values_list("kind", "key", "span", "start", *svc.TALLY_FIELDS))
    svc.tallies_rebuild()
    assert sorted(Tally.objects.values_list("kind", "key", "span", "start", *svc.TALLY_FIELDS)) == (
        before
    )
    # the list names the source in Chinese and filters by it
    client.force_login(p.east_office)
    html = client.get(reverse("rectification:list"), {"source": "citizen"}).content.decode()
    assert '<option value="citizen" selected>群众随手拍</option>' in html
    assert "公园垃圾堆放" in html and "校门口占道经营" not in html
    # a 群众随手拍 problem comes with its report only: not offered when registering one by hand
    new = client.get(reverse("rectification:new")).content.decode()
    assert '<option value="citizen"' not in new and '<option value="complaint"' in new
    # each of the two merged problems links to the other
    shown = client.get(reverse("rectification:detail", args=[twin.pk])).content.decode()
    assert "合并办理" in shown and reverse("rectification:detail", args=[kept.pk]) in shown
    original = client.get(reverse("rectification:detail", args=[kept.pk])).content.decode()
    assert (
        "合并的重复问题" in original and reverse("rectification:detail", args=[twin.pk]) in original
    )
