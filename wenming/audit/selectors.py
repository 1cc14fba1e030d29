"""Reads of the audit trail, limited to what the person may see.

Which objects' events an office may browse is a rule of the app that owns the objects: each
registers it with :func:`audit_visibility_register` in its ``AppConfig.ready()`` (units by
organizations, self-assessments by assessments), so the audit imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

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
from wenming.web.db.prepared import WrittenPerKey

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


def _ids_sql(user: User | AnonymousUser, filters: AuditFilter) -> tuple[str, tuple[Any, ...]]:
    """The ids query of ``user``'s events under ``filters`` ("" when nothing is visible)."""

    def write() -> tuple[str, tuple[Any, ...]]:
        events = filters.narrow(audit_events_visible_to(user))
        try:
            sql, params = events.order_by().values_list("id").query.sql_with_params()
        except EmptyResultSet:  # nothing is visible (no registered type): no query at all
            return "", ()
        return sql, tuple(params)

    key = (connections["default"].vendor, scope_key(scope_for(user)), filters)
    return _WRITTEN.get(key, write)


class _PageIds:
    """The ids of the chosen events, newest first, for a paginator: the count and the page's
    slice both run the one ids query (``_ids_sql``)."""

    def __init__(self, sql: str, params: tuple[Any, ...], using: str) -> None:
        self.using = using
        connection = connections[self.using]
        table, quote = AuditEvent._meta.db_table, connection.ops.quote_name
        self.sql, self.params = sql, list(params)
        self.newest_first = (
            f" ORDER BY {quote(table)}.{quote('at')} DESC, {quote(table)}.{quote('id')} DESC"
        )

    def _run(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def count(self) -> int:
        if not self.sql:
            return 0
        return int(self._run(f"SELECT COUNT(*) FROM ({self.sql}) chosen", self.params)[0][0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> RawSQL | list[int]:
        """The slice's ids as a subquery (the rows are then fetched in one query by id)."""
        if not self.sql:
            return []
        start = part.start or 0
        stop = start if part.stop is None else max(part.stop, start)
        sql = f"{self.sql}{self.newest_first} LIMIT %s OFFSET %s"
        return RawSQL(sql, (*self.params, stop - start, start))


def audit_events_page(
    user: User | AnonymousUser, filters: AuditFilter, number: str | None, per_page: int
) -> Page[AuditEvent]:
    """One page of the events ``user`` may see (``audit_events_visible_to``) under
    ``filters``, newest first. The page's ids are chosen over the (object type, object id,
    time) index alone and its rows are fetched by id: sorting whole rows (their hashes, old and
    new values) of every visible event took most of the audit page's time."""
    sql, params = _ids_sql(user, filters)
    ids = cast("list[int]", _PageIds(sql, params, "default"))  # count() and slices
    chosen: Page[int] = Paginator(ids, per_page).get_page(number)
    rows = list(
        AuditEvent.objects.select_related("actor")
        .filter(id__in=chosen.object_list)  # the page's slice, as a subquery
        .order_by("-at", "-id")
    )
    return Page(rows, chosen.number, cast("Paginator[AuditEvent]", chosen.paginator))
