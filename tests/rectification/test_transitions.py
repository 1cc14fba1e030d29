"""The problem lifecycle's table: every action's states, and the page's buttons drawn from it."""

from __future__ import annotations

import pytest

from tests.rectification.conftest import new_problem, to_handled
from wenming.rectification import services as svc
from wenming.rectification.models import ProblemSource
from wenming.rectification.models import ProblemState as S
from wenming.rectification.transitions import PROBLEM, problem_actions

EXPECTED = {
    "accept": ({S.FOUND}, {S.ACCEPTED}, {"supervisor"}),
    "assign": ({S.ACCEPTED}, {S.ASSIGNED}, {"supervisor", "unit_lead"}),
    "handle": ({S.ASSIGNED}, {S.HANDLED}, {"handler"}),
    "verify": ({S.HANDLED}, {S.VERIFIED}, {"supervisor"}),
    "return": ({S.HANDLED}, {S.ASSIGNED}, {"supervisor"}),
    "call_back": ({S.VERIFIED}, {S.CALLED_BACK}, {"supervisor"}),
    "close": ({S.VERIFIED, S.CALLED_BACK}, {S.CLOSED}, {"supervisor"}),
    # 合并办理: any open problem that repeats another (a duplicate citizen report); no button
    "merge": (
        {S.FOUND, S.ACCEPTED, S.ASSIGNED, S.HANDLED, S.VERIFIED, S.CALLED_BACK},
        {S.CLOSED},
        {"supervisor"},
    ),
}


def test_the_table_lists_every_action_with_its_states_and_roles():
    got = {a.name: (set(a.sources), set(a.targets), set(a.who)) for a in PROBLEM}
    assert got == EXPECTED
    # the audit and step names are the action names (problem.accept …)
    assert all(a.audit_name == a.name for a in PROBLEM)


def test_a_closed_problem_has_no_way_out():
    assert PROBLEM.allowed(S.CLOSED) == []


@pytest.mark.django_db
def test_wrong_state_refusals_are_chinese_and_name_the_state(world):
    problem = new_problem(world)
    with pytest.raises(svc.ProblemRefused, match="问题当前为“发现”,不能核查通过"):
        svc.problem_verify(actor=world.people.east_office, problem=problem)


@pytest.mark.django_db
def test_the_buttons_follow_the_table_and_the_problems_own_rules(world):
    office, filler = world.people.east_office, world.people.filler
    problem = new_problem(world)
    assert problem_actions(office, problem) == {"accept", "update", "notice", "attach"}
    problem = to_handled(world, problem)
    assert {"verify", "return"} <= problem_actions(office, problem)
    # the handler neither verifies nor returns: the table allows it, the rule bars it
    assert problem.handled_by_id == filler.pk
    assert problem_actions(filler, problem) == {"measures", "attach"}
    problem = svc.problem_verify(actor=office, problem=problem)
    assert "close" in problem_actions(office, problem)
    assert "call_back" not in problem_actions(office, problem)
    complaint = to_handled(world, new_problem(world, source=ProblemSource.COMPLAINT))
    complaint = svc.problem_verify(actor=office, problem=complaint)
    assert {"call_back"} <= problem_actions(office, complaint)
    assert "close" not in problem_actions(office, complaint)
    closed = svc.problem_close(actor=office, problem=problem)
    assert problem_actions(office, closed) == set()
