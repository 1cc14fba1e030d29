"""Experts and teams (专家与测评组): writes, each one atomic and audited."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from wenming.accounts.models import Role, RoleGrant
from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Campaign
from wenming.onsite.errors import NOT_ORGANISER, OnsiteRefused
from wenming.onsite.models import Expert, OnsiteSettings, Rule, Team, TeamMember
from wenming.organizations.models import Region, Unit


def _organiser(actor: User, campaign: Campaign) -> None:
    if not runs_campaign(actor, campaign):
        raise OnsiteRefused(NOT_ORGANISER)


@transaction.atomic
def expert_save(
    *,
    actor: User,
    user: User,
    name: str,
    region: Region,
    home_unit: Unit | None = None,
    specialties: str = "",
) -> Expert:
    """Create or update an expert's profile; the person must hold the role 测评专家."""
    if not RoleGrant.objects.filter(user=user, role=Role.EXPERT).exists():
        raise OnsiteRefused(f"账号“{user.username}”没有测评专家角色")
    if not name.strip():
        raise OnsiteRefused("请填写专家姓名")
    expert, created = Expert.objects.update_or_create(
        user=user,
        defaults={
            "name": name.strip(),
            "region": region,
            "home_unit": home_unit,
            "specialties": specialties.strip(),
        },
    )
    audit_record(
        actor=actor,
        action="expert.save",
        obj=expert,
        new=f"{expert.name} {region.name} {home_unit.name if home_unit else ''}".strip(),
        comment="新建" if created else "修改",
    )
    return expert


@transaction.atomic
def team_create(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    leader: Expert,
    members: Sequence[Expert] = (),
) -> Team:
    """A team with its leader (组长) and members; an expert serves in one team per campaign."""
    _organiser(actor, campaign)
    if not name.strip():
        raise OnsiteRefused("请填写组名")
    if Team.objects.filter(campaign=campaign, name=name.strip()).exists():
        raise OnsiteRefused(f"本活动已有名为“{name.strip()}”的测评组")
    everyone = {leader.pk: leader, **{m.pk: m for m in members}}
    busy = list(
        TeamMember.objects.filter(campaign=campaign, expert_id__in=everyone).select_related(
            "expert", "team"
        )
    )
    if busy:
        taken = "、".join(f"{m.expert.name}(已在{m.team.name})" for m in busy)
        raise OnsiteRefused(f"每位专家在一个活动中只能参加一个测评组:{taken}")
    team = Team.objects.create(campaign=campaign, name=name.strip(), leader=leader)
    TeamMember.objects.bulk_create(
        TeamMember(team=team, expert=e, campaign=campaign) for e in everyone.values()
    )
    audit_record(
        actor=actor,
        action="team.create",
        obj=team,
        new=f"组长 {leader.name};成员 " + "、".join(e.name for e in everyone.values()),
    )
    return team


@transaction.atomic
def onsite_settings_save(
    *,
    actor: User,
    campaign: Campaign,
    rule: str,
    exclude_own_township: bool,
    spread_percent: int = 30,
) -> OnsiteSettings:
    _organiser(actor, campaign)
    if rule not in Rule.values:
        raise OnsiteRefused(f"合议规则应为{'、'.join(Rule.labels)}之一")
    if not 0 < spread_percent <= 100:
        raise OnsiteRefused("分差预警应在1%到100%之间")
    found, _ = OnsiteSettings.objects.get_or_create(campaign=campaign)
    old = f"{found.get_rule_display()} 回避本乡镇:{'是' if found.exclude_own_township else '否'}"
    found.rule, found.exclude_own_township = rule, exclude_own_township
    found.spread_percent = spread_percent
    found.version += 1
    found.save()
    audit_record(
        actor=actor,
        action="onsite.settings",
        obj=found,
        old=old,
        new=f"{found.get_rule_display()} 回避本乡镇:{'是' if exclude_own_township else '否'}",
    )
    return found
