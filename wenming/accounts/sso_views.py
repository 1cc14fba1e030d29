"""Single sign-on pages: the OIDC round trip, the page for a person without a role, and the
administrator's mapping rules."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from wenming.accounts.directory import RuleRefused, rule_create, rule_remove, rules_list
from wenming.accounts.forms import DirectoryRuleForm
from wenming.accounts.oidc import oidc_enabled, oidc_setting
from wenming.accounts.scope import scope_for
from wenming.accounts.sso_settings import OIDC_BACKEND
from wenming.accounts.throttle import address_usage, too_many
from wenming.web.actor import actor

LOGGER = logging.getLogger(__name__)

UNREACHABLE = "统一身份认证服务暂时无法访问,请稍后再试,或使用本系统账号登录。"


def failure_url() -> str:
    return reverse("login") + "?sso=failed"


class _Start(OIDCAuthenticationRequestView):  # type: ignore[misc]
    get_settings = staticmethod(oidc_setting)


class _Callback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    get_settings = staticmethod(oidc_setting)

    @property
    def failure_url(self) -> str:
        return failure_url()


class LogoutView(auth_views.LogoutView):
    """Django's logout. A person who came in through OIDC is then sent to the provider's
    end-session endpoint with the ID token as hint, so that the provider's session ends too
    (on a shared office computer the next person must not be signed in by it), and comes back
    to our login page. Without such an endpoint, or when the provider cannot be reached, the
    logout here still happens."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        via_oidc = request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND
        id_token = str(request.session.get("oidc_id_token", ""))
        response: HttpResponse = super().post(request, *args, **kwargs)
        end = _end_session_endpoint() if via_oidc and id_token else ""
        if not end:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": getattr(settings, "OIDC_RP_CLIENT_ID", ""),
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return HttpResponseRedirect(f"{end}{'&' if '?' in end else '?'}{query}")


def _end_session_endpoint() -> str:
    try:
        found = oidc_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
    except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
        LOGGER.warning("OIDC end-session endpoint unavailable: %s", exc)
        return ""
    return found if isinstance(found, str) and found.startswith(("https://", "http://")) else ""


def _unreachable(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sso_message.html", {"message": UNREACHABLE}, status=503)


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider (404 when OIDC is not configured)."""
    if not oidc_enabled():
        raise Http404("未配置统一身份认证")
    try:
        response: HttpResponse = _Start.as_view()(request)
    except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
        LOGGER.warning("OIDC provider unreachable: %s", exc)
        return _unreachable(request)
    return response


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here; a failed login counts against the address."""
    if not oidc_enabled():
        raise Http404("未配置统一身份认证")
    usage = address_usage(request, group="login", count=False)
    if usage.limited:
        return too_many(request, usage)
    response: HttpResponse = _Callback.as_view()(request)
    if response.get("Location") == failure_url():
        address_usage(request, group="login", count=True)
    return response


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    """What a single-sign-on person without any mapped role sees instead of every page."""
    if scope_for(request.user).roles:
        return redirect("home")
    return render(request, "accounts/no_role.html", {"hide_nav": True})


# -- the administrator's mapping rules ---------------------------------------------------------


def _admin_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_admin:
        raise PermissionDenied("只有系统管理员可以设置角色映射规则")


@login_required
def directory_rules(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = DirectoryRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            rule = rule_create(
                actor=actor(request),
                source=data["source"],
                value=data["value"],
                role=data["role"],
                region=data["region"],
                unit=data["unit"],
                note=data["note"],
            )
        except RuleRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新增规则:{rule},下次登录时生效")
            return redirect("accounts:directory_rules")
    context = {
        "rules": rules_list()[:500],
        "form": form,
        "ldap_enabled": _setting("WENMING_LDAP_ENABLED"),
        "oidc_enabled": oidc_enabled(),
    }
    return render(request, "accounts/directory_rules.html", context)


def _setting(name: str) -> bool:
    return bool(getattr(settings, name, False))


@login_required
@require_POST
def directory_rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    rule = rule_remove(actor=actor(request), pk=pk)
    if rule is None:
        raise Http404("该规则不存在")
    messages.success(request, f"已删除规则:{rule},由该规则授予的角色已撤销")
    return redirect("accounts:directory_rules")
