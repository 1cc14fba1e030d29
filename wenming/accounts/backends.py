"""Local accounts: Django's ``ModelBackend`` with the person read by a prepared query.

Every logged-in request reads the person's row (``get_user``); Django builds and compiles that
query each time, which costs more CPU than running it. Here the ORM writes it once per process
(``wenming.web.db.prepared``) and each request only runs it. Logging in, passwords, permissions
and the inactive-account rule are Django's own.

Sessions made before this backend replaced Django's name that one
(``django.contrib.auth.backends.ModelBackend``); ``LegacyBackendMiddleware`` renames it in such a
session the first time it is seen, so nobody is logged out by the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from wenming.accounts.sso_settings import DJANGO_BACKEND, LOCAL_BACKEND
from wenming.web.db.prepared import PreparedObjects

_BY_ID = PreparedObjects(lambda pk: User.objects.filter(pk=pk)[:1])


class LocalBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _BY_ID.first(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class LegacyBackendMiddleware:
    """A session logged in through Django's own backend name is carried over to ours (placed
    before ``AuthenticationMiddleware``; it touches only such sessions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(BACKEND_SESSION_KEY) == DJANGO_BACKEND:
            session[BACKEND_SESSION_KEY] = LOCAL_BACKEND
        return self.get_response(request)
