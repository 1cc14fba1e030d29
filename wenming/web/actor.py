"""The logged-in person of a request (request toolkit: Django only, so every app's views use it)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def actor(request: HttpRequest) -> User:
    """The logged-in person (views using this are behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user
