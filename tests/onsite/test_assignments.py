"""Teams sent to units: conflict-of-interest refusals, a balanced split, experts' scope."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.onsite.conftest import make_expert
from wenming.accounts.models import Role
from wenming.accounts.scope import unit_get_for_user, units_visible_to
from wenming.audit.models import AuditEvent
from wenming.onsite.assignments import assignment_create, assignments_auto
from wenming.onsite.errors import NOT_ORGANISER, OnsiteRefused
from wenming.onsite.models import Assignment
from wenming.onsite.selectors import assigned_unit_ids, team_loads
from wenming.onsite.teams import onsite_settings_save, team_create

pytestmark = pytest.mark.django_db


def team_of(world, onsite, name, leader, *members):
    return team_create(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        name=name,
        leader=leader,
        members=list(members),
    )


def test_an_expert_is_never_sent_to_their_own_unit(world, onsite):
    team = team_of(world, onsite, "第二组", onsite.experts.own)
    with pytest.raises(OnsiteRefused, match="李老师来自江东区第一小学本单位,须回避"):
        assignment_create(
            actor=world.people.east_office, team=team, application=onsite.applications[0]
        )
    assert not Assignment.objects.exists()


def test_an_expert_is_never_sent_to_a_unit_their_home_unit_supervises(world, onsite):
    team = team_of(world, onsite, "第二组", onsite.experts.bureau)
    with pytest.raises(OnsiteRefused, match="张局所在单位是江东区实验中学的主管部门"):
        assignment_create(
            actor=world.people.east_office, team=team, application=onsite.applications[1]
        )
    # a school the bureau does not supervise is fine
    assignment_create(actor=world.people.east_office, team=team, application=onsite.applications[2])


def test_own_township_is_refused_only_when_the_campaign_says_so(world, onsite):
    team = team_of(world, onsite, "第二组", onsite.experts.town)
    s1 = onsite.applications[0]
    onsite_settings_save(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        rule="mean",
        exclude_own_township=True,
    )
    with pytest.raises(OnsiteRefused, match="回避本乡镇"):
        assignment_create(actor=world.people.east_office, team=team, application=s1)
    onsite_settings_save(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        rule="mean",
        exclude_own_township=False,
    )
    assignment_create(actor=world.people.east_office, team=team, application=s1)


def test_a_unit_is_assigned_to_one_team_only(world, onsite):
    other = team_of(world, onsite, "第二组", onsite.experts.town)
    first = onsite.applications[2]
    assignment_create(actor=world.people.east_office, team=onsite.teams.one, application=first)
    with pytest.raises(OnsiteRefused, match="已分派给第一组"):
        assignment_create(actor=world.people.east_office, team=other, application=first)


def test_only_the_organising_office_manages_teams(world, onsite):
    for stranger in (world.people.filler, onsite.experts.a.user, world.people.supervisor):
        with pytest.raises(OnsiteRefused, match=NOT_ORGANISER):
            assignment_create(
                actor=stranger, team=onsite.teams.one, application=onsite.applications[2]
            )
        with pytest.raises(OnsiteRefused, match=NOT_ORGANISER):
            team_create(
                actor=stranger, campaign=onsite.campaign, name="冒名组", leader=onsite.experts.town
            )


def test_an_expert_serves_in_one_team_per_campaign(world, onsite):
    with pytest.raises(OnsiteRefused, match="赵专家\\(已在第一组\\)"):
        team_of(world, onsite, "第二组", onsite.experts.town, onsite.experts.a)


def test_auto_assignment_spreads_units_evenly_and_respects_conflicts(world, onsite):
    team_of(world, onsite, "第二组", onsite.experts.bureau)  # may not take 第一小学, 实验中学
    result = assignments_auto(actor=world.people.east_office, campaign=onsite.campaign)
    assert not result.refused
    loads = sorted(team_loads(onsite.campaign).values())
    assert loads == [2, 3]
    for assignment in Assignment.objects.select_related("team", "unit"):
        if assignment.unit.supervisor_id == world.bureau.pk:
            assert assignment.team.name == "第一组"
    assert AuditEvent.objects.filter(action="onsite.assign").exists()
    # running it again assigns nothing twice
    again = assignments_auto(actor=world.people.east_office, campaign=onsite.campaign)
    assert again.assigned == [] and Assignment.objects.count() == 5


def test_a_unit_with_only_conflicted_teams_is_refused_with_the_reason(world, campaign):
    from tests.onsite.conftest import under_review

    application = under_review(world, campaign, world.s1)
    own = make_expert(world, "li", home_unit=world.s1, name="李老师")
    team_create(actor=world.people.east_office, campaign=campaign, name="唯一组", leader=own)
    result = assignments_auto(actor=world.people.east_office, campaign=campaign)
    assert result.assigned == []
    assert result.refused == [
        (application, "没有可回避冲突的测评组(唯一组:专家李老师来自江东区第一小学本单位,须回避)")
    ]


def test_an_expert_sees_only_the_units_assigned_to_their_team(world, onsite):
    first, second = onsite.applications[2], onsite.applications[3]
    assignment_create(actor=world.people.east_office, team=onsite.teams.one, application=first)
    other = team_of(world, onsite, "第二组", onsite.experts.town)
    assignment_create(actor=world.people.east_office, team=other, application=second)
    member = onsite.experts.b.user
    assert assigned_unit_ids(member, frozenset({Role.EXPERT})) == [first.unit_id]
    assert list(units_visible_to(member)) == [first.unit]
    assert unit_get_for_user(member, first.unit_id) == first.unit
    with pytest.raises(Http404):
        unit_get_for_user(member, second.unit_id)
    # an expert without a team sees nothing
    assert not units_visible_to(onsite.experts.bureau.user).exists()
