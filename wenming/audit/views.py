from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.audit.forms import AuditFilters
from wenming.audit.selectors import audit_events_visible_to
from wenming.audit.services import ACTION_LABELS
from wenming.web.params import params

OBJECT_TYPES = {
    "organizations.unit": "单位",
    "assessments.selfassessment": "自评",
    "frameworks.frameworkedition": "测评体系",
    "organizations.region": "地区",
    "auth.user": "账号",
    "imports.importbatch": "导入",
}


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有系统管理员和测评办公室人员可以查看审计记录")
    events = audit_events_visible_to(request.user)
    f = params(request.GET, AuditFilters)
    if f["action"] in ACTION_LABELS:
        events = events.filter(action=f["action"])
    if f["type"] in OBJECT_TYPES:
        events = events.filter(object_type=f["type"])
    if f["actor"]:
        events = events.filter(actor__username=f["actor"])
    if f["date_from"]:
        events = events.filter(at__date__gte=f["date_from"])
    if f["date_to"]:
        events = events.filter(at__date__lte=f["date_to"])
    page = Paginator(events.order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "actions": ACTION_LABELS,
            "types": OBJECT_TYPES,
            "params": request.GET,
            "query": query.urlencode(),
        },
    )
