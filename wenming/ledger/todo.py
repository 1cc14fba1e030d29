"""To-do providers (``wenming.notices.todo``) for the ledger's indicator tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.urls import reverse

from wenming.ledger.assignments import assignments_for_person, overdue_for_unit_admin
from wenming.notices.todo import PROVIDER_LIMIT, Todo, todo_provider

SOON = timedelta(days=7)


@todo_provider
def ledger_tasks(user: User, today: date) -> Iterator[Todo]:
    """My indicator tasks that are overdue or due within a week; my units' overdue tasks."""
    url = reverse("ledger:my_tasks")
    mine = (
        assignments_for_person(user)
        .filter(done_at__isnull=True, deadline__lte=today + SOON)
        .order_by("deadline")[:PROVIDER_LIMIT]
    )
    for a in mine:
        yield Todo(
            kind="task",
            title=f"完成指标任务 {a.edition.name} {a.code}",
            url=url,
            due=a.deadline,
            overdue=a.deadline is not None and a.deadline < today,
            unit_name=a.unit.name,
        )
    others = (
        overdue_for_unit_admin(user)
        .exclude(user=user)
        .select_related("unit")
        .order_by("deadline")[:PROVIDER_LIMIT]
    )
    for a in others:
        yield Todo(
            kind="task",
            title=f"督促 {a.person or '责任人'} 完成 {a.code}",
            url=url,
            due=a.deadline,
            overdue=True,
            unit_name=a.unit.name,
        )
