from __future__ import annotations

import hashlib
import html

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.dashboards.charts import figure
from wenming.dashboards.scope import Focus, filter_form
from wenming.dashboards.selectors import Table, dashboard_table, dashboard_tables
from wenming.web.actor import actor
from wenming.web.cache import kept_until_changed
from wenming.web.downloads import XLSX, file_download

WIDE = {"ranking", "weakest"}  # long charts: the whole width
TALL = {"ranking", "weakest", "targets"}  # long tables scroll inside their card


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = filter_form(actor(request), request.GET.dict())
    focus = form.focus()
    charts = (
        kept_until_changed(_charts_key(focus), lambda: _charts(focus)) if focus is not None else []
    )
    query = request.GET.urlencode()
    return render(
        request,
        "dashboards/index.html",
        {"form": form, "focus": focus, "charts": charts, "query": query},
    )


def _charts(focus: Focus) -> list[dict[str, object]]:
    """Each chart's table, its data for the chart script and its table rows. Read only from
    the tallies, which change with audited changes only: kept until the next such change
    (``kept_until_changed``; the same figures for everyone whose focus this is)."""
    charts: list[dict[str, object]] = []
    for table in dashboard_tables(focus):
        spec_id = f"chart-{table.key}-spec"
        charts.append(
            {
                "table": table,
                "spec_script": json_script(figure(table), spec_id),
                "id": f"chart-{table.key}",
                "body": _rows_html(table),
                "wide": table.key in WIDE,
                "tall": table.key in TALL,
            }
        )
    return charts


def _charts_key(focus: Focus) -> str:
    subject = repr((focus.kind, focus.keys, focus.unit_type_id, focus.region_paths))
    digest = hashlib.blake2b(subject.encode(), digest_size=12).hexdigest()
    return f"dashboard:{focus.campaign.pk}:{digest}"


@login_required
def export(request: HttpRequest, key: str) -> HttpResponse:
    form = filter_form(actor(request), request.GET.dict())
    focus = form.focus()
    table = dashboard_table(focus, key) if focus is not None else None
    if table is None or focus is None:
        raise Http404("没有可导出的统计")
    type_name = form.type_names.get(focus.unit_type_id or 0, "")
    heading = f"{focus.campaign.name} · {focus.label}{(' · ' + type_name) if type_name else ''}"
    name = f"{focus.campaign.name}{table.title}.xlsx".replace("/", "-")
    return file_download(_workbook(table, heading), name, XLSX)


def _workbook(table: Table, heading: str) -> bytes:
    wb = new_workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append([f"{table.title}({heading})"])
    sheet.append(table.headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if (
                isinstance(cell.value, float)
                and cell.column
                and table.headers[cell.column - 1].endswith(("率", "占比", "占已测评"))
            ):
                cell.number_format = "0.0%"
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    for index, header in enumerate(table.headers):
        letter = get_column_letter(index + 1)
        widest = max([len(str(header))] + [len(str(r[index])) for r in table.rows[:500]])
        sheet.column_dimensions[letter].width = min(60, max(8, widest * 2 + 2))
    return workbook_bytes(wb)


def _rows_html(table: Table) -> SafeString:
    """The table's rows as HTML, every value escaped (a few hundred rows: much faster than the
    template language cell by cell; ``html.escape`` as Django's ``escape`` does, without its
    lazy-string wrapper around each of the page's ~700 cells)."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">暂无数据</td></tr>', len(table.headers)
        )
    rows = (
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(str(v))}</td>'
            if _numeric(v)
            else f"<td>{html.escape(str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in table.rows
    )
    return mark_safe("".join(rows))  # every value escaped above


def _cell(value: object) -> object:
    """Percentages go to Excel as numbers (shown as 12.5%), so they sort and sum."""
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1]) / 100
        except ValueError:
            return value
    return value


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) or (isinstance(value, str) and value.endswith("%"))
