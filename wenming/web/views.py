from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wenming.frameworks.selectors import framework_edition_list
from wenming.ledger.assignments import assignments_for_person, overdue, overdue_for_unit_admin
from wenming.web.context import actor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    today = timezone.localdate()
    mine_late = overdue(assignments_for_person(user), today).count()
    unit_late = overdue_for_unit_admin(user).count()
    return render(
        request,
        "web/home.html",
        {"editions": framework_edition_list()[:20], "mine_late": mine_late, "unit_late": unit_late},
    )
