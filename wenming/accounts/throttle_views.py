"""The office's page of login delays (cleared one by one) and the administrator's allowances."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenming.accounts.forms import AddressAllowanceForm
from wenming.accounts.models import AddressAllowance, Role
from wenming.accounts.scope import scope_for
from wenming.accounts.services import ThrottleNotFound, login_throttle_clear, throttles_visible_to
from wenming.accounts.throttle import (
    ACCOUNT_THRESHOLD,
    FREE_FAILURES,
    LOGIN_FAILURES_PER_HOUR,
    PUBLIC_POSTS_PER_DEVICE,
    PUBLIC_POSTS_PER_HOUR,
    throttle_rows,
)
from wenming.audit.services import audit_record
from wenming.web.actor import actor


@login_required
def throttle_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室人员可以查看登录限制")
    rows = throttles_visible_to(actor(request)).order_by("-last_failure_at", "username")[:300]
    context = {
        "rows": throttle_rows(rows),
        "free": FREE_FAILURES,
        "account_threshold": ACCOUNT_THRESHOLD,
        "per_hour": LOGIN_FAILURES_PER_HOUR,
        "posts_per_hour": PUBLIC_POSTS_PER_HOUR,
        "posts_per_device": PUBLIC_POSTS_PER_DEVICE,
        "allowances": AddressAllowance.objects.order_by("network") if scope.is_admin else None,
        "form": AddressAllowanceForm() if scope.is_admin else None,
    }
    return render(request, "accounts/throttles.html", context)


@login_required
@require_POST
def throttle_clear(request: HttpRequest, pk: int) -> HttpResponse:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室人员可以清除登录限制")
    try:
        row = login_throttle_clear(actor=actor(request), pk=pk)
    except ThrottleNotFound as exc:
        raise Http404(str(exc)) from None
    messages.success(request, f"已清除 {row} 的登录限制")
    return redirect("accounts:throttles")


def _admin_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_admin:
        raise PermissionDenied("只有系统管理员可以设置地址限额")


@login_required
def allowance_new(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = AddressAllowanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            allowance = form.save(commit=False)
            allowance.created_by = actor(request)
            allowance.save()
            audit_record(
                actor=actor(request),
                action="login.allowance_set",
                obj=allowance,
                new=f"登录失败 {allowance.login_failures_per_hour}/小时,"
                f"公开表单 {allowance.posts_per_hour}/小时",
                comment=allowance.note,
            )
        messages.success(request, f"已为 {allowance.network} 设置限额")
        return redirect("accounts:throttles")
    return render(request, "accounts/allowance_form.html", {"form": form})


@login_required
@require_POST
def allowance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    with transaction.atomic():
        allowance = AddressAllowance.objects.select_for_update().filter(pk=pk).first()
        if allowance is None:
            raise Http404("该地址限额不存在")
        audit_record(actor=actor(request), action="login.allowance_remove", obj=allowance)
        allowance.delete()
    messages.success(request, f"已删除 {allowance.network} 的限额")
    return redirect("accounts:throttles")
