"""Who may do what with a problem; views and services reach problems through these helpers.

Two sides act on a problem: its *owners* (the responsible unit's head, administrator and
fillers) fix it; its *supervisors* (a system administrator, an office over the unit's region,
the reviewer of the unit's supervising body) accept, assign, verify, send back, call back,
close and chase it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.models import UNIT_ROLES, Role
from wenming.accounts.scope import scope_for, scoped_get
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem, RectificationPlan, SupervisionNotice


def problems_q(user: User | AnonymousUser) -> Q:
    """The problems a person may see, from the problem's own columns (no join)."""
    return scope_for(user).q(path="region_path", unit="unit_id", body="body_id")


def problems_visible_to(user: User | AnonymousUser) -> QuerySet[Problem]:
    return Problem.objects.filter(problems_q(user))


def problem_get_for_user(user: User | AnonymousUser, pk: int) -> Problem:
    return scoped_get(
        problems_visible_to(user).select_related(
            "unit", "unit__region", "body", "responsible", "plan", "edition"
        ),
        pk,
        missing="问题不存在或无权查看",
    )


def plans_visible_to(user: User | AnonymousUser) -> QuerySet[RectificationPlan]:
    """Rectification plans of the units the person may see."""
    return RectificationPlan.objects.filter(scope_for(user).via_unit_q())


def supervision_notices_visible_to(user: User | AnonymousUser) -> QuerySet[SupervisionNotice]:
    """Supervision notices (督办单) sent to the units the person may see."""
    return SupervisionNotice.objects.filter(scope_for(user).via_unit_q())


def can_supervise(user: User | AnonymousUser, unit: Unit) -> bool:
    """An administrator, an office over the unit's region, or its supervising body's reviewer."""
    return scope_for(user).supervises(unit)


def is_member(user: User | AnonymousUser, unit_id: int) -> bool:
    """Unit head, administrator or filler of this very unit."""
    scope = scope_for(user)
    return any(scope.holds(role, unit_id) for role in UNIT_ROLES)


def is_unit_lead(user: User | AnonymousUser, unit_id: int) -> bool:
    scope = scope_for(user)
    return scope.holds(Role.UNIT_HEAD, unit_id) or scope.holds(Role.UNIT_ADMIN, unit_id)


def can_handle(user: User | AnonymousUser, problem: Problem) -> bool:
    """The responsible person, or (with nobody named) any member; the unit's leads always."""
    if not isinstance(user, User):
        return False
    if is_unit_lead(user, problem.unit_id):
        return True
    if problem.responsible_id is not None:
        return problem.responsible_id == user.pk and is_member(user, problem.unit_id)
    return is_member(user, problem.unit_id)
