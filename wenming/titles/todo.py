"""What titles wait on: holders due for this year's 复查, for the offices that manage them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.auth.models import User
from django.urls import reverse

from wenming.accounts.scope import scope_for
from wenming.notices.todo import Todo, todo_provider
from wenming.titles.access import titles_visible_to
from wenming.titles.selectors import titles_due_for_recheck


@todo_provider
def rechecks_due(user: User, today: date) -> Iterator[Todo]:
    scope = scope_for(user)
    if not scope.region_paths and not scope.is_admin:
        return
    managed = scope.regions_q("naming_authority__path")  # titles the offices named
    n = titles_due_for_recheck(
        titles_visible_to(user).filter(managed), year=today.year, as_of=today
    ).count()
    if n:
        yield Todo(
            kind="title",
            title=f"{today.year}年度称号复查:{n}个称号待复查",
            url=reverse("titles:list") + "?show=due",
            due=date(today.year, 12, 31),
        )
