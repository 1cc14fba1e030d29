"""The application's and the campaign's transition tables, the one way to move an application
(compare-and-set, history row, audit under the old names, the hook) and the publicity removal
that now goes through the version check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import results
from tests.campaigns.test_chain import signed_and_submitted
from wenming.assessments.services import self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.campaigns.models import Application, Campaign, Evaluation, Objection, Phase, State
from wenming.campaigns.outcomes import grant_titles, plan_rectification
from wenming.campaigns.publicity import objection_resolve
from wenming.campaigns.services import (
    Refused,
    application_return,
    application_submit,
)
from wenming.campaigns.transitions import (
    APPLICATION,
    CAMPAIGN,
    NEW,
    STALE,
    application_changed,
)
from wenming.rectification.models import Problem, RectificationPlan

S = State

EXPECTED_APPLICATION = {
    # action: (from, to, who, audit action)
    "prepare": ({NEW}, {S.PREPARING}, {"unit_admin"}, "prepare"),
    "submit": ({S.PREPARING, S.RETURNED}, {S.IN_REVIEW}, {"unit_admin"}, "submit"),
    "pass": (
        {S.IN_REVIEW},
        {S.IN_REVIEW, S.LISTED, S.RECTIFYING, S.NOT_PASSED},
        {"reviewer"},
        "pass",
    ),
    "return": ({S.IN_REVIEW}, {S.RETURNED}, {"reviewer"}, "return"),
    "reject": ({S.IN_REVIEW}, {S.NOT_PASSED}, {"reviewer", "office"}, "reject"),
    "remove": ({S.LISTED, S.RECTIFYING}, {S.REMOVED}, {"office"}, "remove"),
    "name": ({S.LISTED, S.RECTIFYING}, {S.NAMED}, {"office"}, "outcome"),
    "recheck_fail": ({S.RECTIFYING}, {S.NOT_PASSED}, {"office"}, "outcome"),
}


def test_the_application_table_lists_every_action_with_its_states_and_audit_name():
    got = {a.name: (set(a.sources), set(a.targets), set(a.who), a.audit_name) for a in APPLICATION}
    assert got == EXPECTED_APPLICATION


def test_final_states_offer_no_action():
    for state in (S.REMOVED, S.NAMED, S.NOT_PASSED):
        assert APPLICATION.allowed(state) == []
    assert APPLICATION.allowed(S.RECTIFYING, roles={"office"}) == [
        "remove",
        "name",
        "recheck_fail",
    ]
    assert APPLICATION.allowed(S.RECTIFYING, roles={"unit_admin"}) == []


def test_the_campaign_table_moves_its_phase_one_way():
    got = {a.name: (set(a.sources), set(a.targets)) for a in CAMPAIGN}
    assert got == {
        "open": ({Phase.DRAFT}, {Phase.OPEN}),
        "publish": ({Phase.OPEN}, {Phase.PUBLICITY}),
        "approve": ({Phase.PUBLICITY}, {Phase.CLOSED}),
        "cancel": ({Phase.DRAFT, Phase.OPEN}, {Phase.CANCELLED}),
    }


@pytest.mark.django_db
def test_every_step_of_the_chain_is_audited_under_its_old_name(world, campaign):
    application = signed_and_submitted(world, campaign)
    application = application_return(
        actor=world.people.supervisor,
        application_id=application.pk,
        version=application.version,
        reason="材料不全",
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(application.pk), field="state")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["application.prepare", "application.submit", "application.return"]
    assert list(application.transitions.values_list("action", "from_state", "to_state")) == [
        ("prepare", "", "待单位提交"),
        ("submit", "待单位提交", "待主管部门审核"),
        ("return", "待主管部门审核", "已退回单位"),
    ]
    assert application.version == 3  # one step per transition, from 1


@pytest.mark.django_db
def test_a_wrong_state_is_refused_in_chinese_from_the_table(world, campaign):
    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match="申报已提交,不能重复提交"):
        application_submit(
            actor=world.people.unit_admin,
            application_id=application.pk,
            version=application.version,
        )
    assert APPLICATION.refusal("return", S.RETURNED) == "申报当前状态为“已退回单位”,不能审核"


@pytest.fixture
def listed(world, standard):  # noqa: F811
    """A campaign in its publicity window with 第一小学 on the list."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="2026年标准化学校评估",
        year=2026,
        level="district",
        region=world.east,
        edition=standard,
        apply_from=today - timedelta(days=60),
        apply_until=today - timedelta(days=30),
        phase=Phase.PUBLICITY,
        publicity_start=today - timedelta(days=1),
        publicity_end=today + timedelta(days=6),
        created_by=world.people.east_office,
    )
    assessment = self_assessment_start(actor=world.people.filler, unit=world.s1, edition=standard)
    return Application.objects.create(
        campaign=campaign,
        unit=world.s1,
        assessment=assessment,
        state=State.LISTED,
        region_path=world.s1.region_path,
        supervisor=world.bureau,
    )


def _objection(application: Application, text: str) -> Objection:
    Objection.objects.create(application=application, name="张三", phone="13800000000", text=text)
    # read as the office's page reads it: with the application as it was then
    return Objection.objects.select_related("application__campaign").get(text=text)


@pytest.mark.django_db
def test_two_objections_upheld_at_once_remove_the_unit_once(world, listed):
    first = _objection(listed, "食堂有隐患")
    second = _objection(listed, "围墙破损")
    office = world.people.east_office
    objection_resolve(actor=office, objection=first, upheld=True, resolution="属实")
    with pytest.raises(Refused, match=STALE):
        objection_resolve(actor=office, objection=second, upheld=True, resolution="属实")
    listed.refresh_from_db()
    assert listed.state == State.REMOVED
    assert listed.transitions.filter(action="remove").count() == 1
    assert AuditEvent.objects.filter(action="application.remove").count() == 1
    second.refresh_from_db()
    assert second.state == "open"  # nothing of the refused resolution was written


@pytest.mark.django_db
def test_a_removal_read_before_another_change_is_refused(world, listed):
    objection = _objection(listed, "食堂有隐患")
    Application.objects.filter(pk=listed.pk).update(version=F("version") + 1)  # changed meanwhile
    with pytest.raises(Refused, match=STALE):
        objection_resolve(
            actor=world.people.east_office, objection=objection, upheld=True, resolution="属实"
        )
    listed.refresh_from_db()
    assert listed.state == State.LISTED


@pytest.mark.django_db
def test_granting_a_title_moves_by_compare_and_set_and_audits_as_outcome(world, listed):
    stale_version = listed.version
    grant_titles(
        actor=world.people.east_office,
        campaign=listed.campaign,
        application=listed,
        today=timezone.localdate(),
    )
    assert listed.state == State.NAMED and listed.version == stale_version + 1
    event = AuditEvent.objects.get(action="application.outcome")
    assert (event.old, event.new) == ("拟命名", "已命名")
    with pytest.raises(Refused, match="该单位不在拟命名名单或整改期"):
        grant_titles(
            actor=world.people.east_office,
            campaign=listed.campaign,
            application=listed,
            today=timezone.localdate(),
        )


@pytest.mark.django_db
def test_a_rectification_plan_made_twice_creates_no_duplicate_problems(world, listed):
    Application.objects.filter(pk=listed.pk).update(state=State.RECTIFYING)
    listed.refresh_from_db()
    Evaluation.objects.create(
        application=listed,
        step="evaluate",
        source="paper",
        data=results(listed.campaign.edition, world.s1, 80000),
        total_centi=80000,
        grade="基本达标",
        recorded_by=world.people.east_office,
    )
    office, today = world.people.east_office, timezone.localdate()
    plan = plan_rectification(
        actor=office, campaign=listed.campaign, application=listed, today=today
    )
    made = Problem.objects.filter(plan=plan).count()
    assert made > 0
    again = plan_rectification(
        actor=office, campaign=listed.campaign, application=listed, today=today
    )
    assert again.pk == plan.pk
    assert RectificationPlan.objects.count() == 1
    assert Problem.objects.count() == made


def test_the_dashboards_follow_applications_through_an_exact_hook():
    from wenming.dashboards.services import dashboard_application_changed

    assert dashboard_application_changed in application_changed._exact
