"""A list's pages without counting what a short first page already shows."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet

from wenming.web.db.prepared import PreparedPerKey, WrittenPerKey

R = TypeVar("R")


class ListPaginator(Paginator):  # type: ignore[type-arg]
    """Django's paginator, except that the first page is fetched before anything is counted:
    when it holds fewer rows than a page, that is the count and no ``COUNT(*)`` is sent (most
    lists a person sees fit on one page). A full first page, and every other page, count as
    Django does. Use it like ``Paginator`` (no orphans)."""

    def validate_number(self, number: Any) -> int:
        if number in (1, "1") and "count" not in self.__dict__:
            return 1  # the first page always exists (allow_empty_first_page)
        return super().validate_number(number)

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        number = self.validate_number(number)
        if (
            number != 1
            or "count" in self.__dict__
            or self.orphans
            or not self.allow_empty_first_page
        ):
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached property
        return Page(rows, 1, self)


def counted(sql: str, params: tuple[Any, ...] | list[Any], using: str = "default") -> int:
    """How many rows a kept SELECT returns (its SQL and parameters as written once)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", list(params))
        return int(cursor.fetchone()[0])


class _KeptRows:
    """A list's rows for a paginator, each slice and the count run as SQL written once per key
    (``PreparedLists``)."""

    def __init__(
        self,
        lists: PreparedLists,
        key: Hashable,
        build: Callable[[], QuerySet[Any, Any]],
        per_page: int,
    ) -> None:
        self.lists, self.key, self.build, self.per_page = lists, key, build, per_page

    def count(self) -> int:
        def write() -> tuple[str, tuple[Any, ...]] | None:
            rows = self.build().order_by()
            if not rows.query.distinct:  # count ids, not the shown columns' joins
                rows = rows.values("pk")
            try:
                sql, params = rows.query.sql_with_params()
            except EmptyResultSet:  # nothing can match: nothing to count
                return None
            return sql, tuple(params)

        written = self.lists.counts.get((connections["default"].vendor, self.key), write)
        return 0 if written is None else counted(*written)

    def __getitem__(self, part: slice) -> list[Any]:
        # a page's slice, whatever the count (the paginator ends the last page at the count:
        # the same rows, and one key a page however the list grows)
        start = part.start or 0
        stop = start + self.per_page
        return self.lists.rows.list((self.key, start, stop), lambda: self.build()[start:stop])


class PreparedLists:
    """A list page's rows and count, their SQL written once per key: building a list's query
    set and compiling it cost more than running it. ``page(key, build, number, per_page)``
    pages as ``ListPaginator`` does; ``build()`` returns the list's query set (plain rows:
    ``values_list``), and is called only for a key, page or count not yet written. The key
    must hold everything its SQL depends on — the person's ``scope_key`` and every filter — or
    another person's rows are shown; ``settings.PREPARED_CHECK`` (tests, development) refuses
    a key that does not."""

    def __init__(self, *, size: int = 512) -> None:
        self.rows: PreparedPerKey[Any] = PreparedPerKey(size=size)
        self.counts: WrittenPerKey[tuple[str, tuple[Any, ...]] | None] = WrittenPerKey(size=size)

    def page(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any, R]],
        number: Any,
        per_page: int,
    ) -> Page[R]:
        rows = cast("list[R]", _KeptRows(self, key, build, per_page))
        return cast("Page[R]", ListPaginator(rows, per_page).get_page(number))
