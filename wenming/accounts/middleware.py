from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from wenming.accounts.models import AccountState
from wenming.accounts.scope import scope_for


class ForcePasswordChangeMiddleware:
    """An account with an initial or reset password must change it before anything else; a
    single-sign-on account that no mapping rule gives a role sees only the page saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/static/"):
            state = (
                AccountState.objects.filter(user=user)
                .values_list("must_change_password", "directory")
                .first()
            )
            must_change, directory = state or (False, "")
            if must_change:
                allowed = (reverse("password_change"), reverse("logout"))
                if request.path not in allowed:
                    return redirect("password_change")
            elif directory and not scope_for(user).roles:
                allowed = (reverse("accounts:no_role"), reverse("logout"))
                if request.path not in allowed:
                    return redirect("accounts:no_role")
        return self.get_response(request)
