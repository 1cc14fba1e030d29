"""整改统计: the overview of the tallies by region, supervising body and unit, and its export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from wenming.accounts.models import Role
from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.organizations.models import RegionLevel
from wenming.rectification.forms import OverviewParams
from wenming.rectification.selectors import (
    SORTS,
    Measures,
    Overview,
    Row,
    office_region,
    overview,
    repeat_overdue_units,
)
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import params


def _month(raw: str, default: date) -> date:
    """A month typed as 2026-03 (the form checked the shape; the calendar checks the rest)."""
    if not raw:
        return default
    year, month = raw.split("-")
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        raise BadRequest(f"月份“{raw}”不存在") from None


def _overview_for(request: HttpRequest) -> Overview:
    user = actor(request)
    scope = scope_for(user)
    if not scope.has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室可以查看整改统计")
    today = timezone.localdate()
    f = params(request.GET, OverviewParams)
    start = _month(f["start"], date(today.year, 1, 1))
    end = _month(f["end"], today.replace(day=1))
    region = office_region(user)
    if f["region"]:
        chosen = regions_visible_to(user).filter(pk=f["region"]).first()
        if chosen is None:
            raise Http404("地区不存在或无权查看")
        region = chosen
    level = f["level"] if f["level"] in RegionLevel.values else RegionLevel.TOWNSHIP
    if region is not None and level <= region.level:
        level = min(region.level + 1, RegionLevel.COMMUNITY)
    return overview(
        region=region,
        level=level,
        start=start,
        end=end,
        today=today,
        sort=f["sort"],
    )


CELLS = '<td class="num">{}</td>' * 8 + '<td class="num{}">{}</td><td class="num">{}</td>'


def _cells(m: Measures) -> SafeString:
    """One row's figures as table cells, formatted once here: the page lists hundreds of rows
    and a template lookup per figure would cost more than everything else on the page. Every
    value is a number (int or Decimal) or a fixed string, so nothing needs escaping."""

    def pct(v: Decimal | None) -> str:
        return "—" if v is None else f"{v}%"

    avg, p90 = m.avg_days, m.p90_days
    return mark_safe(
        CELLS.format(
            int(m.received),
            int(m.closed),
            pct(m.close_rate),
            pct(m.on_time_rate),
            pct(m.callback_rate),
            pct(m.satisfaction_rate),
            "—" if avg is None else avg,
            "—" if p90 is None else int(p90),
            " error" if m.overdue else "",
            int(m.overdue),
            int(m.returned),
        )
    )


def _table(rows: list[Row] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return [
        {
            "rank": r.rank if r.key else "",
            "label": r.label,
            "region": r.url_region,
            "cells": _cells(r.m),
        }
        for r in rows
    ]


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    data = _overview_for(request)
    # the bulletin reads the problems themselves (closed late ones too): on request, or for a
    # township or below, so that the city's overview stays on the tallies
    show = request.GET.get("bulletin") == "1" or (
        data.region is not None and data.region.level >= RegionLevel.TOWNSHIP
    )
    bulletin = (
        repeat_overdue_units(region=data.region, start=data.start, end=data.end, limit=50)
        if show
        else None
    )
    return render(
        request,
        "rectification/overview.html",
        {
            "o": data,
            "regions": _table(data.regions),
            "bodies": _table(data.bodies),
            "units": _table(data.units),
            "levels": [
                (v, label)
                for v, label in RegionLevel.choices
                if v > (data.region.level if data.region else 0)
            ],
            "sorts": [(k, v[0]) for k, v in SORTS.items()],
            "sort": request.GET.get("sort", "close_rate"),
            "query": request.GET.urlencode(),
            "bulletin": bulletin,
        },
    )


HEADERS = [
    "排名",
    "名称",
    "受理数",
    "办结数",
    "处结率%",
    "按期办结数",
    "按期办结率%",
    "回访率%",
    "满意率%",
    "平均办结天数",
    "90%办结天数",
    "逾期未办结",
    "退回次数",
]


def _line(rank: int | str, label: str, m: Measures) -> list[Any]:
    def num(v: Any) -> Any:
        return float(v) if v is not None else None

    return [
        rank,
        label,
        m.received,
        m.closed,
        num(m.close_rate),
        m.closed_on_time,
        num(m.on_time_rate),
        num(m.callback_rate),
        num(m.satisfaction_rate),
        num(m.avg_days),
        m.p90_days,
        m.overdue,
        m.returned,
    ]


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    data = _overview_for(request)
    wb = new_workbook(write_only=True)
    period = f"{data.start:%Y-%m}至{data.end:%Y-%m}"
    for title, rows in (
        ("地区", data.regions),
        ("主管部门", data.bodies),
        ("单位", data.units or []),
    ):
        sheet = wb.create_sheet(title)
        sheet.append([f"整改统计({title}) {data.region.name if data.region else '全部'} {period}"])
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(_line(row.rank, row.label, row.m))
        if title == "地区":
            sheet.append(_line("合计", data.region.name if data.region else "全部", data.total))
    return file_download(workbook_bytes(wb), "rectification-overview.xlsx", XLSX)
