"""A problem's lifecycle as data: 受理 → 分派 → 处理 → 核查 → (回访) → 结案, and 退回.

``PROBLEM`` is the transition table (see ``wenming.core.transitions``): the services in
``services/lifecycle.py`` guard with it (``PROBLEM.check``) and move with a compare-and-set on
the state they read; the detail page lists its buttons with ``problem_actions``, which asks the
same table. Who may act is named by role keys that ``problem_roles`` answers for one person and
one problem through ``rectification.access``.

Two rules depend on the problem rather than its state and are written once here (the services
refuse with their own messages): only a complaint is called back (回访), and then closed only
after it; the person who handled a problem neither verifies nor returns it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from wenming.core.hooks import Hook
from wenming.core.transitions import StateTable, action
from wenming.rectification.access import can_handle, can_supervise, is_unit_lead
from wenming.rectification.models import CALLED_BACK, Problem, StepAction
from wenming.rectification.models import ProblemState as S

WRONG_STATE = "问题当前为“{state}”,不能{action}"

# who: "supervisor" (an office over the unit, its supervising body, an administrator:
# access.can_supervise), "unit_lead" (the unit's head or administrator), "handler" (the
# responsible person or, with nobody named, the unit's members: access.can_handle)
PROBLEM = StateTable(
    "problem",
    [
        action(
            StepAction.ACCEPT.value,
            StepAction.ACCEPT.label,
            sources=[S.FOUND],
            targets=[S.ACCEPTED],
            who=["supervisor"],
        ),
        action(
            StepAction.ASSIGN.value,
            StepAction.ASSIGN.label,
            sources=[S.ACCEPTED],
            targets=[S.ASSIGNED],
            who=["supervisor", "unit_lead"],
        ),
        action(
            StepAction.HANDLE.value,
            StepAction.HANDLE.label,
            sources=[S.ASSIGNED],
            targets=[S.HANDLED],
            who=["handler"],
        ),
        action(
            StepAction.VERIFY.value,
            StepAction.VERIFY.label,
            sources=[S.HANDLED],
            targets=[S.VERIFIED],
            who=["supervisor"],
        ),
        action(
            StepAction.RETURN.value,
            StepAction.RETURN.label,
            sources=[S.HANDLED],
            targets=[S.ASSIGNED],
            who=["supervisor"],
        ),
        action(
            StepAction.CALL_BACK.value,
            StepAction.CALL_BACK.label,
            sources=[S.VERIFIED],
            targets=[S.CALLED_BACK],
            who=["supervisor"],
        ),
        action(
            StepAction.CLOSE.value,
            StepAction.CLOSE.label,
            sources=[S.VERIFIED, S.CALLED_BACK],
            targets=[S.CLOSED],
            who=["supervisor"],
        ),
        action(
            StepAction.MERGE.value,
            StepAction.MERGE.label,
            sources=[S.FOUND, S.ACCEPTED, S.ASSIGNED, S.HANDLED, S.VERIFIED, S.CALLED_BACK],
            targets=[S.CLOSED],
            who=["supervisor"],
        ),
    ],
    state_labels={s.value: s.label for s in S},
    wrong_state=WRONG_STATE,
)

# actions that do not move the state, open to these roles until the problem is closed
EDITS = {
    "update": frozenset({"supervisor"}),
    "notice": frozenset({"supervisor"}),
    "measures": frozenset({"handler"}),
    "attach": frozenset({"supervisor", "handler"}),
}


def problem_roles(user: User, problem: Problem) -> set[str]:
    """The role keys ``user`` holds for ``problem`` (the table's ``who``)."""
    roles = set()
    if can_supervise(user, problem.unit):
        roles.add("supervisor")
    if is_unit_lead(user, problem.unit_id):
        roles.add("unit_lead")
    if can_handle(user, problem):
        roles.add("handler")
    return roles


def not_for(problem: Problem, user_id: int | None) -> set[str]:
    """The transitions the state allows but this problem's facts do not."""
    barred: set[str] = set()
    if problem.source in CALLED_BACK:
        if problem.state == S.VERIFIED:
            barred.add(StepAction.CLOSE.value)  # a complaint is called back first
    else:
        barred.add(StepAction.CALL_BACK.value)
    if problem.handled_by_id is not None and problem.handled_by_id == user_id:
        barred |= {
            StepAction.VERIFY.value,
            StepAction.RETURN.value,
        }  # not by the one who handled it
    return barred


def problem_actions(user: User, problem: Problem) -> set[str]:
    """What ``user`` may do to ``problem`` now: the transitions of ``PROBLEM`` and the edits."""
    roles = problem_roles(user, problem)
    allowed = set(PROBLEM.allowed(problem.state, roles=roles)) - not_for(problem, user.pk)
    allowed.discard(StepAction.MERGE.value)  # done by marking its origin a duplicate, not here
    if problem.state != S.CLOSED:
        allowed |= {name for name, who in EDITS.items() if not who.isdisjoint(roles)}
    return allowed


@dataclass(frozen=True)
class ProblemOverdue:
    """What ``problem_overdue`` receivers get: a problem past its deadline, just escalated one
    level up its supervising chain (``level``)."""

    problem_id: int
    level: int
    overdue_days: int


problem_overdue: Hook[ProblemOverdue] = Hook("rectification.problem_overdue")


def problem_overdue_fire(problem_id: int, level: int, overdue_days: int) -> None:
    problem_overdue.fire(
        ProblemOverdue(problem_id, level, overdue_days), on_commit=transaction.on_commit
    )
