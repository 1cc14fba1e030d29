"""Working days in China: Monday to Friday, except public holidays, plus adjusted working
weekend days (调休). The exceptions are data (``CalendarDay``) an administrator edits; 2026 ships.

Conventions (used for publicity windows): ``period_end(start, n, working=True)`` is the n-th
working day counted from ``start`` itself (``start`` counts when it is a working day), so a
5-working-day publicity published on a Monday with no holiday ends on that Friday. With
``working=False`` it is ``start + n - 1`` calendar days.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from wenming.audit.services import audit_record
from wenming.workdays.models import CalendarDay

MAX_SPAN_DAYS = 3 * 366  # no publicity or deadline runs longer; guards against endless loops


def _exceptions(first: date, last: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "is_workday")
    )


def is_workday(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    found = (exceptions if exceptions is not None else _exceptions(day, day)).get(day)
    return found if found is not None else day.weekday() < 5


def period_end(start: date, days: int, *, working: bool) -> date:
    if days < 1:
        raise ValueError("天数至少为1")
    if not working:
        return start + timedelta(days=days - 1)
    exceptions = _exceptions(start, start + timedelta(days=MAX_SPAN_DAYS))
    counted, day = 0, start
    for _ in range(MAX_SPAN_DAYS):
        if is_workday(day, exceptions):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)
    raise ValueError("工作日数过大")


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted)."""
    return period_end(start + timedelta(days=1), n, working=True)


def working_days_between(first: date, last: date) -> int:
    """Working days in [first, last]."""
    if last < first:
        return 0
    exceptions = _exceptions(first, last)
    return sum(
        is_workday(first + timedelta(days=i), exceptions) for i in range((last - first).days + 1)
    )


@transaction.atomic
def calendar_day_set(*, actor: User, day: date, is_workday: bool, name: str) -> CalendarDay:
    if not name.strip():
        raise ValueError("请填写名称,如“春节”或“春节调休上班”")
    old = CalendarDay.objects.filter(day=day).first()
    entry, _ = CalendarDay.objects.update_or_create(
        day=day, defaults={"is_workday": is_workday, "name": name.strip()[:40]}
    )
    audit_record(
        actor=actor,
        action="calendar.set",
        obj=entry,
        old=str(old) if old else "",
        new=str(entry),
    )
    return entry


@transaction.atomic
def calendar_day_remove(*, actor: User, day: date) -> None:
    entry = CalendarDay.objects.filter(day=day).first()
    if entry is None:
        raise ValueError("该日期没有设置")
    audit_record(actor=actor, action="calendar.remove", obj=entry, old=str(entry))
    entry.delete()
