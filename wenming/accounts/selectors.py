"""Who holds a role over a unit (reads only; the scope for "what may this person see" is scope.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.accounts.models import Role, RoleGrant


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


def people_by_unit(unit_ids: Iterable[int], *roles: str) -> dict[int, list[User]]:
    """Each unit's people holding any of these roles, for many units in one query."""
    out: dict[int, list[User]] = {}
    grants = RoleGrant.objects.filter(role__in=roles, unit_id__in=list(unit_ids)).select_related(
        "user"
    )
    for grant in grants.order_by("unit_id", "user_id"):
        assert grant.unit_id is not None
        people = out.setdefault(grant.unit_id, [])
        if grant.user not in people:
            people.append(grant.user)
    return out


def offices_by_region(region_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each region's office staff (测评办公室人员 granted for exactly that region), one query;
    not the system accounts that hold an office's grant (the citizen intake, API service
    tokens): no person reads their notices."""
    out: dict[int, list[User]] = {}
    grants = (
        RoleGrant.objects.filter(role=Role.OFFICE, region_id__in=list(region_ids))
        .exclude(user__account__system=True)
        .select_related("user")
    )
    for grant in grants.order_by("region_id", "user_id"):
        assert grant.region_id is not None
        out.setdefault(grant.region_id, []).append(grant.user)
    return out
