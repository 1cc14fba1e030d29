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
from typing import Any

from django.contrib.auth.models import User
from django.utils.safestring import SafeString, mark_safe

from wenming.web.cache import kept_until_changed, kept_values_changed
from wenming.web.rows import esc, ymd

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


def todo_table_rows(todos: Iterable[Todo]) -> SafeString:
    """The rows of ``notices/todo_table.html`` (wenming.web.rows: the template loop was half of
    the to-do page's time); the template keeps the row shown when there is nothing to do."""
    out = []
    for t in todos:
        late = ' class="late"' if t.overdue else ""
        state = '<span class="ev incomplete">已逾期</span>' if t.overdue else "待办"
        out.append(
            f'\n    <tr{late}><td><a href="{esc(t.url)}">{esc(t.title)}</a></td>'
            f"<td>{esc(t.unit_name)}</td>\n      <td>{ymd(t.due)}</td>\n      <td>{state}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc


def todos_for(user: User, *, today: date) -> list[Todo]:
    """Everything waiting on ``user``: overdue first, then by due date (undated last).

    Kept for ``TODO_CACHE_SECONDS`` per person and day (:func:`kept_until_changed`): one cache
    read per visit instead of every provider's queries."""
    return kept_until_changed(
        f"list:{user.pk}:{today.isoformat()}", lambda: _todos_compute(user, today)
    )


def _todos_compute(user: User, today: date) -> list[Todo]:
    found = [todo for provider in _PROVIDERS for todo in provider(user, today)]
    return sorted(found, key=lambda t: (not t.overdue, t.due is None, t.due or today, t.title))


def todos_changed(*args: Any, **kwargs: Any) -> None:
    """A signal receiver (connected to audit events, notices and role grants being saved, see
    apps.py): every kept to-do list, and every other value kept until a change, is out of date
    once the current transaction commits."""
    kept_values_changed()
