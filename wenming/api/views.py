"""Pages of the API: the tokens page (create, shown once, revoke) and the reference page,
rendered on the server from the schema (works offline, in Chinese)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wenming.api.core import api
from wenming.api.forms import TokenForm
from wenming.api.tokens import (
    TokenRefused,
    scope_labels,
    token_create,
    token_revoke,
    tokens_visible_to,
)
from wenming.web.actor import actor


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = TokenForm(request.POST or None, user=user)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                actor=user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                scopes=form.scopes(),
                days=form.cleaned_data["days"],
                region_id=form.cleaned_data.get("region"),
            )
        except TokenRefused as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm(user=user)
    rows = [
        {"token": t, "scopes": "、".join(scope_labels(t.scopes))}
        for t in tokens_visible_to(user).order_by("-created_at")[:300]
    ]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "rows": rows, "issued": issued},
        status=422 if request.method == "POST" and issued is None else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = token_revoke(actor=actor(request), pk=pk)
    except TokenRefused as exc:
        raise Http404(str(exc)) from None
    messages.success(request, f"已吊销{token}")
    return redirect("api_pages:tokens")


METHOD_LABELS = {"get": "读取", "post": "提交", "put": "写入", "delete": "删除", "patch": "修改"}


def _type_text(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " 或 ".join(_type_text(s, components) for s in schema["anyOf"])
    if "enum" in schema:
        return "取值:" + "、".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "")
    if kind == "array":
        return "列表:" + _type_text(schema.get("items", {}), components)
    names = {
        "string": "文字",
        "integer": "整数",
        "number": "数字",
        "boolean": "是/否",
        "object": "对象",
        "null": "空",
    }
    text = names.get(kind, kind or "任意")
    if schema.get("format") == "date":
        text = "日期"
    elif schema.get("format") == "binary":
        text = "文件"
    return text


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type_text(prop, components),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def reference_sections() -> list[dict[str, Any]]:
    """The operations of the schema grouped by their tag, with parameters and bodies."""
    schema: dict[str, Any] = dict(api.get_openapi_schema(path_prefix="/api/v1"))
    components = schema.get("components", {}).get("schemas", {})
    sections: dict[str, list[dict[str, Any]]] = {}
    paths: dict[str, dict[str, Any]] = schema["paths"]
    for path, operations in paths.items():
        for method, op in operations.items():
            body: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            first: dict[str, Any] = next(iter(body.values()), {})
            body_schema: dict[str, Any] = first.get("schema", {})
            ok: dict[str, Any] = next(
                (op["responses"][c] for c in ("200", "201") if c in op.get("responses", {})), {}
            )
            ok_schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
            sections.setdefault(op.get("tags", ["其他"])[0], []).append(
                {
                    "method": method.upper(),
                    "method_label": METHOD_LABELS.get(method, method),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": {"path": "路径", "query": "查询"}.get(p["in"], p["in"]),
                            "type": _type_text(p.get("schema", {}), components),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _fields(body_schema, components),
                    "answer": _fields(ok_schema, components),
                    "answer_type": _type_text(ok_schema, components) if ok_schema else "",
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in sections.items()]


def reference(request: HttpRequest) -> HttpResponse:
    return render(request, "api/reference.html", {"sections": reference_sections()})


OPEN311_MOVED = re.compile(r"(services|requests)\.json|requests/[0-9A-Za-z-]{1,20}\.json")


@csrf_exempt
def open311_moved(request: HttpRequest, rest: str) -> HttpResponse:
    """The Open311 intake moved from ``/open311/v2/`` into the API (``/api/v1/open311/``):
    former callers are sent on with their method, body and query string (308); their keys were
    carried over as service tokens."""
    if not OPEN311_MOVED.fullmatch(rest):
        raise Http404("接口不存在")
    target = f"{reverse('api:api-root')}open311/{rest}"
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(
        f"{target}?{query}" if query else target, preserve_request=True
    )
