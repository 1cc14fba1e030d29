from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from wenming.accounts.models import AccountState

# the session remembers, from the login on, whether the password must be changed: every page
# would otherwise ask the database. A reset sets a new password, which ends every session of
# the account (Django checks the password hash each request), so the remembered answer cannot
# go stale; a session from before this key existed asks the database as before.
MUST_CHANGE_KEY = "wenming_must_change_password"


def must_change_password(user: User) -> bool:
    return AccountState.objects.filter(user=user, must_change_password=True).exists()


def remember_password_state(
    sender: Any, request: HttpRequest | None, user: User, **kw: Any
) -> None:
    """On login (signal ``user_logged_in``): note in the new session whether it must change."""
    if request is not None and hasattr(request, "session"):
        request.session[MUST_CHANGE_KEY] = must_change_password(user)


class ForcePasswordChangeMiddleware:
    """An account with an initial or reset password must change it before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/static/"):
            if self._allowed is None:  # the URLs never change while the process runs
                self._allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in self._allowed and self._must_change(request):
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _must_change(request: HttpRequest) -> bool:
        remembered = request.session.get(MUST_CHANGE_KEY)
        if remembered is not None:
            return bool(remembered)
        assert isinstance(request.user, User)
        return must_change_password(request.user)
