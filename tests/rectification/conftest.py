from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from wenming.rectification import services
from wenming.rectification.models import Problem, ProblemSource
from wenming.rectification.services import base

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock:
    """Sets the services' notion of now (a Beijing date and time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
        monkeypatch.setattr(base, "now", lambda: self.now)

    def set(self, day: date, hour: int = 10, minute: int = 0) -> None:
        self.now = datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def new_problem(
    world, *, source=ProblemSource.PATROL, found_on=None, deadline=None, **kw
) -> Problem:
    return services.problem_create(
        actor=world.people.east_office,
        unit=kw.pop("unit", world.s1),
        source=source,
        title=kw.pop("title", "校门口占道经营"),
        found_on=found_on,
        deadline=deadline,
        **kw,
    )


def to_handled(world, problem: Problem, *, fix: str = "已清理") -> Problem:
    p = world.people
    services.problem_accept(actor=p.east_office, problem=problem)
    services.problem_assign(actor=p.supervisor, problem=problem, responsible=p.filler)
    return services.problem_handle(actor=p.filler, problem=problem, fix=fix)


def to_closed(
    world, problem: Problem, clock: Clock | None = None, on: date | None = None
) -> Problem:
    p = world.people
    to_handled(world, problem)
    services.problem_verify(actor=p.east_office, problem=problem)
    if problem.source == ProblemSource.COMPLAINT:
        services.problem_call_back(
            actor=p.east_office, problem=problem, reached=True, satisfied=True
        )
    if clock is not None and on is not None:
        clock.set(on)
    return services.problem_close(actor=p.supervisor, problem=problem)
