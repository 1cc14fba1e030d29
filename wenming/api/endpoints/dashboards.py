"""The dashboards' figures (for a big screen): the same filter and tables as the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wenming.api.core import ERRORS, ApiProblem, TokenAuth
from wenming.dashboards.scope import filter_form
from wenming.dashboards.selectors import dashboard_tables
from wenming.web.actor import actor

router = Router(tags=["统计看板"], auth=TokenAuth("dashboards"))


class TableOut(Schema):
    key: str
    title: str
    headers: list[str]
    rows: list[list[str | int | float | None]]
    note: str


class FiguresOut(Schema):
    campaign_id: int
    campaign_name: str
    label: str
    tables: list[TableOut]


class FiguresQuery(Schema):
    campaign: int | None = Field(default=None, description="活动;缺省为最近的活动")
    region: int | None = Field(default=None, description="地区(含下级);缺省为本辖区全部")
    unit_type: int | None = Field(default=None, description="单位类型")


def _cell(value: object) -> str | int | float | None:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


@router.get("/dashboards/figures", response={200: FiguresOut, **ERRORS}, summary="统计看板数据")
def figures(request: HttpRequest, q: Query[FiguresQuery]) -> dict[str, Any]:
    data = {k: str(v) for k, v in q.model_dump().items() if v is not None}
    focus = filter_form(actor(request), data).focus()
    if focus is None:
        raise ApiProblem(404, "not_found", "没有可查看的创建活动")
    return {
        "campaign_id": focus.campaign.pk,
        "campaign_name": focus.campaign.name,
        "label": focus.label,
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "headers": t.headers,
                "rows": [[_cell(c) for c in row] for row in t.rows],
                "note": t.note,
            }
            for t in dashboard_tables(focus)
        ],
    }
