from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from wenming.organizations.models import Unit
from wenming.titles.models import LEVELS, Title, TitleStatus


def current_titles(qs: QuerySet[Title], *, as_of: date) -> QuerySet[Title]:
    """Valid on ``as_of``: not suspended or revoked, term not over."""
    return qs.filter(status=TitleStatus.VALID, valid_until__gte=as_of)


def titles_of(unit: Unit) -> QuerySet[Title]:
    return (
        Title.objects.filter(unit=unit)
        .select_related("naming_authority")
        .prefetch_related("warnings", "rechecks")
    )


def held_previous(unit: Unit, *, kind: str, level: str, year: int) -> bool:
    """ "上一届" for a campaign of ``year``: a title of this kind at this level or above, granted
    for an earlier year, not revoked or suspended, whose term had not ended before the previous
    year began (valid until 1 January of ``year - 1`` or later)."""
    levels = LEVELS[LEVELS.index(level) :] if level in LEVELS else [level]
    return Title.objects.filter(
        unit=unit,
        kind=kind,
        level__in=levels,
        year__lt=year,
        status=TitleStatus.VALID,
        valid_until__gte=date(year - 1, 1, 1),
    ).exists()


def titles_due_for_recheck(qs: QuerySet[Title], *, year: int, as_of: date) -> QuerySet[Title]:
    """Current holders granted before ``year`` with no 复查 recorded for ``year`` yet."""
    return current_titles(qs, as_of=as_of).filter(year__lt=year).exclude(rechecks__year=year)
