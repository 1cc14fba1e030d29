from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wenming.frameworks.selectors import framework_edition_list
from wenming.notices.todo import todo_table_rows, todos_for
from wenming.web.actor import actor

HOME_TODOS = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    todos = todos_for(actor(request), today=timezone.localdate())
    return render(
        request,
        "web/home.html",
        {
            "editions": framework_edition_list()[:20],
            "todos": todos[:HOME_TODOS],
            "todo_rows": todo_table_rows(todos[:HOME_TODOS]),
            "todo_count": len(todos),
            "overdue_count": sum(t.overdue for t in todos),
        },
    )
