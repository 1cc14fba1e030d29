"""Every URL × GET/POST with junk in each parameter it reads: a 4xx or a normal answer, never 500.

The parameters are discovered, not listed: a first request per URL, method and role records
every key the view reads from request.GET / request.POST (forms included); then each key gets
each junk value. The URLs come from tests/test_url_walk.py EXPECTED, which
test_every_url_is_covered checks against the URL configuration, so a new URL cannot be missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import NoReverseMatch, resolve, reverse

from tests.assessments.conftest import standard  # noqa: F401
from tests.test_url_walk import EXPECTED, objects  # noqa: F401

READ: set[str] = set()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every key a view asks for."""

    def __getitem__(self, key: str) -> str:
        READ.add(key)
        return str(super().__getitem__(key))

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        READ.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: list[str] | None = None) -> list[str]:  # type: ignore[override]
        READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        READ.add(str(key))
        return super().__contains__(key)


def _recording(original: QueryDict) -> RecordingQueryDict:
    copy = RecordingQueryDict(mutable=True)
    for key, values in original.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


def recording_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        request.GET = _recording(request.GET)  # type: ignore[assignment]
        request.POST = _recording(request.POST)  # type: ignore[assignment]
        return get_response(request)

    return middleware


# people who between them may use every page (the expert leads the team assigned to s1)
USERS = ["admin", "east_office", "supervisor", "head", "unit_admin", "filler", "team_leader"]
JUNK: list[str | list[str]] = [
    "abc",
    "9" * 30,
    "-1",
    "",
    "x" * 10_000,
    "文明🀄\u202e",
    "a\x00b",
    ["1", "abc"],
]
# pages that end the session or change it for the rest of the walk
SKIP = {"logout"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _user(objects, name):  # noqa: F811
    if name == "team_leader":
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username="team_leader")
    return getattr(objects.people, name)


def _send(
    client,
    method: str,
    path: str,
    query: dict[str, Any],
    key: str | None = None,
    junk: object = None,
) -> tuple[int, str]:
    """GET with ``key`` in the query; POST with it in the body unless the URL carries it."""
    body: dict[str, Any] = {}
    if key is not None and (method == "GET" or key in query):
        query = {**query, key: junk}
    elif key is not None:
        body = {key: junk}
    url = f"{path}?{urlencode(query, doseq=True)}" if query else path
    try:
        response = client.get(url) if method == "GET" else client.post(url, body)
    except Exception as exc:  # any exception here is a 500 in production
        return 500, f"{type(exc).__name__}: {str(exc)[:200]}"
    html = ""
    kind = response.get("Content-Type", "")
    # pages, and the JSON answers of the Open311 intake (their descriptions are Chinese)
    if kind.startswith(("text/html", "application/json")) and not response.streaming:
        html = response.content.decode()
    return response.status_code, html


@pytest.mark.django_db(transaction=False)
def test_junk_in_every_parameter_never_gives_500(client, objects, settings):  # noqa: F811
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_junk_params.recording_middleware"]
    failures: list[str] = []
    walked = 0
    for name, (build, _allowed, _denied, post_only) in EXPECTED.items():
        if name in SKIP:
            continue
        split = urlsplit(build(objects))
        base = dict(parse_qsl(split.query, keep_blank_values=True))
        for method in ("POST",) if post_only else ("GET", "POST"):
            readers: dict[str, str] = {}
            for who in USERS:  # the first person the view reads parameters for
                client.force_login(_user(objects, who))
                READ.clear()
                _send(client, method, split.path, base)
                for key in READ | set(base):
                    readers.setdefault(key, who)
                if READ - set(base):
                    break
            for key, who in sorted(readers.items()):
                client.force_login(_user(objects, who))
                for junk in JUNK:
                    walked += 1
                    status, body = _send(client, method, split.path, base, key, junk)
                    where = f"{method} {name} {key}={str(junk)[:20]!r} as {who}"
                    if status >= 500:
                        failures.append(f"{where}: {status} {body[:200]}")
                    elif 400 <= status < 500 and status != 405 and not CJK.search(body):
                        failures.append(f"{where}: {status} without a Chinese message")
    assert walked > 500
    assert not failures, "\n".join(failures)


URL_JUNK = ["abc", "-1", "9" * 30, "x" * 1000, "文明🀄"]


def test_junk_in_every_url_part_never_gives_500(client, objects):  # noqa: F811
    """The parts of a URL the converters let through (any text for <str:>, any digits for <int:>)."""
    failures: list[str] = []
    walked = 0
    for name, (build, _allowed, _denied, post_only) in EXPECTED.items():
        match = resolve(urlsplit(build(objects)).path)
        for key, value in match.kwargs.items():
            for junk in URL_JUNK:
                if isinstance(value, int) and not junk.isdigit():
                    continue  # the converter answers 404 itself
                try:
                    url = reverse(name, kwargs={**match.kwargs, key: junk})
                except NoReverseMatch:
                    continue  # the converter (<slug:>) does not take it: 404 by itself
                for method in ("POST",) if post_only else ("GET", "POST"):
                    client.force_login(_user(objects, "admin"))
                    walked += 1
                    status, body = _send(client, method, url, {})
                    where = f"{method} {name} {key}={junk[:20]!r}"
                    if status >= 500:
                        failures.append(f"{where}: {status} {body[:200]}")
                    elif 400 <= status < 500 and status != 405 and not CJK.search(body):
                        failures.append(f"{where}: {status} without a Chinese message")
    assert walked > 100
    assert not failures, "\n".join(failures)


def test_junk_in_every_import_context_never_gives_500(client, objects):  # noqa: F811
    """The import pages pass their query string on to the importer as its context, read by
    keys each importer declares (context_keys), not through request.GET: walk those too."""
    from wenming.imports.base import REGISTRY

    failures: list[str] = []
    walked = 0
    for kind, importer in REGISTRY.items():
        for key in importer.context_keys:
            for junk in JUNK:
                for who in ("admin", "east_office", "unit_admin"):
                    client.force_login(_user(objects, who))
                    for name in ("imports:upload", "imports:export"):
                        walked += 1
                        path = reverse(name, args=[kind])
                        status, body = _send(client, "GET", path, {}, key, junk)
                        if status >= 500:
                            failures.append(f"{name} {kind} {key}={str(junk)[:20]!r}: {body[:200]}")
    assert walked > 50
    assert not failures, "\n".join(failures)
