"""Titles (文明称号): read, scoped like the titles pages."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router

from wenming.api.core import ERRORS, Light, PageQuery, TokenAuth, page
from wenming.titles.access import titles_visible_to
from wenming.titles.models import Title, TitleStatus
from wenming.web.actor import actor

router = Router(tags=["称号"], auth=TokenAuth("titles"))


class TitleOut(Light):
    id: int
    unit_id: int
    unit_name: str
    name: str
    kind: str
    level: str
    year: int
    valid_until: str
    status: str
    status_label: str


class TitlePage(Light):
    items: list[TitleOut]
    next: str | None


class TitleFilter(PageQuery):
    unit: int | None = Field(default=None, description="只列该单位的称号")
    year: int | None = Field(default=None, ge=1900, le=2200, description="只列该年度授予的称号")


STATUS_LABELS = dict(TitleStatus.choices)


def title_rows(rows: QuerySet[Title]) -> QuerySet[Title, Any]:
    """The columns a title is answered with, joined in the one query."""
    return rows.values(
        "id",
        "unit_id",
        "region_path",
        "name",
        "kind",
        "level",
        "year",
        "valid_until",
        "status",
        unit_name=F("unit__name"),
    )


def title_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "name": row["name"],
        "kind": row["kind"],
        "level": row["level"],
        "year": row["year"],
        "valid_until": row["valid_until"].isoformat(),
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
    }


@router.get("/titles", response={200: TitlePage, **ERRORS}, summary="称号列表")
def title_list(request: HttpRequest, q: Query[TitleFilter]) -> dict[str, Any]:
    rows = titles_visible_to(actor(request))
    if q.unit is not None:
        rows = rows.filter(unit_id=q.unit)
    if q.year is not None:
        rows = rows.filter(year=q.year)
    return page(
        title_rows(rows),
        cursor=q.cursor,
        limit=q.limit,
        out=lambda f: [title_out(t) for t in f],
        keys=("region_path",),  # with id: the (region path, id) index serves scope and order
    )
