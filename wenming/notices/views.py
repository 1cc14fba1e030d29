from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.notices.models import Notice
from wenming.notices.selectors import notices_of
from wenming.notices.services import notice_read, notice_reply, replied_elsewhere
from wenming.notices.todo import todo_table_rows, todos_for
from wenming.web.actor import actor
from wenming.web.paging import ListPaginator
from wenming.web.params import params


@login_required
def todo_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    todos = todos_for(actor(request), today=today)
    only_overdue = request.GET.get("tab") == "overdue"
    shown = [t for t in todos if t.overdue] if only_overdue else todos
    return render(
        request,
        "notices/todo.html",
        {
            "todos": shown,
            "todo_rows": todo_table_rows(shown),
            "only_overdue": only_overdue,
            "count_all": len(todos),
            "count_overdue": sum(t.overdue for t in todos),
            "today": today,
        },
    )


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    page = ListPaginator(notices_of(actor(request)), 50).get_page(request.GET.get("page"))
    return render(request, "notices/list.html", {"page": page, "today": timezone.localdate()})


def _own_notice(request: HttpRequest, pk: int) -> Notice:
    notice = notices_of(actor(request)).filter(pk=pk).first()
    if notice is None:
        raise Http404("通知不存在")
    return notice


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_notice(request, pk)
    notice_read(actor=actor(request), notice=notice)
    return render(
        request,
        "notices/detail.html",
        {"notice": notice, "reply_elsewhere": replied_elsewhere(notice)},
    )


class ReplyParams(forms.Form):
    reply = forms.CharField(label="回复", required=False, max_length=20_000)


@login_required
@require_POST
def notice_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_notice(request, pk)
    text = params(request.POST, ReplyParams)["reply"]
    try:
        notice_reply(actor=actor(request), notice=notice, text=text)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已回复")
    return redirect("notices:detail", pk=notice.pk)
