from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.forms import ThrottledLoginForm
from wenming.accounts.middleware import MUST_CHANGE_KEY
from wenming.accounts.models import Role, RoleGrant, grant_label
from wenming.accounts.scope import scope_for, scope_key
from wenming.accounts.services import (
    AccountRefused,
    accounts_create_for_units,
    password_changed,
    password_reset,
    units_without_admin,
    users_manageable_by,
)
from wenming.accounts.throttle import address_usage, too_many
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.web.actor import actor
from wenming.web.db.prepared import PreparedPerKey
from wenming.web.downloads import XLSX, file_download
from wenming.web.rows import esc, id_url


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["ldap_enabled"] = getattr(settings, "WENMING_LDAP_ENABLED", False)
        context["oidc_enabled"] = getattr(settings, "WENMING_OIDC_ENABLED", False)
        context["oidc_label"] = getattr(settings, "WENMING_OIDC_LABEL", "统一身份认证登录")
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        usage = address_usage(request, group="login", count=False)
        if usage.limited:
            return too_many(request, usage)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = "/"

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(user=form.user)
        self.request.session[MUST_CHANGE_KEY] = False
        messages.success(self.request, "密码已修改")
        return response


def _office_only(request: HttpRequest) -> None:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室人员可以管理账号")


_LISTED: PreparedPerKey[tuple[Any, ...]] = PreparedPerKey()


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _office_only(request)
    # plain rows (model instances were most of the page): id, login name, name, last login and
    # the account's directory, in the order _rows reads them
    user = actor(request)
    # the union of grants inside the scope is a query the ORM builds and compiles for longer
    # than it runs: written once per scope (PreparedPerKey)
    users = _LISTED.list(
        scope_key(scope_for(user)),
        lambda: (
            users_manageable_by(user)
            .order_by("username")
            .values_list("pk", "username", "first_name", "last_login", "account__directory")[:500]
        ),
    )
    return render(
        request,
        "accounts/account_list.html",
        {
            "users": users,
            "rows": _rows(request, users),
            "without_admin": units_without_admin(actor=actor(request)).count(),
        },
    )


def _rows(request: HttpRequest, users: list[tuple[Any, ...]]) -> SafeString:
    """The table's rows (wenming.web.rows), each person's grants read in one query with their
    units and regions: a prefetch built a query set per person, and the template loop cost more
    than the rest of the page."""
    roles = dict(Role.choices)
    grants: dict[int, list[str]] = {u[0]: [] for u in users}
    for user_id, role, region, unit in (
        RoleGrant.objects.filter(user_id__in=grants)
        .order_by("user_id", "role", "id")
        .values_list("user_id", "role", "region__name", "unit__name")
    ):
        grants[user_id].append(grant_label(roles.get(role, role), region or unit))
    token = esc(get_token(request))
    out = []
    for pk, username, first_name, last_login, directory in users:
        if directory:  # None: no AccountState row
            kind = "目录服务(LDAP/AD)" if directory == "ldap" else "统一身份认证"
            action = f'<span class="muted">{kind}账号</span>'
        else:
            action = (
                f'<form method="post" action="{id_url("accounts:reset", pk)}" '
                f'data-confirm="确定重置该账号的密码?"><input type="hidden" '
                f'name="csrfmiddlewaretoken" value="{token}"><button type="submit">重置密码</button>'
                "</form>"
            )
        last = timezone.localtime(last_login).strftime("%Y-%m-%d %H:%M") if last_login else "从未"
        out.append(
            f'\n    <tr><td class="code">{esc(username)}</td><td>{esc(first_name)}</td>'
            f"\n      <td>{';'.join(esc(g) for g in grants[pk])}</td>"
            f"\n      <td>{last}</td>\n      <td>{action}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc


@login_required
@require_POST
def accounts_bulk_create(request: HttpRequest) -> HttpResponse:
    _office_only(request)
    try:
        issued = accounts_create_for_units(
            actor=actor(request), units=units_without_admin(actor=actor(request))
        )
    except AccountRefused as exc:
        raise PermissionDenied(str(exc)) from None
    wb = new_workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "初始账号"
    sheet.append(["单位名称", "统一社会信用代码", "用户名", "初始密码", "说明"])
    for account in issued:
        sheet.append(
            [
                account.unit.name,
                account.unit.credit_code,
                account.username,
                account.password,
                "首次登录须修改密码",
            ]
        )
    return file_download(workbook_bytes(wb), "initial-accounts.xlsx", XLSX)


@login_required
@require_POST
def account_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    _office_only(request)
    try:
        user, password = password_reset(actor=actor(request), user_id=user_id)
    except AccountRefused as exc:
        raise PermissionDenied(str(exc)) from None
    return render(request, "accounts/reset_done.html", {"account": user, "password": password})
