"""To-do providers (``wenming.notices.todo``) for problems and 督办 notices."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse

from wenming.accounts.scope import scope_for
from wenming.notices.todo import Todo, todo_provider
from wenming.rectification.models import ProblemState, SupervisionNotice
from wenming.rectification.selectors import chaser_todo, owner_todo


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
