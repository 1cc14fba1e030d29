"""Property: on random problems (returns, complaints, closes on and around the deadline day,
over several years), the figures read from the month/quarter/year tallies equal a direct count
over the problem rows, for every kind of key and random periods; a rebuild gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import person
from tests.rectification.conftest import new_problem
from wenming.accounts.models import Role
from wenming.organizations.models import RegionLevel
from wenming.rectification import services as svc
from wenming.rectification.models import Problem, ProblemSource, Tally, TallyKind
from wenming.rectification.selectors import (
    Measures,
    add_months,
    measures_for,
    month_end,
    overview,
    pieces,
    repeat_overdue_units,
)

FIRST = date(2024, 11, 1)
LAST = date(2026, 4, 30)
TODAY = date(2026, 5, 10)

problem_specs = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["s1", "s2"]),
        "received": st.dates(FIRST, LAST),
        "deadline_after": st.one_of(st.none(), st.integers(0, 45)),
        "complaint": st.booleans(),
        "returns": st.integers(0, 2),
        "close_after": st.one_of(st.none(), st.integers(0, 50), st.integers(0, 500)),
        "close_hour": st.sampled_from([0, 10, 23]),
        "reached": st.booleans(),
        "satisfied": st.booleans(),
    }
)
months = st.integers(0, 17).map(lambda n: add_months(FIRST, n))


class Rollback(Exception):
    pass


def direct(problems: list[Problem], start: date, end: date, today: date) -> Measures:
    """The measures counted straight from the problem rows, without any tally."""
    m = Measures()
    took: list[int] = []
    for p in problems:
        if not start <= p.received_on <= month_end(end):
            continue
        m.received += 1
        m.returned += p.return_count
        if p.closed_on is None:
            m.overdue += int(p.deadline < today)
            continue
        days = (p.closed_on - p.received_on).days
        took.append(days)
        m.closed += 1
        m.closed_on_time += int(p.closed_on <= p.deadline)
        m.days_total += days
        if p.source == ProblemSource.COMPLAINT:
            m.complaints_closed += 1
            m.callbacks_reached += int(bool(p.callback_reached))
            m.callbacks_satisfied += int(bool(p.callback_satisfied))
    m.days = [took.count(d) for d in range(max(took, default=-1) + 1)]
    if took:  # the nearest rank, from the sorted list this time
        took.sort()
        rank = -(-len(took) * 9 // 10)
        assert m.p90_days == took[rank - 1]
    return m


def bulletin(problems: list[Problem], start: date, end: date) -> list[tuple[int, int, int]]:
    """(unit, still open past the deadline, closed after it), counted from the problems."""
    counts: dict[int, list[int]] = {}
    for p in problems:
        if not start <= p.received_on <= month_end(end):
            continue
        c = counts.setdefault(p.unit_id, [0, 0])
        if p.closed_on is None:
            c[0] += int(p.deadline < TODAY)
        else:
            c[1] += int(p.closed_on > p.deadline)
    named = [(u, a, b) for u, (a, b) in counts.items() if a + b >= 1]
    return sorted(named, key=lambda r: (-(r[1] + r[2]), r[0]))


def same(tallied: Measures, counted: Measures, *, overdue: bool = False) -> None:
    names = [
        "received",
        "closed",
        "closed_on_time",
        "days_total",
        "complaints_closed",
        "callbacks_reached",
        "callbacks_satisfied",
        "returned",
    ] + (["overdue"] if overdue else [])
    assert {n: getattr(tallied, n) for n in names} == {n: getattr(counted, n) for n in names}
    for name in ("close_rate", "on_time_rate", "callback_rate", "avg_days", "p90_days"):
        assert getattr(tallied, name) == getattr(counted, name), name
    assert tallied.days == counted.days


def make(world, clock, spec, fillers) -> None:
    p = world.people
    clock.set(spec["received"])
    deadline = (
        spec["received"] + timedelta(days=spec["deadline_after"])
        if spec["deadline_after"] is not None
        else None
    )
    complaint = spec["complaint"]
    problem = new_problem(
        world,
        unit=getattr(world, spec["unit"]),
        source=ProblemSource.COMPLAINT if complaint else ProblemSource.PATROL,
        found_on=spec["received"],
        deadline=deadline,
    )
    if spec["close_after"] is None and not spec["returns"]:
        return
    filler = fillers[spec["unit"]]
    svc.problem_accept(actor=p.east_office, problem=problem)
    svc.problem_assign(actor=p.supervisor, problem=problem, responsible=filler)
    svc.problem_handle(actor=filler, problem=problem, fix="已整改")
    for n in range(spec["returns"]):
        svc.problem_return(actor=p.east_office, problem=problem, reason=f"第{n + 1}次退回")
        svc.problem_handle(actor=filler, problem=problem, fix="重新整改")
    if spec["close_after"] is None:
        return
    svc.problem_verify(actor=p.east_office, problem=problem)
    if complaint:
        svc.problem_call_back(
            actor=p.east_office,
            problem=problem,
            reached=spec["reached"],
            satisfied=spec["satisfied"] if spec["reached"] else None,
        )
    clock.set(spec["received"] + timedelta(days=spec["close_after"]), spec["close_hour"], 30)
    svc.problem_close(actor=p.east_office, problem=problem)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(problem_specs, min_size=1, max_size=7),
    periods=st.lists(st.tuples(months, months), min_size=1, max_size=4),
)
def test_tallied_measures_equal_a_direct_count(world, clock, specs, periods):
    fillers = {"s1": world.people.filler}
    try:
        with transaction.atomic():
            fillers["s2"] = person("s2_filler", Role.UNIT_FILLER, unit=world.s2)
            for spec in specs:
                make(world, clock, spec, fillers)
            rows = list(Problem.objects.all())
            keyed = {
                (TallyKind.UNIT, world.s1.pk): [p for p in rows if p.unit_id == world.s1.pk],
                (TallyKind.UNIT, world.s2.pk): [p for p in rows if p.unit_id == world.s2.pk],
                (TallyKind.BODY, world.bureau.pk): rows,
                (TallyKind.REGION, world.town.pk): [p for p in rows if p.unit_id == world.s1.pk],
                (TallyKind.REGION, world.east.pk): rows,
                (TallyKind.REGION, world.city.pk): rows,
            }
            for a, b in periods:
                start, end = min(a, b), max(a, b)
                for (kind, key), problems in keyed.items():
                    tallied = measures_for(kind, [key], start, end)[key]
                    same(tallied, direct(problems, start, end, TODAY))
                o = overview(
                    region=world.east,
                    level=RegionLevel.TOWNSHIP,
                    start=start,
                    end=end,
                    today=TODAY,
                )
                same(o.total, direct(rows, start, end, TODAY), overdue=True)
                town = next(r for r in o.regions if r.key == world.town.pk)
                same(town.m, direct(keyed[(TallyKind.UNIT, world.s1.pk)], start, end, TODAY))
                rest = [r for r in o.regions if not r.key]  # 实验中学 sits under the district
                s2 = direct(keyed[(TallyKind.UNIT, world.s2.pk)], start, end, TODAY)
                if s2.received:
                    same(rest[0].m, s2, overdue=True)
                else:
                    assert rest == []
                named = repeat_overdue_units(
                    region=world.east, start=start, end=end, today=TODAY, minimum=1
                )
                assert [(r.unit.pk, r.overdue, r.closed_late) for r in named] == bulletin(
                    rows, start, end
                )

            def snapshot():
                return sorted(
                    (*row[:-1], bytes(row[-1]))
                    for row in Tally.objects.values_list(
                        "kind", "key", "span", "start", *svc.TALLY_FIELDS, "days"
                    )
                )

            kept = snapshot()
            svc.tallies_rebuild()
            assert snapshot() == kept
            raise Rollback
    except Rollback:
        pass


def test_pieces_cover_the_period_with_the_fewest_rows():
    assert pieces(date(2025, 12, 1), date(2026, 11, 1)) == [
        ("m", date(2025, 12, 1)),
        ("q", date(2026, 1, 1)),
        ("q", date(2026, 4, 1)),
        ("q", date(2026, 7, 1)),
        ("m", date(2026, 10, 1)),
        ("m", date(2026, 11, 1)),
    ]
    assert pieces(date(2026, 1, 1), date(2026, 12, 1)) == [("y", date(2026, 1, 1))]
    assert pieces(date(2026, 3, 1), date(2026, 3, 1)) == [("m", date(2026, 3, 1))]
    assert len(pieces(date(2019, 2, 1), date(2026, 11, 1))) <= 2 + 3 + 6 + 3 + 2


@given(a=st.integers(0, 120), b=st.integers(0, 120))
def test_pieces_are_disjoint_and_cover_every_month_once(a, b):
    start, end = add_months(date(2020, 1, 1), min(a, b)), add_months(date(2020, 1, 1), max(a, b))
    covered = []
    for span, first in pieces(start, end):
        size = {"m": 1, "q": 3, "y": 12}[span]
        covered += [add_months(first, i) for i in range(size)]
    expected = [add_months(start, i) for i in range(max(a, b) - min(a, b) + 1)]
    assert covered == expected
    assert Decimal(len(pieces(start, end))) <= 2 + 3 + Decimal(max(a, b) - min(a, b)) / 12 + 3 + 2
