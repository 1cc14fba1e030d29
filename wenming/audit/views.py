from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.audit.forms import AuditFilters
from wenming.audit.selectors import AuditFilter, EventRow, audit_events_page
from wenming.audit.services import ACTION_LABELS, field_label
from wenming.audit.verify import verification_in_progress, verification_latest, verification_start
from wenming.web.actor import actor
from wenming.web.params import params
from wenming.web.rows import clip, esc, person_named, stamp

OBJECT_TYPES = {
    "organizations.unit": "单位",
    "assessments.selfassessment": "自评",
    "frameworks.frameworkedition": "测评体系",
    "organizations.region": "地区",
    "auth.user": "账号",
    "imports.importbatch": "导入",
}


PAGE_SIZE = 50  # rows a page: the template's cost grows with them


def _rows(events: Iterable[EventRow]) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time)."""
    return mark_safe(  # every value escaped by esc/person_named
        "".join(
            f"\n    <tr><td>{stamp(e.at)}</td>"
            f"<td>{person_named(e.actor_first_name, e.actor_last_name, e.actor_username, '系统')}</td>"
            f"<td>{esc(ACTION_LABELS.get(e.action, e.action))}</td><td>{esc(e.object_label)}</td>"
            f"<td>{esc(field_label(e.object_type, e.field))}</td><td>{esc(clip(e.old, 60))}</td>"
            f"<td>{esc(clip(e.new, 60))}</td><td>{esc(e.comment)}</td></tr>\n  "
            for e in events
        )
    )


def _require_office(request: HttpRequest) -> None:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有系统管理员和测评办公室人员可以查看审计记录")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    f = params(request.GET, AuditFilters)
    filters = AuditFilter(
        action=f["action"] if f["action"] in ACTION_LABELS else "",
        object_type=f["type"] if f["type"] in OBJECT_TYPES else "",
        actor=f["actor"] or "",
        date_from=f["date_from"],
        date_to=f["date_to"],
    )
    page = audit_events_page(request.user, filters, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "rows": _rows(page),
            "actions": ACTION_LABELS,
            "types": OBJECT_TYPES,
            "params": request.GET,
            "query": query.urlencode(),
            "verification": verification_latest(),
            "verifying": verification_in_progress(),
        },
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Walk the whole chain in the background (long chains take a while); the page shows the
    stored result. One walk at a time: a second click joins the running one."""
    _require_office(request)
    user = actor(request)
    job = verification_start(by=user)
    if job.owner_id != user.pk:  # another person's job page is theirs: wait on this page
        return redirect("audit:list")
    return redirect("jobs:detail", pk=job.pk)
