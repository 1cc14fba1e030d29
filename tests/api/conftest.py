from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.onsite.conftest import onsite  # noqa: F401
from wenming.api.tokens import AREAS, token_create

ALL_WRITE = [f"{area}:write" for area in AREAS]


@pytest.fixture
def token_for(db) -> Callable[..., str]:
    """A personal token's secret for ``user`` (every area for writing unless told)."""

    def make(user: User, scopes: list[str] | None = None, days: int = 30) -> str:
        return token_create(
            actor=user, name="测试", kind="personal", scopes=scopes or ALL_WRITE, days=days
        ).secret

    return make


class Api:
    """A test client that sends the token (and JSON) the way another system would."""

    def __init__(self, client: Client, secret: str) -> None:
        self.client, self.secret = client, secret

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        if "data" in kw:
            return self.client.post(f"/api/v1{path}", kw["data"], headers=self._headers())
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self._headers()
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(
            f"/api/v1{path}", body, content_type="application/json", headers=self._headers()
        )


@pytest.fixture
def api_as(client, token_for) -> Callable[..., Api]:
    def make(user: User, scopes: list[str] | None = None) -> Api:
        return Api(client, token_for(user, scopes))

    return make
