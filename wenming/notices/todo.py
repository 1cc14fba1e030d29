"""To-do lists (待办): every step that waits on someone shows up here.

Each app registers a provider with :func:`todo_provider`; a provider answers, for one person and
one day, what that person has to do — with one or two LIMITed, indexed queries, because the
to-do list is computed on every visit to the home page. Nothing is stored: a to-do disappears
as soon as the thing it points at is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

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

    Kept for ``TODO_CACHE_SECONDS`` per person and day in the ``todo`` cache, together with
    the generation it was computed in; any audited change or notice that commits starts a new
    generation (:func:`todos_changed`), so a list is never older than the last commit that
    could have changed it (the generation is read before computing: a change committed while
    computing makes the stored list stale at once). One cache read per visit instead of every
    provider's queries."""
    seconds = settings.TODO_CACHE_SECONDS
    if not seconds:
        return _todos_compute(user, today)
    cache = caches["todo"]
    key = f"list:{user.pk}:{today.isoformat()}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return list(kept[1])
    todos = _todos_compute(user, today)
    cache.set(key, (generation, todos), seconds)
    return todos


def _todos_compute(user: User, today: date) -> list[Todo]:
    found = [todo for provider in _PROVIDERS for todo in provider(user, today)]
    return sorted(found, key=lambda t: (not t.overdue, t.due is None, t.due or today, t.title))


GENERATION_KEY = "generation"


def todos_changed(*args: Any, **kwargs: Any) -> None:
    """Every cached to-do list is out of date once the current transaction commits (a signal
    receiver: connected to audit events and notices being saved, see apps.py)."""
    if not settings.TODO_CACHE_SECONDS:
        return
    # once per transaction: a synced batch saves 30 audit events, one new generation is enough
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is _generation_new for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_generation_new, robust=True)


def _generation_new() -> None:
    caches["todo"].set(GENERATION_KEY, uuid.uuid4().hex, None)
