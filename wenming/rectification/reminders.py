"""Deadline reminders (``wenming.notices.reminders``) of rectification: a problem's deadline to
the person responsible (or the unit's head and administrators before it is assigned), and a 督办
notice's reply deadline to the unit's administrators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.selectors import people_by_unit
from wenming.notices.reminders import Deadline, deadline_source, due_text
from wenming.rectification.models import Problem, ProblemState, SupervisionNotice

TO_FIX = (ProblemState.FOUND, ProblemState.ACCEPTED, ProblemState.ASSIGNED)


@deadline_source
def problem_deadlines(first: date, last: date) -> Iterator[Deadline]:
    problems = list(
        Problem.objects.filter(state__in=TO_FIX, deadline__range=(first, last))
        .select_related("unit", "responsible")
        .order_by("deadline", "id")
    )
    leads = people_by_unit(
        {p.unit_id for p in problems if p.responsible is None}, Role.UNIT_HEAD, Role.UNIT_ADMIN
    )
    for p in problems:
        who = [p.responsible] if p.responsible is not None else leads.get(p.unit_id, [])
        yield Deadline(
            key=f"problem:{p.pk}:{p.responsible_id or 'unit'}",
            due=p.deadline,
            recipients=who,
            title=f"整改即将到期:{p.title}",
            body=f"{p.unit.name}的整改问题“{p.title}”整改期限为{due_text(p.deadline, first)},"
            "请按期完成整改并填写整改情况。",
            url=reverse("rectification:detail", args=[p.pk]),
            obj=p,
        )


@deadline_source
def supervision_deadlines(first: date, last: date) -> Iterator[Deadline]:
    notices = list(
        SupervisionNotice.objects.filter(replied_at__isnull=True, reply_due__range=(first, last))
        .select_related("unit")
        .order_by("reply_due", "id")
    )
    admins = people_by_unit({n.unit_id for n in notices}, Role.UNIT_ADMIN)
    for n in notices:
        yield Deadline(
            key=f"supervision:{n.pk}",
            due=n.reply_due,
            recipients=admins.get(n.unit_id, []),
            title=f"督办回复即将到期:{n.title}",
            body=f"{n.unit.name}收到的督办事项“{n.title}”须在{due_text(n.reply_due, first)}前回复。",
            url=reverse("rectification:notice", args=[n.pk]),
            obj=n,
        )
