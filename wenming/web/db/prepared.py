"""Queries that every page asks, written by the ORM once per process and then only run.

Building a query set and compiling it to SQL costs about 0.6 ms of CPU in Django, six times what
running a small indexed query on SQLite costs; a logged-in page asks the same few (the person,
their role grants, the unread notices) on every request. ``Prepared`` lets the ORM write such a
query once per process and database and afterwards only sends its SQL with new parameters, so
table and column names, quoting and the database's dialect stay the ORM's.

    UNREAD = Prepared(lambda who: Notice.objects.filter(recipient_id=who, read_at=None).count())
    UNREAD.value(user.pk)

``build`` runs the query once with stand-in values (negative numbers no row has, as text for a text column); the statement it
sends, and the places of the stand-ins among its parameters, are kept. ``rows`` gives plain
values (tuples as the driver gives them), ``sql()`` the statement for ``Model.objects.raw``.

``PreparedObjects`` does the same for a query set that returns model instances, related objects
(``select_related``) and deferred fields (``only``) included: its SQL and the compiler's column
plan are written once per process; each call runs the SQL with new parameters and Django's own
model iterable builds the instances, with the database's conversions.

    OPEN = PreparedObjects(lambda code: Version.objects.select_related("questionnaire")
                           .filter(questionnaire__code=str(code))[:1])
    OPEN.list(code)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
R = TypeVar("R")  # a row: a model instance, or a tuple of values_list
V = TypeVar("V")

# stand-ins for the parameters while the ORM writes the query: ids no row has, inside a 32-bit
# integer's range (Django answers a lookup outside its column's range, e.g. auth_user's id on
# PostgreSQL, with an empty result instead of SQL)
_STAND_INS = tuple(-1_873_100_001 - i for i in range(8))


def _places(sample: tuple[Any, ...], params: int) -> tuple[int, ...]:
    """Which stand-in each of the statement's parameters is (-1: a constant of the query)."""
    stand_ins = _STAND_INS[:params]
    # a text column gets the stand-in as text
    where = {v: i for i, s in enumerate(stand_ins) for v in (s, str(s))}
    places = tuple(where.get(value, -1) if isinstance(value, int | str) else -1 for value in sample)
    if sorted(set(places) - {-1}) != list(range(params)):
        raise RuntimeError("a parameter of the prepared query did not reach its SQL")
    return places


def _checked(params: int) -> int:
    if not 0 < params <= len(_STAND_INS):
        raise ValueError(f"params must be 1–{len(_STAND_INS)}")
    return params


class Prepared:
    """One query, written by ``build`` with stand-in parameters once per database."""

    def __init__(self, build: Callable[..., Any], *, params: int = 1) -> None:
        self._build = build
        self._params = _checked(params)
        self._written: dict[tuple[str, str], tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}

    def _statement(self, using: str) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
        connection = connections[using]
        key = (using, connection.vendor)
        written = self._written.get(key)
        if written is None:
            sent: list[tuple[str, tuple[Any, ...]]] = []

            def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                sent.append((sql, tuple(params or ())))
                return execute(sql, params, many, context)

            stand_ins = _STAND_INS[: self._params]
            with connection.execute_wrapper(capture):
                self._build(*stand_ins)
            if len(sent) != 1:
                raise RuntimeError(f"a prepared query sends one statement, not {len(sent)}")
            sql, sample = sent[0]
            places = _places(sample, self._params)
            self._written[key] = (sql, sample, places)
            return sql, sample, places
        return written

    def sql(self, *args: Any, using: str = "default") -> tuple[str, list[Any]]:
        """The statement and its parameters for ``args``."""
        if len(args) != self._params:
            raise TypeError(f"expected {self._params} parameters, got {len(args)}")
        sql, sample, places = self._statement(using)
        return sql, [sample[i] if p < 0 else args[p] for i, p in enumerate(places)]

    def rows(self, *args: Any, using: str = "default") -> list[tuple[Any, ...]]:
        sql, params = self.sql(*args, using=using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def value(self, *args: Any, using: str = "default") -> Any:
        """The first column of the first row (a count), or None."""
        found = self.rows(*args, using=using)
        return found[0][0] if found else None


class _Plan:
    """A query set written once: its SQL, the stand-ins' places and the compiler's column plan."""

    __slots__ = ("columns", "places", "queryset", "sample", "sql")

    def __eq__(self, other: object) -> bool:
        """The same statement (checking a key: ``WrittenPerKey``)."""
        if not isinstance(other, _Plan):
            return NotImplemented
        return (self.sql, self.sample) == (other.sql, other.sample)

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, queryset: QuerySet[Any], params: int, using: str) -> None:
        compiler = queryset.query.get_compiler(using=using)
        sql, sample = compiler.as_sql()
        self.queryset = queryset
        self.sql = sql
        self.sample = tuple(sample)
        self.places = _places(self.sample, params)
        # what the model iterable reads of the compiler once the SQL is written
        self.columns = {
            name: getattr(compiler, name)
            for name in ("select", "klass_info", "annotation_col_map", "col_count")
        }
        self.columns["has_extra_select"] = compiler.has_extra_select


def _run(plan: _Plan, params: list[Any]) -> list[Any]:
    """The plan's SQL with ``params``; Django's own iterable builds the instances."""
    queryset = plan.queryset.all()  # a copy with no rows read
    query = queryset.query
    make_compiler = query.get_compiler

    def written(using: str | None = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = make_compiler(using, connection, elide_empty)
        compiler.__dict__.update(plan.columns)
        compiler.as_sql = lambda *_, **__: (plan.sql, params)
        return compiler

    query.get_compiler = written  # type: ignore[method-assign]
    return list(queryset)


class PreparedObjects(Generic[M]):
    """A query set of model instances, written by ``build`` with stand-in parameters once per
    database; ``list(*args)`` runs it with ``args``. ``build`` returns the query set unevaluated
    (slice it for a first row); it may use ``select_related`` and ``only``, not
    ``prefetch_related`` (a second query)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, params: int = 1) -> None:
        self._build = build
        self._params = _checked(params)
        self._plans: dict[tuple[str, str], _Plan] = {}

    def _plan(self, using: str) -> _Plan:
        key = (using, connections[using].vendor)
        plan = self._plans.get(key)
        if plan is None:
            queryset = self._build(*_STAND_INS[: self._params])
            if getattr(queryset, "_prefetch_related_lookups", ()):
                raise ValueError("a prepared query set reads one statement: no prefetch_related")
            plan = self._plans[key] = _Plan(queryset.using(using), self._params, using)
        return plan

    def list(self, *args: Any, using: str = "default") -> list[M]:
        if len(args) != self._params:
            raise TypeError(f"expected {self._params} parameters, got {len(args)}")
        plan = self._plan(using)
        params = [plan.sample[i] if p < 0 else args[p] for i, p in enumerate(plan.places)]
        return _run(plan, params)

    def first(self, *args: Any, using: str = "default") -> M | None:
        found = self.list(*args, using=using)
        return found[0] if found else None


_MISSING: Any = object()


class WrittenPerKey(Generic[V]):
    """What was written once for a key (a query's SQL, its plan), kept per process: ``get(key,
    write)`` calls ``write()`` only for a key it does not hold; the least recently used keys
    beyond ``size`` are forgotten. Thread-safe.

    A key that misses something its value depends on answers with another person's query.
    With ``settings.PREPARED_CHECK`` (on in tests and development, off in production) every
    ``get`` writes the value again and refuses one that differs from the kept one."""

    def __init__(self, *, size: int = 512) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Hashable, write: Callable[[], V]) -> V:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                kept = self._kept[key]
                if not settings.PREPARED_CHECK:
                    return kept
            else:
                kept = _MISSING
        if kept is not _MISSING:  # checking (tests, development): the key must say it all
            if write() != kept:
                raise RuntimeError(
                    f"{key!r} names a value written before that is not what it writes now:"
                    " its key misses something the value depends on"
                )
            return kept
        value = write()  # outside the lock: two first asks may both write, one is kept
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value


class PreparedPerKey(Generic[R]):
    """Query sets of model instances that are a pure function of a key (a person's scope, with
    whatever else their SQL depends on): each key's SQL and column plan are written once per
    process and database; ``list(key, build)`` calls ``build()`` only for a key not yet written
    and runs the written SQL. The least recently used keys beyond ``size`` are forgotten.
    The key must hold everything the query depends on: a stale key is a wrong answer.

    Values that change from call to call without changing the SQL (a page's limit and offset)
    are ``args``: ``list(key, build, *args)`` calls ``build`` with stand-ins for them, as
    ``PreparedObjects`` does, and runs the written SQL with ``args``."""

    def __init__(self, *, size: int = 512) -> None:
        self._plans: WrittenPerKey[_Plan | None] = WrittenPerKey(size=size)

    def list(
        self,
        key: Hashable,
        build: Callable[..., QuerySet[Any, R]],
        *args: Any,
        using: str = "default",
    ) -> list[R]:
        count = len(args)
        if count > len(_STAND_INS):
            raise ValueError(f"at most {len(_STAND_INS)} parameters")

        def write() -> _Plan | None:
            queryset = build(*_STAND_INS[:count])
            if getattr(queryset, "_prefetch_related_lookups", ()):
                raise ValueError("a prepared query set reads one statement: no prefetch_related")
            try:
                return _Plan(queryset.using(using), count, using)
            except EmptyResultSet:  # a filter that matches nothing: no statement to send
                return None

        plan = self._plans.get((using, connections[using].vendor, count, key), write)
        if plan is None:
            return []
        return _run(plan, [plan.sample[i] if p < 0 else args[p] for i, p in enumerate(plan.places)])
