"""Titles (文明称号): read, scoped like the titles pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wenming.api.core import ERRORS, PageQuery, TokenAuth, page
from wenming.titles.access import titles_visible_to
from wenming.titles.models import Title
from wenming.web.actor import actor

router = Router(tags=["称号"], auth=TokenAuth("titles"))


class TitleOut(Schema):
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


class TitlePage(Schema):
    items: list[TitleOut]
    next: str | None


class TitleFilter(PageQuery):
    unit: int | None = Field(default=None, description="只列该单位的称号")
    year: int | None = Field(default=None, ge=1900, le=2200, description="只列该年度授予的称号")


def title_out(t: Title) -> dict[str, Any]:
    return {
        "id": t.pk,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "name": t.name,
        "kind": t.kind,
        "level": t.level,
        "year": t.year,
        "valid_until": t.valid_until.isoformat(),
        "status": t.status,
        "status_label": t.get_status_display(),
    }


@router.get("/titles", response={200: TitlePage, **ERRORS}, summary="称号列表")
def title_list(request: HttpRequest, q: Query[TitleFilter]) -> dict[str, Any]:
    rows = titles_visible_to(actor(request)).select_related("unit")
    if q.unit is not None:
        rows = rows.filter(unit_id=q.unit)
    if q.year is not None:
        rows = rows.filter(year=q.year)
    return page(rows, cursor=q.cursor, limit=q.limit, out=lambda f: [title_out(t) for t in f])
