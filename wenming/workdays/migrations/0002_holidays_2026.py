"""2026, from 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)."""

from datetime import date, timedelta

from django.db import migrations

HOLIDAYS = [
    ("元旦", date(2026, 1, 1), date(2026, 1, 3)),
    ("春节", date(2026, 2, 15), date(2026, 2, 23)),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6)),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5)),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21)),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27)),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
]
WORKDAYS = [
    ("元旦调休上班", date(2026, 1, 4)),
    ("春节调休上班", date(2026, 2, 14)),
    ("春节调休上班", date(2026, 2, 28)),
    ("劳动节调休上班", date(2026, 5, 9)),
    ("国庆节调休上班", date(2026, 9, 20)),
    ("国庆节调休上班", date(2026, 10, 10)),
]


def load(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    rows = []
    for name, first, last in HOLIDAYS:
        day = first
        while day <= last:
            rows.append(CalendarDay(day=day, is_workday=False, name=name))
            day += timedelta(days=1)
    rows += [CalendarDay(day=day, is_workday=True, name=name) for name, day in WORKDAYS]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.filter(
        day__gte=date(2026, 1, 1), day__lte=date(2026, 12, 31)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
