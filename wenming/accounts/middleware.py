from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from wenming.accounts.models import AccountState


class ForcePasswordChangeMiddleware:
    """An account with an initial or reset password must change it before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/static/"):
            allowed = (reverse("password_change"), reverse("logout"))
            if (
                request.path not in allowed
                and AccountState.objects.filter(user=user, must_change_password=True).exists()
            ):
                return redirect("password_change")
        return self.get_response(request)
