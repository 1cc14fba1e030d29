"""The API object: token authentication per area, rate limits per token, errors as JSON with a
stable code and a Chinese message, and cursor pagination. Endpoints live in ``endpoints/``."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyBase
from pydantic import BaseModel, ConfigDict

from wenming.api.models import ApiToken
from wenming.api.tokens import token_allows, token_find
from wenming.core.errors import ActionRefused
from wenming.core.json_input import JsonRefused, json_parse

M = TypeVar("M", bound=Model)


class Light(BaseModel):
    """The schema of an answer built from dicts (the lists' ``values()`` rows): plain pydantic.
    ninja's ``Schema`` reads every field of every row through its attribute getter (for model
    objects), which was most of the time of a 200-row page."""


class ApiError(Schema):
    """Every refusal: a stable code for programs and a Chinese message for people."""

    code: str
    message: str


class ApiProblem(Exception):
    """An HTTP answer other than success: status, stable code, Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def token_check(request: HttpRequest, secret: str, area: str, *, write: bool) -> ApiToken | None:
    """The token for ``secret`` if it holds ``area`` (for writing when ``write``), counted
    against its rate limit; the request then acts as its user and is audited on the way out."""
    found = token_find(secret)
    if found is None:
        return None
    if not token_allows(found, area, write=write):
        raise ApiProblem(403, "scope_missing", "令牌没有该项权限")
    usage = get_usage(
        request,
        group="api-token",
        key=lambda _group, _request: str(found.pk),
        rate=f"{settings.API_REQUESTS_PER_MINUTE}/m",
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        raise ApiProblem(429, "rate_limited", "调用过于频繁,请稍后再试")
    request.user = found.user
    setattr(request, "api_token", found)  # noqa: B010 (the use is audited on the way out)
    return found


def _writes(request: HttpRequest, write: bool | None) -> bool:
    return write if write is not None else request.method not in ("GET", "HEAD")


class TokenAuth(HttpBearer):
    """A bearer token that holds ``area`` (for writing when the method writes, or ``write``)."""

    def __init__(self, area: str, *, write: bool | None = None) -> None:
        super().__init__()
        self.area, self.write = area, write

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_check(request, token, self.area, write=_writes(request, self.write))


OPEN311 = "open311_"  # the URL names of the Open311 operations begin so
KEY_BODY_MAX = 64 * 1024


class _KeyField(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_key: str = ""


class Open311Key(APIKeyBase):
    """Open311's ``api_key`` parameter: a service token of this API, given in the query string,
    a form field or a field of a JSON body (read through the bounded parser)."""

    openapi_in = "query"
    param_name = "api_key"

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.GET.get(self.param_name) or request.POST.get(self.param_name)
        if not key and request.content_type == "application/json":
            declared = request.META.get("CONTENT_LENGTH") or "0"
            if declared.isdigit() and 0 < int(declared) <= KEY_BODY_MAX:
                try:
                    key = json_parse(request.body, _KeyField, max_bytes=KEY_BODY_MAX).api_key
                except JsonRefused:
                    key = None  # the operation reads the body again and says what is wrong
        return key or None

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken | None:
        if not key:
            return None
        return token_check(request, str(key), self.area, write=_writes(request, None))


api = NinjaAPI(
    title="文明创建测评平台接口",
    version="1",
    description="单位、测评体系、创建活动、自评、实地测评、问题整改、称号和统计数据的接口。"
    "调用时在请求头写 Authorization: Bearer <令牌>;令牌在“接口令牌”页面创建。",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    match = request.resolver_match
    if match is not None and (match.url_name or "").startswith(OPEN311):
        # Open311's shape: a list of {code, description}; a request that does not fit is 400
        status = 400 if status == 422 else status
        return api.create_response(
            request, [{"code": status, "description": message}], status=status
        )
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message)
    if exc.status == 429:
        response["Retry-After"] = "60"
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "缺少有效的接口令牌(可能已过期或被吊销)")


@api.exception_handler(ActionRefused)
def _action_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    return _error(request, 422, "refused", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "不存在或无权查看")


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "无权操作")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}
    message = str(exc) if exc.status_code != 400 else "请求格式不正确"
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid", validation_text(exc.errors))


def validation_text(errors: Sequence[Any]) -> str:
    """Pydantic's errors as one Chinese sentence naming the fields."""
    parts = []
    for error in list(errors)[:5]:
        loc = [
            str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload")
        ]
        where = ".".join(loc) or "请求"
        kind = str(error.get("type", ""))
        what = {
            "missing": "不能为空",
            "int_parsing": "应为整数",
            "int_type": "应为整数",
            "string_too_long": "过长",
            "string_type": "应为文字",
            "date_from_datetime_parsing": "应为日期(如2026-01-31)",
            "date_parsing": "应为日期(如2026-01-31)",
            "greater_than_equal": "过小",
            "less_than_equal": "过大",
            "too_long": "条目过多",
            "bool_parsing": "应为是或否",
            "literal_error": "取值无效",
            "enum": "取值无效",
        }.get(kind, "格式不正确")
        parts.append(f"“{where}”{what}")
    return ";".join(parts) or "请求格式不正确"


# -- cursor pagination ---------------------------------------------------------------------

PAGE_MAX = 200
BAD_CURSOR = "翻页标记无效"


class PageQuery(Schema):
    cursor: str = Field(default="", max_length=600, description="上一页回答中的 next")
    limit: int = Field(default=50, description="每页条数,1至200")


def _cursor_values(cursor: str, count: int) -> list[Any] | None:
    """The key values the cursor holds (the last row of the previous page), checked."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiProblem(400, "bad_cursor", BAD_CURSOR) from None
    if (
        not isinstance(values, list)
        or len(values) != count
        or not isinstance(values[-1], int)
        or isinstance(values[-1], bool)
        or not 0 <= values[-1] < 2**63
        or not all(isinstance(v, str) and len(v) <= 300 for v in values[:-1])
    ):
        raise ApiProblem(400, "bad_cursor", BAD_CURSOR)
    return values


def cursor_of(*values: Any) -> str:
    text = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def page(
    rows: QuerySet[Any],
    *,
    cursor: str,
    limit: int,
    out: Callable[[list[Any]], list[Any]],
    keys: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One page after ``cursor``: ``{"items": [...], "next": cursor or null}``, in one query.

    Keyset pagination over ``keys`` (text columns of the model, then its id; by id alone when
    none): the cursor holds the last row's key values, so page 1,000 costs what page 1 does and
    rows inserted meanwhile neither repeat nor shift a page. Give the keys of an index that
    also serves the scope's filter (region path, …, id), or the database sorts every row in
    scope for each page. ``rows`` may be a ``values()`` query (dicts holding the keys and
    ``id``: no model objects made, the fast way for long lists) or of model objects."""
    if not 1 <= limit <= PAGE_MAX:
        raise ApiProblem(400, "bad_limit", f"每页条数应为1至{PAGE_MAX}")
    after = _cursor_values(cursor, len(keys) + 1)
    ordered = rows.order_by(*keys, "pk")
    if after is not None and not keys:
        ordered = ordered.filter(pk__gt=after[0])
    elif after is not None:
        meta = rows.model._meta
        quote = connection.ops.quote_name
        columns = [
            f"{quote(meta.db_table)}.{quote(str(getattr(meta.get_field(k), 'column', k)))}"
            for k in (*keys, "id")
        ]
        ordered = ordered.extra(
            where=[f"({', '.join(columns)}) > ({', '.join(['%s'] * len(columns))})"],
            params=after,
        )
    found = list(ordered[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    following = None
    if more and found:
        last = found[-1]
        if isinstance(last, dict):
            following = cursor_of(*(last[k] for k in keys), last["id"])
        else:
            following = cursor_of(*(getattr(last, k) for k in keys), last.pk)
    return {"items": out(found), "next": following}


ERRORS: dict[int | str, Any] = {
    400: ApiError,
    401: ApiError,
    403: ApiError,
    404: ApiError,
    422: ApiError,
    429: ApiError,
}
