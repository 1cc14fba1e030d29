"""Who may do what in a campaign: every view and service asks here (built on the scope)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.models import Role
from wenming.accounts.scope import (
    ancestor_paths,
    scope_for,
    scope_key,
    scoped_get,
    units_visible_to,
)
from wenming.campaigns.models import Application, Campaign, Reward
from wenming.web.db.prepared import PreparedPerKey


def runs_campaign(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """An office of the campaign's region (or above) runs it: publishes, extends, approves."""
    return scope_for(user).covers_region(campaign.region)


def _visible(user: User | AnonymousUser) -> tuple[Hashable, Q | None]:
    """The campaigns' filter (None: every campaign) and a key naming everything it depends on:
    the scope, and for unit people the regions of their units."""
    scope = scope_for(user)
    if scope.is_admin:
        return "all", None
    q = scope.regions_q("region__path")  # the offices' regions and below
    for path in scope.region_paths:
        q |= Q(region__path__in=ancestor_paths(path))
    if scope.roles == {Role.OFFICE} and not scope.assigned_units:
        # every unit an office alone sees lies in its regions: their ancestors are above
        return scope_key(scope), q
    units = sorted(set(units_visible_to(user).values_list("region_path", flat=True)[:50]))
    for unit_path in units:
        q |= Q(region__path__in=ancestor_paths(unit_path))
    return (scope_key(scope), tuple(units)), q


def campaigns_visible_to(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """Offices see campaigns of their region, above and below; units and supervisors see the
    campaigns that cover them."""
    _, q = _visible(user)
    return _campaigns(q)


def _campaigns(q: Q | None) -> QuerySet[Campaign]:
    # an edition's framework text is large and read only to compile it (once per process)
    qs = Campaign.objects.select_related("region", "edition").defer("edition__source")
    return qs if q is None else qs.filter(q).distinct()


def campaigns_visible_list(
    user: User | AnonymousUser,
    prepared: PreparedPerKey[Campaign],
    narrow: Callable[[QuerySet[Campaign]], QuerySet[Campaign]],
) -> list[Campaign]:
    """``narrow(campaigns_visible_to(user))`` as a list, its SQL written once per process for
    each scope (``prepared`` belongs to one ``narrow``; building and compiling the query cost
    several times running it). For the lists every page of a kind shows."""
    key, q = _visible(user)
    return prepared.list(key, lambda: narrow(_campaigns(q)))


def campaign_get_for_user(user: User | AnonymousUser, pk: int) -> Campaign:
    """The campaign if the person may see it; otherwise 404."""
    return scoped_get(campaigns_visible_to(user), pk, missing="活动不存在或无权查看")


def applications_visible_to(user: User | AnonymousUser) -> QuerySet[Application]:
    return Application.objects.filter(
        scope_for(user).q(path="region_path", unit="unit_id", body="supervisor_id")
    )


def rewards_visible_to(user: User | AnonymousUser) -> QuerySet[Reward]:
    """Rewards (奖励) of the units the person may see."""
    return Reward.objects.filter(scope_for(user).via_unit_q(assigned=False))


def can_act_on_step(
    user: User | AnonymousUser, application: Application, step: dict[str, Any]
) -> bool:
    """Does this person act for the step the application waits on?"""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    if step["role"] == "supervisor":
        return Role.SUPERVISOR in scope.roles and scope.supervises_body(application.supervisor_id)
    return scope.covers_region(application.region_path, level=step.get("level"))


def can_prepare(user: User | AnonymousUser, unit_id: int) -> bool:
    return scope_for(user).holds(Role.UNIT_ADMIN, unit_id)


def can_sign_as_head(user: User | AnonymousUser, unit_id: int) -> bool:
    return scope_for(user).holds(Role.UNIT_HEAD, unit_id)
