"""Rows of a long list written in Python instead of a template loop.

The template filters ``id_url``, ``stamp``, ``clip`` and ``centi`` (``{% load wenming %}``) are
these functions. A variable in a Django template costs about ten microseconds (lookup, localisation, escaping);
a list of 50 rows with ten cells each spends most of its page's time there. A list page whose
rows are its cost builds them with these helpers (``html.escape`` as the template escapes, dates
as ``|date:"Y-m-d"`` prints them) and hands the template one safe string; the page is the same.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from functools import cache

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData

from wenming.core.points import fmt


def esc(value: object) -> str:
    """``{{ value }}`` as a template prints text: escaped unless already marked safe."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def ymd(value: date | datetime | None) -> str:
    """``{{ value|date:"Y-m-d" }}``: a day, or a moment in local time; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


def person(user: User | None, missing: str = "") -> str:
    """``{{ user.get_full_name|default:user.username }}``, escaped; ``missing`` for nobody."""
    if user is None:
        return missing
    return person_named(user.first_name, user.last_name, user.username)


def person_named(
    first: str | None, last: str | None, username: str | None, missing: str = ""
) -> str:
    """``person`` from a plain row's columns (first name, last name, login name; all None for
    nobody), as ``User.get_full_name`` joins them."""
    if username is None:
        return missing
    return esc(f"{first} {last}".strip() or username)


# stand-ins for the ids in a reversed pattern: no real id is this large, no path holds them
_STAND_INS = tuple(str(9_007_199_254_740_000 + i) for i in range(4))


@cache
def _id_pattern(name: str, count: int) -> tuple[str, ...]:
    """The path of ``name`` split around ``count`` id arguments, reversed once per process."""
    path = reverse(name, args=_STAND_INS[:count])
    parts: list[str] = []
    for stand_in in _STAND_INS[:count]:
        before, _, path = path.partition(stand_in)
        parts.append(before)
    return (*parts, path)


def id_url(name: str, *ids: int) -> str:
    """``{% id_url 'units:detail' u.pk %}``: the same path as ``{% url %}`` for id arguments,
    without resolving the pattern again on every row of a list (that costs as much as a query
    per row). Anything but integer ids goes through ``reverse`` as usual."""
    if not all(type(i) is int for i in ids) or len(ids) > len(_STAND_INS):
        return reverse(name, args=ids)
    parts = _id_pattern(name, len(ids))
    out = [parts[0]]
    for value, rest in zip(ids, parts[1:], strict=True):
        out += (str(value), rest)
    return "".join(out)


def clip(value: object, limit: int = 60) -> str:
    """At most ``limit`` characters, an ellipsis when cut: ``truncatechars`` for plain text,
    without its per-character scan (a hundred rows of old and new values per audit page)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stamp(value: datetime | None) -> str:
    """A moment in local time as ``2026-05-01 09:30:00`` (``date:"Y-m-d H:i:s"``, cheaper)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def centi(value: int | None) -> str:
    """Hundredths of a point as printed: 89950 → 899.5."""
    return "—" if value is None else fmt(int(value))
