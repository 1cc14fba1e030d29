"""Small rules of Chinese document wording (Django-free): quoting a name, dates and periods.

A name typed elsewhere may already carry quotes (“学雷锋”志愿服务, "文明交通"宣传): quoting it
again would print ““学雷锋”…” or “"“文明交通”"”. :func:`quoted` follows the usual rule instead:
a name wholly in quotes is printed once, quotes inside a quoted name become single quotes.
"""

from __future__ import annotations

from datetime import date

OPEN, CLOSE = "“", "”"


def _inner_quotes(text: str) -> str:
    """Double quotes inside a name → single quotes (ASCII pairs alternate open/close)."""
    out: list[str] = []
    ascii_open = True
    for char in text:
        if char == OPEN:
            out.append("‘")
        elif char == CLOSE:
            out.append("’")
        elif char == '"':
            out.append("‘" if ascii_open else "’")
            ascii_open = not ascii_open
        else:
            out.append(char)
    return "".join(out)


def _wholly_quoted(text: str) -> str | None:
    """The inside of a name that is one quoted phrase (“…” or "…"), else None."""
    for left, right in ((OPEN, CLOSE), ('"', '"')):
        if len(text) > 2 and text.startswith(left) and text.endswith(right):
            inside = text[1:-1]
            if not any(q in inside for q in (OPEN, CLOSE, '"')):
                return inside
    return None


def quoted(name: str) -> str:
    """``name`` in Chinese double quotes, never doubled."""
    name = name.strip()
    inside = _wholly_quoted(name)
    if inside is not None:
        return f"{OPEN}{inside}{CLOSE}"
    return f"{OPEN}{_inner_quotes(name)}{CLOSE}"


def day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period(start: date, end: date) -> str:
    """“2026年3月1日至2026年4月2日”; a period of one day is that day."""
    if start == end:
        return day(start)
    return f"{day(start)}至{day(end)}"
