"""Sending teams to units: conflict-of-interest rules (回避) and a balanced automatic split."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application, Campaign
from wenming.onsite.errors import NOT_ORGANISER, OnsiteRefused
from wenming.onsite.models import Assignment, Expert, OnsiteSettings, Team, TeamMember
from wenming.onsite.selectors import assignable_applications, settings_of, team_loads
from wenming.organizations.models import RegionLevel, Unit


def township_path(expert: Expert) -> str | None:
    """The path of the expert's township (乡镇街道), if their region is at or below one."""
    region = expert.region
    if region.level == RegionLevel.TOWNSHIP:
        return region.path
    if region.level == RegionLevel.COMMUNITY and region.parent is not None:
        return region.parent.path
    return None


def conflict(expert: Expert, unit: Unit, rules: OnsiteSettings) -> str | None:
    """Why this expert may not evaluate this unit (Chinese), or None."""
    if expert.home_unit_id is not None and expert.home_unit_id == unit.pk:
        return f"专家{expert.name}来自{unit.name}本单位,须回避"
    if expert.home_unit_id is not None and unit.supervisor_id == expert.home_unit_id:
        return f"专家{expert.name}所在单位是{unit.name}的主管部门,须回避"
    if rules.exclude_own_township:
        town = township_path(expert)
        if town is not None and unit.region_path.startswith(town):
            return f"本活动要求回避本乡镇(街道):专家{expert.name}与{unit.name}同属一个乡镇(街道)"
    return None


def team_conflict(experts: list[Expert], unit: Unit, rules: OnsiteSettings) -> str | None:
    for expert in experts:
        reason = conflict(expert, unit, rules)
        if reason is not None:
            return reason
    return None


def _experts_of(team_ids: list[int]) -> dict[int, list[Expert]]:
    out: dict[int, list[Expert]] = {t: [] for t in team_ids}
    for team_id, expert in (
        (m.team_id, m.expert)
        for m in TeamMember.objects.filter(team_id__in=team_ids)
        .select_related("expert", "expert__region", "expert__region__parent")
        .order_by("id")
    ):
        out[team_id].append(expert)
    return out


@transaction.atomic
def assignment_create(*, actor: User, team: Team, application: Application) -> Assignment:
    """Send ``team`` to the application's unit, refusing a conflict of interest."""
    campaign = team.campaign
    if not runs_campaign(actor, campaign):
        raise OnsiteRefused(NOT_ORGANISER)
    found = (
        assignable_applications(campaign).select_related("unit").filter(pk=application.pk).first()
    )
    if found is None:
        raise OnsiteRefused("该申报不在本活动的现场测评名单中")
    application = found
    existing = Assignment.objects.filter(application=application).select_related("team").first()
    if existing is not None:
        raise OnsiteRefused(f"{application.unit.name}已分派给{existing.team.name}")
    reason = team_conflict(_experts_of([team.pk])[team.pk], application.unit, settings_of(campaign))
    if reason is not None:
        raise OnsiteRefused(f"不能将{team.name}分派到{application.unit.name}:{reason}")
    assignment = Assignment.objects.create(
        campaign=campaign,
        team=team,
        application=application,
        unit=application.unit,
        assigned_by=actor,
    )
    audit_record(actor=actor, action="onsite.assign", obj=assignment, new=str(assignment))
    return assignment


@dataclass
class AutoAssignResult:
    assigned: list[Assignment]
    refused: list[tuple[Application, str]]


@transaction.atomic
def assignments_auto(*, actor: User, campaign: Campaign) -> AutoAssignResult:
    """Give every unassigned unit to the least-loaded team without a conflict of interest.

    Units are taken in region order; ties go to the team created first, so the same input
    gives the same split. A unit no team may take is reported with the reason.
    """
    if not runs_campaign(actor, campaign):
        raise OnsiteRefused(NOT_ORGANISER)
    teams = list(Team.objects.filter(campaign=campaign).order_by("id"))
    if not teams:
        raise OnsiteRefused("请先组建测评组")
    experts = _experts_of([t.pk for t in teams])
    loads = team_loads(campaign)
    rules = settings_of(campaign)
    pending = (
        assignable_applications(campaign)
        .exclude(pk__in=Assignment.objects.filter(campaign=campaign).values("application_id"))
        .select_related("unit")
        .order_by("region_path", "id")
    )
    result = AutoAssignResult([], [])
    for application in pending:
        reasons = []
        free = []
        for team in teams:
            reason = team_conflict(experts[team.pk], application.unit, rules)
            if reason is None:
                free.append(team)
            else:
                reasons.append(f"{team.name}:{reason}")
        if not free:
            result.refused.append(
                (application, "没有可回避冲突的测评组(" + ";".join(reasons) + ")")
            )
            continue
        team = min(free, key=lambda t: (loads[t.pk], t.pk))
        loads[team.pk] += 1
        result.assigned.append(
            Assignment(
                campaign=campaign,
                team=team,
                application=application,
                unit=application.unit,
                assigned_by=actor,
            )
        )
    Assignment.objects.bulk_create(result.assigned)
    audit_record(
        actor=actor,
        action="onsite.assign",
        obj=campaign,
        new=f"自动分派{len(result.assigned)}个单位",
        comment=f"{len(result.refused)}个单位无法分派" if result.refused else "",
    )
    return result
