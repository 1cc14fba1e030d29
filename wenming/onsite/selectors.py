"""Reads of on-site evaluation: who is assigned where, and what an expert may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet
from django.http import Http404

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application, Campaign, Phase, State
from wenming.draws.selectors import draw_current, drawn_application_ids
from wenming.onsite.models import Assignment, Expert, OnsiteSettings, Team, TeamMember


def assignable_applications(campaign: Campaign) -> QuerySet[Application]:
    """The applications a team may be sent to: the one place that answers it.

    Applications under review; once the campaign has a recorded draw (现场抽签), only the units
    the draw in force picked (a redraw replaces the earlier list)."""

    rows = Application.objects.filter(campaign=campaign, state=State.IN_REVIEW)
    draw = draw_current(campaign)
    if draw is not None:
        rows = rows.filter(pk__in=drawn_application_ids(draw))
    return rows


def settings_of(campaign: Campaign) -> OnsiteSettings:
    found = OnsiteSettings.objects.filter(campaign=campaign).first()
    return found if found is not None else OnsiteSettings(campaign=campaign)


def expert_of(user: User | AnonymousUser) -> Expert | None:
    if not user.is_authenticated:
        return None
    return Expert.objects.filter(user=user).select_related("home_unit", "region").first()


def assigned_unit_ids(user: User, roles: frozenset[str]) -> list[int]:
    """Units the expert's teams are assigned to, in campaigns not yet closed: the scope source
    registered in ``OnsiteConfig.ready()`` (an expert reads these units, nothing more)."""
    if Role.EXPERT not in roles:
        return []
    return list(
        Assignment.objects.filter(
            team__members__expert__user=user,
        )
        .exclude(campaign__phase__in=[Phase.CLOSED, Phase.CANCELLED])
        .values_list("unit_id", flat=True)
        .distinct()
    )


def assignments_of_expert(user: User | AnonymousUser) -> QuerySet[Assignment]:
    """The assignments of the expert's teams, and nothing else."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(team__members__expert__user=user)
        .exclude(campaign__phase__in=[Phase.CLOSED, Phase.CANCELLED])
        .select_related("team", "team__leader", "unit", "campaign", "application")
        .order_by("campaign_id", "unit__name")
    )


def assignment_get_for_expert(user: User | AnonymousUser, pk: int) -> Assignment:
    """The assignment if the person is in its team (or runs the campaign); otherwise 404."""

    found = (
        Assignment.objects.select_related(
            "team",
            "team__leader",
            "unit",
            "unit__region",
            "campaign",
            "campaign__edition",
            "campaign__region",
            "application",
            "application__assessment",
        )
        # the framework's text (tens of KB) is read only when its engine is not yet compiled
        .defer("campaign__edition__source")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("分派不存在或无权查看")
    if (
        user.is_authenticated
        and TeamMember.objects.filter(team_id=found.team_id, expert__user_id=user.pk).exists()
    ):
        return found
    if scope_for(user).is_admin or runs_campaign(user, found.campaign):
        return found
    raise Http404("分派不存在或无权查看")


def is_leader(user: User | AnonymousUser, assignment: Assignment) -> bool:
    return assignment.team.leader.user_id == user.pk


def team_loads(campaign: Campaign) -> dict[int, int]:
    """Team id → number of units assigned (one GROUP BY)."""
    rows = (
        Assignment.objects.filter(campaign=campaign)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
        .order_by()
    )
    loads = dict.fromkeys(Team.objects.filter(campaign=campaign).values_list("id", flat=True), 0)
    loads.update(rows)
    return loads
