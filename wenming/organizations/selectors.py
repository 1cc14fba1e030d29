"""Reads of units, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.scope import (
    path_prefix_q,
    regions_visible_to,
    scope_for,
    scope_key,
    units_visible_to,
)
from wenming.organizations.models import Unit, UnitType
from wenming.web.cache import kept_until_changed


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    region: int | None = None
    unit_type: int | None = None
    supervisor: int | None = None


def unit_list(*, user: User | AnonymousUser, filters: UnitFilters) -> QuerySet[Unit]:
    qs = units_visible_to(user)
    if filters.q:
        if filters.q.isascii():
            match = Q(name__icontains=filters.q)
            if filters.q.isalnum():
                match |= Q(credit_code__startswith=filters.q.upper())
        else:
            # Chinese has no case: a plain LIKE skips UPPER() on every row (PostgreSQL)
            match = Q(name__contains=filters.q)
        qs = qs.filter(match)
    if filters.region:
        region = regions_visible_to(user).filter(pk=filters.region).only("path").first()
        qs = qs.filter(path_prefix_q("region_path", region.path)) if region else qs.none()
    if filters.unit_type:
        qs = qs.filter(unit_type_id=filters.unit_type)
    if filters.supervisor:
        qs = qs.filter(supervisor_id=filters.supervisor)
    return (
        qs.select_related("unit_type", "region", "supervisor")
        .only(
            "name",
            "credit_code",
            "headcount",
            "stage",
            "unit_type__name",
            "region__name",
            "supervisor__name",
        )
        .order_by("region_path", "name", "id")
    )


# the unit list's columns, as plain rows (building model instances was a fifth of the page)
UNIT_ROW = (
    "pk",
    "name",
    "stage",
    "unit_type__name",
    "region__name",
    "supervisor__name",
    "credit_code",
    "headcount",
)


def unit_filter_choices(*, user: User | AnonymousUser) -> dict[str, list[tuple[int, str]]]:
    """The filters' options as (id, label) pairs: regions indented by depth, unit types and
    supervising bodies. Kept until an audited change commits (regions and units change only so),
    per scope: three queries a page otherwise."""
    return kept_until_changed(
        f"unit-filters:{scope_key(scope_for(user))}", lambda: _unit_filter_choices(user)
    )


def _unit_filter_choices(user: User | AnonymousUser) -> dict[str, list[tuple[int, str]]]:
    visible = units_visible_to(user)
    regions = regions_visible_to(user).filter(level__lte=4).values_list("pk", "name", "path")
    return {
        "regions": [(pk, region_depth_label(name, path)) for pk, name, path in regions],
        "types": list(UnitType.objects.values_list("pk", "name")),
        "supervisors": list(
            visible.filter(supervises=True)
            .order_by("region_path", "name")
            .values_list("pk", "name")
        ),
    }


def region_depth_label(name: str, path: str) -> str:
    return "　" * (path.count("/") - 2) + name
