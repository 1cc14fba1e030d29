"""Dates from forms and spreadsheet cells, read in one place."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from wenming.core.dates import date_of


@pytest.mark.parametrize(
    "value",
    ["2026-06-30", " 2026/06/30 ", "2026.06.30", date(2026, 6, 30), datetime(2026, 6, 30, 9, 15)],
)
def test_a_date_however_it_was_written_or_stored(value):
    assert date_of(value) == date(2026, 6, 30)


@pytest.mark.parametrize("value", [None, "", "下周一", "2026-02-30", "30/06/2026", 45838])
def test_what_is_not_a_date_gives_none(value):
    assert date_of(value) is None
