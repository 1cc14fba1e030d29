"""Read a request's JSON body through the bounded parser (see wenming.core.json_input)."""

from __future__ import annotations

from django.http import HttpRequest

from wenming.core.json_input import MAX_BYTES, MAX_DEPTH, JsonRefused, Model, json_parse


def json_body(
    request: HttpRequest, model: type[Model], *, max_bytes: int = MAX_BYTES, depth: int = MAX_DEPTH
) -> Model:
    """The body validated as ``model``; JsonRefused (Chinese) when too large, deep or wrong.

    The declared length is checked before the body is read, so an oversized body is not held.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise JsonRefused(f"数据过大(上限{max_bytes // 1024}KB)")
    return json_parse(request.body, model, max_bytes=max_bytes, max_depth=depth)
