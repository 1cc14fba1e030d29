"""The one way a JSON body from outside is read: bounded in size and depth, then validated.

``json.loads`` recurses once per nesting level, so 100,000 ``[`` raise RecursionError (and a
crafted body can use a lot of memory before any validation). :func:`json_parse` first checks the
size, then walks the text once without recursion (a regular expression steps over strings and
finds brackets) to refuse nesting deeper than ``max_depth``, and only then parses and validates
with a pydantic model. Every refusal is a :class:`JsonRefused` with a Chinese message.

Views use :func:`wenming.web.json_body.json_body`, which reads the request through this.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20

Model = TypeVar("Model", bound=BaseModel)

_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_OPEN = frozenset(b"[{")


class JsonRefused(ValueError):
    """The body is not accepted; the message says why in Chinese."""


def json_depth_check(raw: bytes, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than ``max_depth`` without parsing or recursing."""
    depth = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if len(token) != 1:
            continue  # a string: its brackets are text
        if token[0] in _OPEN:
            depth += 1
            if depth > max_depth:
                raise JsonRefused(f"数据嵌套层次过深(上限{max_depth}层)")
        else:
            depth -= 1


def json_parse(
    raw: bytes, model: type[Model], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Model:
    """Parse and validate a body, or raise JsonRefused."""
    if len(raw) > max_bytes:
        raise JsonRefused(f"数据过大(上限{max_bytes // 1024}KB)")
    json_depth_check(raw, max_depth=max_depth)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError, bad UTF-8
        raise JsonRefused("数据格式有误,无法读取") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise JsonRefused(f"数据格式有误:{_where(exc)}") from None


def _where(exc: ValidationError) -> str:
    first = exc.errors()[0]
    path = "/".join(str(p) for p in first["loc"])
    kind = {
        "missing": "缺少该项",
        "string_too_long": "文字过长",
        "too_long": "条目过多",
        "extra_forbidden": "不应有该项",
    }.get(first["type"], "内容或类型不对")
    count = exc.error_count()
    more = f"(共{count}处)" if count > 1 else ""
    return f"“{path}”{kind}{more}" if path else f"{kind}{more}"
