"""Who may do what with a problem; views and services reach problems through these helpers.

Two sides act on a problem: its *owners* (the responsible unit's head, administrator and
fillers) fix it; its *supervisors* (a system administrator, an office over the unit's region,
the reviewer of the unit's supervising body) accept, assign, verify, send back, call back,
close and chase it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from wenming.accounts.models import UNIT_ROLES, Role
from wenming.accounts.scope import NOTHING, path_prefix_q, scope_for
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem


def problems_q(user: User | AnonymousUser) -> Q:
    """The problems a person may see, from the problem's own columns (no join)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    q = NOTHING
    for path in scope.region_paths:
        q |= path_prefix_q("region_path", path)
    if scope.supervised_by:
        q |= Q(body_id__in=scope.supervised_by)
    if scope.own_units:
        q |= Q(unit_id__in=scope.own_units)
    return q


def problems_visible_to(user: User | AnonymousUser) -> QuerySet[Problem]:
    return Problem.objects.filter(problems_q(user))


def problem_get_for_user(user: User | AnonymousUser, pk: int) -> Problem:
    problem = (
        problems_visible_to(user)
        .select_related("unit", "unit__region", "body", "responsible", "plan", "edition")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404("问题不存在或无权查看")
    return problem


def can_supervise(user: User | AnonymousUser, unit: Unit) -> bool:
    """An administrator, an office over the unit's region, or its supervising body's reviewer."""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    if Role.SUPERVISOR in scope.roles and unit.supervisor_id in scope.supervised_by:
        return True
    return Role.OFFICE in scope.roles and any(
        unit.region_path.startswith(p) for p in scope.region_paths
    )


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
