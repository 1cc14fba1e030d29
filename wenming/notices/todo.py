"""To-do lists (待办): every step that waits on someone shows up here.

Each app registers a provider with :func:`todo_provider`; a provider answers, for one person and
one day, what that person has to do — with one or two LIMITed, indexed queries, because the
to-do list is computed on every visit to the home page. Nothing is stored: a to-do disappears
as soon as the thing it points at is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

PROVIDER_LIMIT = 200


@dataclass(frozen=True)
class Todo:
    kind: str
    title: str
    url: str
    due: date | None = None
    overdue: bool = False
    unit_name: str = ""


Provider = Callable[[User, date], Iterable[Todo]]
_PROVIDERS: list[Provider] = []


def todo_provider(func: Provider) -> Provider:
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def todos_for(user: User, *, today: date) -> list[Todo]:
    """Everything waiting on ``user``: overdue first, then by due date (undated last)."""
    found = [todo for provider in _PROVIDERS for todo in provider(user, today)]
    return sorted(found, key=lambda t: (not t.overdue, t.due is None, t.due or today, t.title))
