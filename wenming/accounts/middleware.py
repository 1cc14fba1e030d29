from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from wenming.accounts.models import AccountState
from wenming.accounts.scope import scope_for

# the session remembers, from the login on, whether the password must be changed and which
# directory (if any) the account comes from: every page would otherwise ask the database. A reset
# sets a new password, which ends every session of the account (Django checks the password hash
# each request), so the remembered answer cannot go stale; a session from before this key existed
# asks the database as before.
MUST_CHANGE_KEY = "wenming_must_change_password"
DIRECTORY_KEY = "wenming_directory"


def password_state(user: User) -> tuple[bool, str]:
    """(must change the password, the directory the account comes from or "")."""
    state = (
        AccountState.objects.filter(user=user)
        .values_list("must_change_password", "directory")
        .first()
    )
    return state or (False, "")


def must_change_password(user: User) -> bool:
    return password_state(user)[0]


def remember_password_state(
    sender: Any, request: HttpRequest | None, user: User, **kw: Any
) -> None:
    """On login (signal ``user_logged_in``): note in the new session what the middleware asks."""
    if request is not None and hasattr(request, "session"):
        must_change, directory = password_state(user)
        request.session[MUST_CHANGE_KEY] = must_change
        request.session[DIRECTORY_KEY] = directory


class ForcePasswordChangeMiddleware:
    """An account with an initial or reset password must change it before anything else; a
    single-sign-on account that no mapping rule gives a role sees only the page saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None
        self._no_role: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/static/"):
            if self._allowed is None:  # the URLs never change while the process runs
                self._allowed = (reverse("password_change"), reverse("logout"))
                self._no_role = (reverse("accounts:no_role"), reverse("logout"))
            assert isinstance(user, User) and self._no_role is not None
            must_change, directory = self._state(request, user)
            if must_change:
                if request.path not in self._allowed:
                    return redirect("password_change")
            # roles of a directory account follow the rules, which may change during a session:
            # asked on every page (the scope is read once per request anyway)
            elif directory and request.path not in self._no_role and not scope_for(user).roles:
                return redirect("accounts:no_role")
        return self.get_response(request)

    @staticmethod
    def _state(request: HttpRequest, user: User) -> tuple[bool, str]:
        remembered = request.session.get(MUST_CHANGE_KEY)
        if remembered is not None and DIRECTORY_KEY in request.session:
            return bool(remembered), str(request.session[DIRECTORY_KEY])
        return password_state(user)
