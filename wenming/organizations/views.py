from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, scope_key
from wenming.organizations.selectors import UNIT_ROW, UnitFilters, unit_filter_choices, unit_list
from wenming.web.paging import PreparedLists
from wenming.web.params import MAX_ID, IdField, params
from wenming.web.rows import esc, id_url

PAGE_SIZE = 50
# the list's SQL per scope and filters (PreparedLists): building it cost more than running it
_PAGES = PreparedLists()


class UnitListParams(forms.Form):
    q = forms.CharField(label="名称或代码", required=False, max_length=200)
    region = IdField(label="区域")
    type = IdField(label="单位类型")
    supervisor = IdField(label="主管部门")
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


def _rows(page: Page[tuple[Any, ...]]) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time), from
    plain rows in the order of UNIT_ROW."""
    out = []
    for pk, name, stage, type_name, region_name, supervisor, code, headcount in page:
        staged = f"({esc(stage)})" if stage else ""
        out.append(
            f'\n    <tr><td><a href="{id_url("units:detail", pk)}">{esc(name)}</a></td>'
            f"<td>{esc(type_name or '')}{staged}</td>"
            f"<td>{esc(region_name or '')}</td><td>{esc(supervisor) if supervisor else '—'}</td>"
            f'<td class="code">{esc(code)}</td><td class="num">{esc(headcount)}</td>'
            "</tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc


@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    f = params(request.GET, UnitListParams)
    filters = UnitFilters(
        q=f["q"][:50], region=f["region"], unit_type=f["type"], supervisor=f["supervisor"]
    )
    page = _PAGES.page(
        (scope_key(scope_for(request.user)), filters),
        lambda: unit_list(user=request.user, filters=filters).values_list(*UNIT_ROW),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    choices = unit_filter_choices(user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/unit_list.html",
        {
            "page": page,
            "rows": _rows(page),
            "filters": filters,
            "regions": choices["regions"],
            "types": choices["types"],
            "supervisors": choices["supervisors"],
            "query": query.urlencode(),
            "can_import": scope_for(request.user).has(Role.OFFICE),
        },
    )
