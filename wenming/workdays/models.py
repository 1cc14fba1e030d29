from __future__ import annotations

from django.db import models


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday (is_workday False) or an
    adjusted working day (调休上班, is_workday True). Holidays falling on weekends are kept too,
    with their names, so the calendar page shows the whole holiday."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班")
    name = models.CharField("名称", max_length=40)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}{'(上班)' if self.is_workday else ''}"
