"""JSON bodies are bounded in size and depth before parsing, and validated, in Chinese."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from tests.hostile import bounded, deep_json
from wenming.core.json_input import MAX_DEPTH, JsonRefused, json_depth_check, json_parse


class Body(BaseModel):
    entries: list[dict[str, str]]


def test_a_hundred_thousand_brackets_are_refused_without_recursion():
    with bounded(), pytest.raises(JsonRefused, match=re.escape(f"嵌套层次过深(上限{MAX_DEPTH}层)")):
        json_parse(deep_json(), Body)


def test_brackets_inside_strings_are_text():
    body = b'{"entries": [{"note": "' + b"[" * 5000 + b'\\"{"}]}'
    assert json_parse(body, Body).entries[0]["note"].startswith("[[[")


def test_depth_at_the_limit_is_allowed():
    json_depth_check(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    with pytest.raises(JsonRefused):
        json_depth_check(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_size_is_checked_first():
    with pytest.raises(JsonRefused, match=re.escape("数据过大(上限1KB)")):
        json_parse(b" " * 2000, Body, max_bytes=1024)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"nonsense", "数据格式有误,无法读取"),
        (b"\xff\xfe", "数据格式有误,无法读取"),
        (b"{}", "“entries”缺少该项"),
        (b'{"entries": 3}', "“entries”内容或类型不对"),
        (b'{"entries": [{"a": 1}, {"b": 2}]}', "(共2处)"),
    ],
)
def test_wrong_bodies_are_refused_in_chinese(raw, message):
    with pytest.raises(JsonRefused) as caught:
        json_parse(raw, Body)
    assert message in str(caught.value)
