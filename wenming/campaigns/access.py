"""Who may do what in a campaign: every view and service asks here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.models import Role, RoleGrant
from wenming.accounts.scope import path_prefix_q, scope_for
from wenming.campaigns.models import Application, Campaign
from wenming.organizations.models import Unit


def office_levels(user: User | AnonymousUser) -> list[tuple[str, int]]:
    """(region path, region level) of each office grant the person holds."""
    if not user.is_authenticated:
        return []
    cached: list[tuple[str, int]] | None = getattr(user, "_wenming_office_levels", None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(user=user, role=Role.OFFICE).values_list(
                "region__path", "region__level"
            )
        )
        setattr(user, "_wenming_office_levels", cached)  # noqa: B010
    return cached


def runs_campaign(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """An office of the campaign's region (or above) runs it: publishes, extends, approves."""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return any(campaign.region.path.startswith(path) for path, _ in office_levels(user))


def campaigns_visible_to(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """Offices see campaigns of their region, above and below; units and supervisors see the
    campaigns that cover them."""
    scope = scope_for(user)
    qs = Campaign.objects.select_related("region", "edition")
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    for path, _ in office_levels(user):
        q |= path_prefix_q("region__path", path)
        ancestors = [p for p in _ancestor_paths(path)]
        q |= Q(region__path__in=ancestors)
    units = list(Unit.objects.filter(scope.units_q()).values_list("region_path", flat=True)[:50])
    for unit_path in set(units):
        q |= Q(region__path__in=list(_ancestor_paths(unit_path)))
    return qs.filter(q).distinct()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def applications_visible_to(user: User | AnonymousUser) -> QuerySet[Application]:
    scope = scope_for(user)
    qs = Application.objects.all()
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    for path in scope.region_paths:
        q |= path_prefix_q("region_path", path)
    if scope.supervised_by:
        q |= Q(supervisor_id__in=scope.supervised_by)
    if scope.own_units:
        q |= Q(unit_id__in=scope.own_units)
    return qs.filter(q)


def can_act_on_step(
    user: User | AnonymousUser, application: Application, step: dict[str, Any]
) -> bool:
    """Does this person act for the step the application waits on?"""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    if step["role"] == "supervisor":
        return Role.SUPERVISOR in scope.roles and application.supervisor_id in scope.supervised_by
    level = step.get("level")
    return any(
        application.region_path.startswith(path) and (level is None or level == region_level)
        for path, region_level in office_levels(user)
    )


def can_prepare(user: User | AnonymousUser, unit_id: int) -> bool:
    return scope_for(user).holds(Role.UNIT_ADMIN, unit_id)


def can_sign_as_head(user: User | AnonymousUser, unit_id: int) -> bool:
    return scope_for(user).holds(Role.UNIT_HEAD, unit_id)
