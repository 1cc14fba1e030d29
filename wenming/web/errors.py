"""Error pages in Chinese inside the product's layout (400, 403, 404, 500, CSRF failure).

The 500 page is rendered without the request: no context processors, no database, no session,
since any of them may be what failed.
"""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)
CJK = re.compile(r"[\u4e00-\u9fff]")

PAGES = {
    400: ("请求有误", "页面收到的内容不符合要求,未作任何修改。请返回上一页检查后重试。"),
    403: (
        "没有权限",
        "您的账号不能使用这个页面或执行这项操作。如有需要,请联系本单位管理员或文明办。",
    ),
    404: ("页面不存在", "要找的页面或记录不存在,或者不在您的查看范围内。"),
    500: (
        "系统出错",
        "服务器处理时出了问题,已记录下来,您的操作可能没有完成。请稍后重试;如果一再出现,请联系系统管理员。",
    ),
}
CSRF_MESSAGE = (
    "页面已过期或来源无法验证(可能停留太久、已在别处退出,或浏览器禁用了 Cookie),"
    "本次提交没有保存。请返回上一页,刷新后重新提交。"
)


def _detail(exception: BaseException | None) -> str:
    """The exception's own message when it is written for people (Chinese), else nothing."""
    text = str(exception.args[0]) if exception is not None and exception.args else ""
    return text if CJK.search(text) else ""


def _page(request: HttpRequest | None, status: int, detail: str = "") -> HttpResponse:
    title, message = PAGES[status]
    context = {"status": status, "title": title, "message": message, "detail": detail}
    template = loader.get_template("web/error.html")
    html = None
    if request is not None:
        try:
            html = template.render(context, request)
        except Exception:  # the layout's context (session, database) may be what is broken
            logger.exception("error page with layout failed; serving the plain one")
    if html is None:
        html = template.render(context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, 400, _detail(exception))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, 403, _detail(exception))


API_PREFIX = "/api/v1/"


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):  # a program asked: answer as the API does
        return JsonResponse({"code": "not_found", "message": "接口地址不存在"}, status=404)
    return _page(request, 404, _detail(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, 403, CSRF_MESSAGE)
