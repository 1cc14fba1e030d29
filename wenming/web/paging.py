"""A list's pages without counting what a short first page already shows."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


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
