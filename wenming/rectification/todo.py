"""To-do providers (``wenming.notices.todo``) for problems and 督办 notices."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.notices.todo import Todo, todo_provider
from wenming.organizations.models import Region
from wenming.rectification.models import Problem, ProblemState, SupervisionNotice

# -- the queries -------------------------------------------------------------------------

NEAR_DAYS = 3


def owner_todo(user: User, today: date, limit: int = 50) -> QuerySet[Problem]:
    """Problems the person's unit must fix, due within NEAR_DAYS or overdue: the named
    responsible person's, or every open one for the unit's head and administrator."""
    scope = scope_for(user)
    leads = [u for u, role in scope.unit_roles if role in (Role.UNIT_HEAD, Role.UNIT_ADMIN)]
    q = Q(responsible=user) | Q(unit_id__in=leads)
    return (
        Problem.objects.filter(q)
        .filter(state__in=[ProblemState.ACCEPTED, ProblemState.ASSIGNED])
        .filter(deadline__lte=today + timedelta(days=NEAR_DAYS))
        .select_related("unit")
        .order_by("deadline", "id")[:limit]
    )


def chaser_todo(user: User, today: date, limit: int = 50) -> QuerySet[Problem]:
    """Open problems this person chases now (their body or office region is the current level
    of the supervising chain), due within NEAR_DAYS or overdue; escalated ones included."""
    scope = scope_for(user)
    offices = list(Region.objects.filter(path__in=scope.region_paths).values_list("id", flat=True))
    q = Q(chaser_body_id__in=scope.supervised_by) | Q(chaser_region_id__in=offices)
    if not (scope.supervised_by or offices):
        return Problem.objects.none()
    return (
        Problem.objects.filter(q)
        .exclude(state=ProblemState.CLOSED)
        .filter(deadline__lte=today + timedelta(days=NEAR_DAYS))
        .select_related("unit")
        .order_by("deadline", "id")[:limit]
    )


# -- the providers -----------------------------------------------------------------------


@todo_provider
def problem_todos(user: User, today: date) -> list[Todo]:
    """Nearly-due and overdue problems: the owner's (to fix) and the chaser's (to chase)."""
    out: dict[int, Todo] = {}
    for p in owner_todo(user, today):
        what = "待整改" if p.state == ProblemState.ASSIGNED else "待分派"
        out[p.pk] = Todo(
            kind="problem",
            title=f"整改问题“{p.title}”{what}",
            url=reverse("rectification:detail", args=[p.pk]),
            due=p.deadline,
            overdue=p.deadline < today,
            unit_name=p.unit.name,
        )
    for p in chaser_todo(user, today):
        if p.pk in out:
            continue
        level = f"(逾期升级第{p.escalation_level}级)" if p.escalation_level else ""
        out[p.pk] = Todo(
            kind="problem",
            title=f"督办问题“{p.title}”{level}",
            url=reverse("rectification:detail", args=[p.pk]),
            due=p.deadline,
            overdue=p.deadline < today,
            unit_name=p.unit.name,
        )
    return list(out.values())


@todo_provider
def notice_todos(user: User, today: date) -> list[Todo]:
    """督办 notices the person's unit must answer; for the sender, answers that are late."""
    scope = scope_for(user)
    q = Q(unit_id__in=scope.own_units) | Q(sent_by=user, reply_due__lt=today)
    notices = (
        SupervisionNotice.objects.filter(q, replied_at__isnull=True)
        .select_related("unit")
        .order_by("reply_due")[:50]
    )
    out = []
    for n in notices:
        mine = n.unit_id in scope.own_units
        out.append(
            Todo(
                kind="supervision",
                title=f"督办通知“{n.title}”待回复" if mine else f"督办通知“{n.title}”逾期未回复",
                url=reverse("rectification:notice", args=[n.pk]),
                due=n.reply_due,
                overdue=n.reply_due < today,
                unit_name=n.unit.name,
            )
        )
    return out
