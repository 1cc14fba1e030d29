"""Audit every use of a token: one event per request, written once the answer is known."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wenming.api.tokens import token_use_record


class TokenUseAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "api_token", None)
        if token is not None:
            token_use_record(
                token=token,
                method=request.method or "",
                path=request.get_full_path(),
                status=response.status_code,
            )
        return response
