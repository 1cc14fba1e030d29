"""Request checks that hold for every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

NUL_REFUSED = "提交的内容含有空字符(NUL),无法保存;请检查后重新填写"
# a path segment of more digits than a 64-bit id has: the int converter accepts it, the
# database cannot compare with it (SQLite raises OverflowError), and no page has such an id
HUGE_ID = re.compile(r"(?:^|/)\d{19,}(?=/|\.|$)")


class RefuseNulMiddleware:
    """No field of any form holds a NUL character, and PostgreSQL cannot store one in text:
    refuse the request (400) before a view tries. Ids too large to be ids are not found (404)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if HUGE_ID.search(request.path):
            raise Http404("页面不存在")
        data = [request.GET] + ([request.POST] if request.method == "POST" else [])
        for query in data:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    raise BadRequest(NUL_REFUSED)
        return self.get_response(request)
