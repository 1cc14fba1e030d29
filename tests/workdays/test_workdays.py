"""Working days follow the State Council's 2026 holiday schedule, worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from wenming.workdays.services import (
    add_working_days,
    is_workday,
    period_end,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (date(2026, 9, 18), 5, date(2026, 9, 23)),  # Sunday 9-20 is a working day (国庆调休)
        (date(2026, 9, 23), 5, date(2026, 9, 30)),  # 中秋 9-25…27
        (date(2026, 9, 30), 5, date(2026, 10, 12)),  # 国庆 10-1…7, Saturday 10-10 works
        (date(2026, 2, 12), 5, date(2026, 2, 25)),  # Saturday 2-14 works, 春节 2-15…23
        (date(2026, 3, 2), 5, date(2026, 3, 6)),  # an ordinary week
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # published on a Saturday: Monday is day 1
    ],
)
def test_publicity_windows_in_working_days(start, days, end):
    assert period_end(start, days, working=True) == end


def test_calendar_days_and_counting():
    assert period_end(date(2026, 9, 30), 7, working=False) == date(2026, 10, 6)
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 10)) == 3
    assert add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 6)
    assert is_workday(date(2026, 1, 4)) and not is_workday(date(2026, 1, 1))
    with pytest.raises(ValueError, match="天数至少为1"):
        period_end(date(2026, 1, 1), 0, working=True)


@settings(max_examples=40, deadline=None)
@given(start=st.dates(date(2025, 11, 1), date(2027, 2, 1)), n=st.integers(1, 30))
def test_adding_working_days_lands_on_one_and_agrees_with_counting(start, n):
    end = add_working_days(start, n)
    assert is_workday(end)
    assert working_days_between(start + timedelta(days=1), end) == n


def test_only_the_system_administrator_edits_the_calendar(client, world):
    url = reverse("workdays:calendar") + "?year=2026"
    client.force_login(world.people.east_office)
    page = client.get(url).content.decode()
    assert "2026-10-10" in page and "国庆节调休上班" in page
    assert (
        client.post(url, {"day": "2026-12-31", "name": "跨年", "is_workday": "0"}).status_code
        == 403
    )
    client.force_login(world.people.admin)
    client.post(url, {"day": "2026-12-31", "name": "地方假日", "is_workday": "0"})
    assert not is_workday(date(2026, 12, 31))
    from wenming.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="calendar.set").exists()
