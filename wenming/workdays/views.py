from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from wenming.accounts.scope import scope_for
from wenming.web.actor import actor
from wenming.web.params import errors_text, params
from wenming.workdays.forms import DayForm, YearParam
from wenming.workdays.models import CalendarDay
from wenming.workdays.services import calendar_day_remove, calendar_day_set


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The year's holidays and adjusted working days; a system administrator edits them."""
    user = actor(request)
    can_edit = scope_for(user).is_admin
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有系统管理员可以维护节假日")
        form = DayForm(request.POST)
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect(request.path)
        f = form.cleaned_data
        day = f["day"]
        try:
            if f["remove"]:
                calendar_day_remove(actor=user, day=day)
                messages.success(request, f"已删除 {day:%Y-%m-%d} 的设置")
            else:
                calendar_day_set(
                    actor=user,
                    day=day,
                    is_workday=f["is_workday"] == "1",
                    name=f["name"],
                )
                messages.success(request, f"已保存 {day:%Y-%m-%d}")
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect(f"{request.path}?year={day.year}")
    year = params(request.GET, YearParam)["year"] or timezone.localdate().year
    days = CalendarDay.objects.filter(day__year=year)
    return render(
        request,
        "workdays/calendar.html",
        {"year": year, "days": days, "can_edit": can_edit},
    )
