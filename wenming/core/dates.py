"""Dates as people type them and spreadsheets store them: the one place that reads them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def date_of(value: Any) -> date | None:
    """A date from a form field or a spreadsheet cell: a date, a datetime (its day) or text such
    as ``2026-06-30`` (also written ``2026/06/30`` or ``2026.06.30``); None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip().replace("/", "-").replace(".", "-"))
        except ValueError:
            return None
    return None
