from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.factories import UnitFactory, person
from wenming.accounts.models import Role
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, State
from wenming.onsite.teams import expert_save, team_create


def under_review(world, campaign, unit):  # noqa: F811
    """An application waiting for the evaluation step (初评), its self-assessment submitted."""
    assessment = SelfAssessment.objects.create(
        unit=unit,
        edition=campaign.edition,
        status=AssessmentStatus.SUBMITTED,
        as_of=campaign.apply_until,
        created_by=world.people.admin,
    )
    return Application.objects.create(
        campaign=campaign,
        unit=unit,
        assessment=assessment,
        state=State.IN_REVIEW,
        step="evaluate",
        region_path=unit.region_path,
        supervisor=unit.supervisor,
    )


def make_expert(world, username, *, home_unit=None, region=None, name=None):
    user = person(username, Role.EXPERT)
    return expert_save(
        actor=world.people.east_office,
        user=user,
        name=name or username,
        region=region or world.east,
        home_unit=home_unit,
    )


@pytest.fixture
def onsite(world, campaign):  # noqa: F811
    """Five schools under review; three teams of experts with different ties."""
    school = world.types.school
    extra = [
        UnitFactory.create(
            name=f"江东区第{n}中学", unit_type=school, region=world.east, stage="初中"
        )
        for n in ("二", "三", "四")
    ]
    units = [world.s1, world.s2, *extra]
    applications = [under_review(world, campaign, u) for u in units]
    e = SimpleNamespace(
        bureau=make_expert(world, "zhang", home_unit=world.bureau, name="张局"),
        own=make_expert(world, "li", home_unit=world.s1, name="李老师"),
        town=make_expert(world, "wang", region=world.town, name="王专家"),
        a=make_expert(world, "zhao", name="赵专家"),
        b=make_expert(world, "qian", name="钱专家"),
        c=make_expert(world, "sun", name="孙专家"),
    )
    e.a_user = e.a.user
    teams = SimpleNamespace(
        one=team_create(
            actor=world.people.east_office,
            campaign=campaign,
            name="第一组",
            leader=e.a,
            members=[e.b, e.c],
        ),
    )
    return SimpleNamespace(
        campaign=campaign, units=units, applications=applications, experts=e, teams=teams
    )
