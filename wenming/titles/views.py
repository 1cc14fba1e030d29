from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.scope import (
    path_prefix_q,
    regions_visible_to,
    scope_for,
    scope_key,
    unit_get_for_user,
)
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.titles.access import can_manage, offices_over, titles_visible_to
from wenming.titles.forms import HolderEventForm, ListParams, TitleActionForm
from wenming.titles.models import LEVEL_LABELS, Title, TitleStatus
from wenming.titles.selectors import current_titles, titles_due_for_recheck
from wenming.titles.services import (
    TitleRefused,
    holder_event_record,
    title_recheck,
    title_restore,
    title_revoke,
    title_suspend,
    title_warn,
)
from wenming.web.actor import actor
from wenming.web.cache import kept_until_changed
from wenming.web.downloads import XLSX, file_download
from wenming.web.paging import PreparedLists
from wenming.web.params import errors_text, next_url, params
from wenming.web.rows import esc, id_url, ymd

# the list's SQL per scope, day and filters (PreparedLists): building it cost more than running it
_PAGES = PreparedLists()


def _criteria(request: HttpRequest) -> tuple[dict[str, Any], str, Any]:
    """The list's filters as given (each checked by ListParams), which titles it shows and
    the page asked for."""
    cleaned = params(request.GET, ListParams)
    show = cleaned["show"] or "current"
    filters = {k: cleaned[k] or "" for k in ("kind", "level", "year", "region", "q")}
    return filters, show, cleaned["page"]


def _titles(
    user: User | AnonymousUser, f: dict[str, Any], show: str, today: date
) -> QuerySet[Title]:
    rows = titles_visible_to(user)
    if show == "current":
        rows = current_titles(rows, as_of=today)
    elif show == "due":
        rows = titles_due_for_recheck(rows, year=today.year, as_of=today)
    if f["kind"]:
        rows = rows.filter(kind=f["kind"])
    if f["level"] in LEVEL_LABELS:
        rows = rows.filter(level=f["level"])
    if f["year"]:
        rows = rows.filter(year=f["year"])
    if f["region"]:
        region = regions_visible_to(user).filter(pk=f["region"]).first()
        if region is not None:
            rows = rows.filter(path_prefix_q("region_path", region.path))
    if f["q"].strip():
        rows = rows.filter(unit__name__contains=f["q"].strip())
    return rows.select_related("unit", "naming_authority").order_by(
        "region_path", "unit__name", "-year"
    )


# the columns the rows show, as plain rows in the order _rows reads them
ROW = (
    *("unit_id", "unit__name", "name", "level", "year", "valid_until"),
    *("naming_authority__name", "status", "reason"),
)


def _rows(page: Page[tuple[Any, ...]]) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time)."""
    statuses = dict(TitleStatus.choices)
    out = []
    for unit_id, unit, name, level, year, valid_until, authority, status, reason in page:
        noted = f' <span class="muted">{esc(reason)}</span>' if reason else ""
        out.append(
            f'<tr><td><a href="{id_url("units:detail", unit_id)}">{esc(unit)}</a></td>'
            f"<td>{esc(name)}</td><td>{esc(LEVEL_LABELS.get(level, level))}</td>"
            f"<td>{esc(year)}</td><td>{ymd(valid_until)}</td><td>{esc(authority or '')}</td>"
            f"<td>{esc(statuses.get(status, status))}{noted}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc


@login_required
def title_list(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).region_paths and not scope_for(request.user).is_admin:
        raise PermissionDenied("称号名单由测评办公室查看;单位的称号见单位页面")
    filters, show, number = _criteria(request)
    today = timezone.localdate()
    page = _PAGES.page(
        (scope_key(scope_for(request.user)), today, show, tuple(filters.items())),
        lambda: _titles(request.user, filters, show, today).values_list(*ROW),
        number,
        50,
    )
    return render(
        request,
        "titles/list.html",
        {
            "page": page,
            "rows": _rows(page),
            "filters": filters,
            "show": show,
            "levels": LEVEL_LABELS,
            # the filter's regions: kept until an audited change commits (regions change so)
            "regions": kept_until_changed(
                f"title-regions:{scope_key(scope_for(request.user))}",
                lambda: list(
                    regions_visible_to(request.user)
                    .filter(level__lte=4)
                    .order_by("path")
                    .values_list("pk", "name")[:200]
                ),
            ),
            "query": urlencode({**{k: v for k, v in filters.items() if v}, "show": show}),
            "statuses": TitleStatus,
        },
    )


@login_required
def title_export(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).region_paths and not scope_for(request.user).is_admin:
        raise PermissionDenied("只有测评办公室可以导出称号名单")
    filters, show, _ = _criteria(request)
    rows = _titles(request.user, filters, show, timezone.localdate())
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet("称号名单")
    sheet.append(
        [
            "单位名称",
            "统一社会信用代码",
            "称号",
            "创建类型",
            "级别",
            "年度",
            "有效期至",
            "命名机关",
            "状态",
        ]
    )
    for t in rows.iterator(chunk_size=2000):
        sheet.append(
            [t.unit.name, t.unit.credit_code, t.name, t.kind, t.level_label, t.year,
             t.valid_until, t.naming_authority.name, t.get_status_display()]
        )  # fmt: skip
    return file_download(workbook_bytes(wb), "称号名单.xlsx", XLSX)


@login_required
@require_POST
def title_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    title = titles_visible_to(user).select_related("unit", "naming_authority").filter(pk=pk).first()
    if title is None:
        raise Http404("称号不存在")
    if not can_manage(user, title):
        raise PermissionDenied("只有命名机关所在地区(或上级)的测评办公室可以办理")
    form = TitleActionForm(request.POST)
    f = form.cleaned_data if form.is_valid() else {}
    action, reason = f.get("action"), f.get("reason", "")
    try:
        if form.errors:
            raise TitleRefused(errors_text(form))
        if action == "suspend":
            title_suspend(actor=user, title=title, reason=reason)
        elif action == "revoke":
            title_revoke(actor=user, title=title, reason=reason)
        elif action == "restore":
            title_restore(actor=user, title=title, reason=reason)
        elif action == "warn":
            deadline = f["deadline"]
            if deadline is None:
                raise TitleRefused("请填写整改期限")
            title_warn(actor=user, title=title, reason=reason, deadline=deadline)
        elif action == "recheck":
            today = timezone.localdate()
            title_recheck(
                actor=user,
                title=title,
                year=today.year,
                checked_on=today,
                outcome=f["outcome"],
                comment=reason,
                deadline=f["deadline"],
                score_centi=None if f["score"] is None else int(f["score"] * 100),
            )
        else:
            raise TitleRefused("未知操作")
        messages.success(request, "已办理")
    except TitleRefused as exc:
        messages.error(request, str(exc))
    return redirect(next_url(request, "titles:list"))


@login_required
@require_POST
def holder_event(request: HttpRequest, unit: int) -> HttpResponse:
    """Record a veto or negative-list event against a unit (an office over the unit)."""
    user = actor(request)
    found = unit_get_for_user(user, unit)
    if not offices_over(user, found):
        raise PermissionDenied("只有单位所在地区(或上级)的测评办公室可以登记")
    form = HolderEventForm(request.POST)
    try:
        if not form.is_valid():
            raise TitleRefused(errors_text(form))
        f = form.cleaned_data
        edition, _, code = f["event"].partition(":")
        changed = holder_event_record(
            actor=user,
            unit=found,
            edition_id=int(edition),  # the form's pattern: digits
            code=code,
            day=f["day"],
            description=f["description"],
        )
    except TitleRefused as exc:
        messages.error(request, str(exc))
    else:
        names = "、".join(f"{t.name}({t.get_status_display()})" for t in changed)
        messages.success(request, f"已登记;{names or '称号不受影响'}")
    return redirect("units:detail", pk=found.pk)
