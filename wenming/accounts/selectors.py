"""Who holds a role over a unit (reads only; the scope for "what may this person see" is scope.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.accounts.models import Role


def unit_admins(unit_id: int) -> QuerySet[User]:
    """The people who administer the unit (told about its applications, titles and warnings)."""
    return unit_people(unit_id, Role.UNIT_ADMIN)


def unit_people(unit_id: int, *roles: str) -> QuerySet[User]:
    """The people holding any of these roles for the unit (head, administrator, filler)."""
    return User.objects.filter(grants__role__in=roles, grants__unit_id=unit_id).distinct()


def admins_of_units(unit_ids: Iterable[int] | QuerySet[Any]) -> QuerySet[User]:
    """The administrators of any of these units (told about a campaign they applied to)."""
    return User.objects.filter(
        grants__role=Role.UNIT_ADMIN, grants__unit_id__in=unit_ids
    ).distinct()
