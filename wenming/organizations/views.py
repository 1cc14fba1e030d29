from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.organizations.models import Unit
from wenming.organizations.selectors import (
    UnitFilters,
    region_depth_label,
    unit_filter_choices,
    unit_list,
)
from wenming.web.paging import ListPaginator
from wenming.web.params import MAX_ID, IdField, params
from wenming.web.rows import esc, id_url

PAGE_SIZE = 50


class UnitListParams(forms.Form):
    q = forms.CharField(label="名称或代码", required=False, max_length=200)
    region = IdField(label="区域")
    type = IdField(label="单位类型")
    supervisor = IdField(label="主管部门")
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


def _rows(page: Page[Unit]) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time)."""
    out = []
    for u in page:
        stage = f"({esc(u.stage)})" if u.stage else ""
        supervisor = esc(u.supervisor.name) if u.supervisor and u.supervisor.name else "—"
        out.append(
            f'\n    <tr><td><a href="{id_url("units:detail", u.pk)}">{esc(u.name)}</a></td>'
            f"<td>{esc(u.unit_type.name if u.unit_type else '')}{stage}</td>"
            f"<td>{esc(u.region.name if u.region else '')}</td><td>{supervisor}</td>"
            f'<td class="code">{esc(u.credit_code)}</td><td class="num">{esc(u.headcount)}</td>'
            "</tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc


@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    f = params(request.GET, UnitListParams)
    filters = UnitFilters(
        q=f["q"][:50], region=f["region"], unit_type=f["type"], supervisor=f["supervisor"]
    )
    page = ListPaginator(unit_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    choices = unit_filter_choices(user=request.user)
    regions = [(r.pk, region_depth_label(r)) for r in choices["regions"]]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/unit_list.html",
        {
            "page": page,
            "rows": _rows(page),
            "filters": filters,
            "regions": regions,
            "types": [(t.pk, t.name) for t in choices["types"]],
            "supervisors": [(s.pk, s.name) for s in choices["supervisors"]],
            "query": query.urlencode(),
            "can_import": scope_for(request.user).has(Role.OFFICE),
        },
    )
