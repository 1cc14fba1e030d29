"""Reads of the audit trail, limited to what the person may see.

Which objects' events an office may browse is a rule of the app that owns the objects: each
registers it with :func:`audit_visibility_register` in its ``AppConfig.ready()`` (units by
organizations, self-assessments by assessments), so the audit imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar, cast

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from wenming.accounts.models import Role
from wenming.accounts.scope import NOTHING, scope_for, scope_key
from wenming.audit.models import AuditEvent
from wenming.web.db.prepared import PreparedPerKey, WrittenPerKey
from wenming.web.paging import counted

M = TypeVar("M", bound=Model)

_VISIBLE: dict[str, Callable[[User | AnonymousUser], QuerySet[Any]]] = {}


def audit_visibility_register(
    model: type[M], visible: Callable[[User | AnonymousUser], QuerySet[M]]
) -> None:
    """Offices browse the events of ``model``'s objects that ``visible(user)`` returns (the
    app's ``*_visible_to``). Registering a model again replaces its rule. ``visible`` must
    depend on the person's scope only (``scope_for``): the audit list keeps its SQL per scope."""
    _VISIBLE[model._meta.label_lower] = visible


def audit_visible_types() -> tuple[str, ...]:
    """The object types (``app.model``) whose events offices may browse."""
    return tuple(_VISIBLE)


def audit_events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Administrators see everything; offices see the trail of the registered objects they may
    see (units, self-assessments); nobody else browses the whole trail (each object page shows
    its own)."""
    scope = scope_for(user)
    events = AuditEvent.objects.select_related("actor")
    if scope.is_admin:
        return events
    if Role.OFFICE not in scope.roles:
        return events.none()
    q = NOTHING
    for object_type, visible in _VISIBLE.items():
        keys = visible(user).annotate(key=Cast("pk", CharField())).values("key")
        q |= Q(object_type=object_type, object_id__in=keys)
    return events.filter(q)


@dataclass(frozen=True)
class AuditFilter:
    """The audit list's filters, each already checked (an action or type the list offers, a
    login name, days)."""

    action: str = ""
    object_type: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def narrow(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.action:
            events = events.filter(action=self.action)
        if self.object_type:
            events = events.filter(object_type=self.object_type)
        if self.actor:
            events = events.filter(actor__username=self.actor)
        if self.date_from:
            events = events.filter(at__date__gte=self.date_from)
        if self.date_to:
            events = events.filter(at__date__lte=self.date_to)
        return events


# The SQL choosing the ids of a scope's events under a filter, written once per process for
# each (database, scope, filter): building the visibility union (a subquery per registered
# type) and compiling it was most of the audit page's time. A pure function of its key, since
# every registered rule depends on the scope alone.
_WRITTEN: WrittenPerKey[tuple[str, tuple[Any, ...]]] = WrittenPerKey(size=512)


def _key(user: User | AnonymousUser, filters: AuditFilter) -> Hashable:
    """What the audit list's SQL depends on: the database, the person's scope, the filter."""
    return (connections["default"].vendor, scope_key(scope_for(user)), filters)


def _ids_sql(user: User | AnonymousUser, filters: AuditFilter) -> tuple[str, tuple[Any, ...]]:
    """The ids query of ``user``'s events under ``filters`` ("" when nothing is visible)."""

    def write() -> tuple[str, tuple[Any, ...]]:
        events = filters.narrow(audit_events_visible_to(user))
        try:
            sql, params = events.order_by().values_list("id").query.sql_with_params()
        except EmptyResultSet:  # nothing is visible (no registered type): no query at all
            return "", ()
        return sql, tuple(params)

    return _WRITTEN.get(_key(user, filters), write)


class EventRow(NamedTuple):
    """An event as the audit list shows it (the actor's names are None for the system)."""

    at: datetime
    actor_first_name: str | None
    actor_last_name: str | None
    actor_username: str | None
    action: str
    object_label: str
    object_type: str
    field: str
    old: str
    new: str
    comment: str


# the page's rows: fetched by id from the ids query's slice, written once per (scope, filter)
_ROWS: PreparedPerKey[tuple[Any, ...]] = PreparedPerKey(size=512)


class _PageIds:
    """The chosen events, newest first, for a paginator: the count runs the ids query
    (``_ids_sql``), a slice fetches its rows by the ids of that query's slice."""

    def __init__(self, key: Hashable, sql: str, params: tuple[Any, ...], using: str) -> None:
        self.key, self.using = key, using
        connection = connections[self.using]
        table, quote = AuditEvent._meta.db_table, connection.ops.quote_name
        self.sql, self.params = sql, params
        self.newest_first = (
            f" ORDER BY {quote(table)}.{quote('at')} DESC, {quote(table)}.{quote('id')} DESC"
        )

    def count(self) -> int:
        return counted(self.sql, self.params, self.using) if self.sql else 0

    def __len__(self) -> int:
        return self.count()

    def _rows(self, limit: int, offset: int) -> QuerySet[AuditEvent, tuple[Any, ...]]:
        chosen = RawSQL(
            f"{self.sql}{self.newest_first} LIMIT %s OFFSET %s", (*self.params, limit, offset)
        )
        return (
            AuditEvent.objects.filter(id__in=chosen).order_by("-at", "-id").values_list(*_COLUMNS)
        )

    def __getitem__(self, part: slice) -> list[EventRow]:
        if not self.sql:
            return []
        start = part.start or 0
        stop = start if part.stop is None else max(part.stop, start)
        rows = _ROWS.list(self.key, self._rows, stop - start, start, using=self.using)
        return [EventRow._make(row) for row in rows]


_COLUMNS = (
    "at",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
    "action",
    "object_label",
    "object_type",
    "field",
    "old",
    "new",
    "comment",
)


def audit_events_page(
    user: User | AnonymousUser, filters: AuditFilter, number: str | None, per_page: int
) -> Page[EventRow]:
    """One page of the events ``user`` may see (``audit_events_visible_to``) under
    ``filters``, newest first, as plain rows. The page's ids are chosen over the (object type,
    object id, time) index alone and its rows fetched by id: sorting whole rows (their hashes,
    old and new values) of every visible event took most of the audit page's time. Both
    statements are written once per process for each scope and filter."""
    sql, params = _ids_sql(user, filters)
    events = _PageIds(_key(user, filters), sql, params, "default")  # count() and slices
    return Paginator(cast("list[EventRow]", events), per_page).get_page(number)
