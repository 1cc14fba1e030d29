from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from wenming.accounts.scope import scope_for
from wenming.web.context import actor
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
        try:
            day = dt.date.fromisoformat(request.POST.get("day", ""))
            if request.POST.get("remove"):
                calendar_day_remove(actor=user, day=day)
                messages.success(request, f"已删除 {day:%Y-%m-%d} 的设置")
            else:
                calendar_day_set(
                    actor=user,
                    day=day,
                    is_workday=request.POST.get("is_workday") == "1",
                    name=request.POST.get("name", ""),
                )
                messages.success(request, f"已保存 {day:%Y-%m-%d}")
        except ValueError as exc:
            messages.error(
                request, "日期格式应为2026-10-01" if "isoformat" in str(exc) else str(exc)
            )
        return redirect(f"{request.path}?year={request.POST.get('day', '')[:4]}")
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else timezone.localdate().year
    days = CalendarDay.objects.filter(day__year=year)
    return render(
        request,
        "workdays/calendar.html",
        {"year": year, "days": days, "can_edit": can_edit},
    )
