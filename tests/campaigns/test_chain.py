"""The review chain end to end, with the refusals the users rely on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.audit.conftest import tampering
from tests.campaigns.conftest import results, submitted_assessment
from tests.factories import UnitFactory, person
from wenming.accounts.models import Role
from wenming.audit.models import AuditEvent
from wenming.audit.verify import chain_verify
from wenming.campaigns.models import Application, Campaign, Signature, State
from wenming.campaigns.services import (
    HEAD_SIGNATURE_MISSING,
    NOT_YOUR_STEP,
    STALE,
    Refused,
    application_pass,
    application_prepare,
    application_return,
    application_sign,
    application_submit,
    evaluation_record,
    window_extend,
)
from wenming.notices.models import Notice

pytestmark = pytest.mark.django_db


def prepared(world, campaign):
    submitted_assessment(world, campaign.edition)
    return application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)


def signed_and_submitted(world, campaign):
    application = prepared(world, campaign)
    application_sign(actor=world.people.head, application=application, role="head")
    return application_submit(
        actor=world.people.unit_admin, application_id=application.pk, version=application.version
    )


def test_a_school_goes_from_application_to_the_proposed_list(world, campaign):
    people = world.people
    application = signed_and_submitted(world, campaign)
    assert application.where == "待主管部门审核"
    application = application_pass(
        actor=people.supervisor, application_id=application.pk, version=application.version
    )
    assert application.signatures.filter(role="supervisor", signer=people.supervisor).exists()
    application = application_pass(
        actor=people.east_office, application_id=application.pk, version=application.version
    )
    assert application.where == "待初评"
    with pytest.raises(Refused, match="该环节须先录入测评结果"):
        application_pass(
            actor=people.east_office, application_id=application.pk, version=application.version
        )
    evaluation_record(
        actor=people.east_office,
        application=application,
        data=results(campaign.edition, world.s1, 95000),
        source="paper",
    )
    application.refresh_from_db()
    assert (application.result_centi, application.result_grade) == (95000, "达标")
    application = application_pass(
        actor=people.east_office, application_id=application.pk, version=application.version
    )
    assert application.where == "待市级复核"
    with pytest.raises(Refused, match=NOT_YOUR_STEP):  # the district cannot do the city's step
        application_pass(
            actor=people.east_office, application_id=application.pk, version=application.version
        )
    application = application_pass(
        actor=people.city_office,
        application_id=application.pk,
        version=application.version,
        comment="同意",
    )
    assert application.state == State.LISTED
    labels = list(application.transitions.values_list("label", flat=True))
    assert labels == [
        "发起申报", "提交申报", "主管部门审核通过", "区文明办受理通过", "初评通过", "市级复核通过",
    ]  # fmt: skip
    assert (
        AuditEvent.objects.filter(action="application.pass", object_id=str(application.pk)).count()
        == 4
    )
    assert AuditEvent.objects.filter(action="application.result").exists()


def test_a_supervisor_of_another_district_cannot_sign(world, campaign):
    west_bureau = UnitFactory.create(
        name="江西区教育局", unit_type=world.types.agency, region=world.west
    )
    stranger = person("west_supervisor", Role.SUPERVISOR, unit=west_bureau)
    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match=NOT_YOUR_STEP):
        application_pass(actor=stranger, application_id=application.pk, version=application.version)
    with pytest.raises(Refused, match=NOT_YOUR_STEP):
        application_sign(actor=stranger, application=application, role="supervisor")
    assert not Signature.objects.filter(signer=stranger).exists()


def test_a_signatures_digest_is_held_by_the_verified_audit_chain(world, campaign):
    application = prepared(world, campaign)
    signature = application_sign(actor=world.people.head, application=application, role="head")
    event = AuditEvent.objects.get(action="application.sign", object_id=str(application.pk))
    assert event.new == signature.digest and chain_verify().ok
    with tampering():  # someone swaps in the digest of other content
        AuditEvent.objects.filter(pk=event.pk).update(new="0" * 64)
    report = chain_verify()
    assert report.break_seq == event.seq and "签署申报" in report.message


def test_submitting_needs_the_heads_signature_on_the_current_content(world, campaign, client):
    application = prepared(world, campaign)
    with pytest.raises(Refused, match=HEAD_SIGNATURE_MISSING):
        application_submit(
            actor=world.people.unit_admin,
            application_id=application.pk,
            version=application.version,
        )
    application_sign(actor=world.people.head, application=application, role="head")
    # evidence changes after signing: a photo is added to a record linked to an indicator
    from tests.ledger.conftest import photo
    from wenming.attachments.services import attachment_store
    from wenming.ledger.services import ActivityInput, activity_create, activity_types

    activity, _ = activity_create(
        actor=world.people.filler,
        unit=world.s1,
        data=ActivityInput(
            activity_type=activity_types()[0], title="升旗仪式", day=timezone.localdate()
        ),
        links=[(campaign.edition, "A1.6")],
        files=[],
    )
    attachment_store(
        unit=world.s1, owner=activity, name="升旗.jpg", stream=photo(), actor=world.people.filler
    )
    client.force_login(world.people.unit_admin)
    page = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert "签署后内容已变更" in page
    with pytest.raises(Refused, match=HEAD_SIGNATURE_MISSING):
        application_submit(
            actor=world.people.unit_admin,
            application_id=application.pk,
            version=application.version,
        )
    application_sign(actor=world.people.head, application=application, role="head")
    application_submit(
        actor=world.people.unit_admin, application_id=application.pk, version=application.version
    )


def test_the_unit_cannot_change_anything_after_submitting(world, campaign):
    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match="申报已提交"):
        application_sign(actor=world.people.head, application=application, role="head")
    with pytest.raises(Refused, match="申报已提交,不能重复提交"):
        application_submit(
            actor=world.people.unit_admin,
            application_id=application.pk,
            version=application.version,
        )
    from wenming.assessments.services import AssessmentRefused, entry_save

    with pytest.raises(AssessmentRefused):
        entry_save(
            actor=world.people.filler,
            assessment_id=application.assessment_id,
            code="A1.6",
            value="1",
        )


def test_a_double_click_applies_a_transition_once(world, campaign):
    application = signed_and_submitted(world, campaign)
    version = application.version
    application_pass(actor=world.people.supervisor, application_id=application.pk, version=version)
    with pytest.raises(Refused, match=STALE):
        application_pass(
            actor=world.people.supervisor, application_id=application.pk, version=version
        )
    assert application.transitions.filter(label="主管部门审核通过").count() == 1


def test_a_rejection_goes_back_to_the_unit_which_fixes_and_resubmits(world, campaign):
    people = world.people
    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match="请填写退回原因"):
        application_return(
            actor=people.supervisor,
            application_id=application.pk,
            version=application.version,
            reason=" ",
        )
    application = application_return(
        actor=people.supervisor,
        application_id=application.pk,
        version=application.version,
        reason="佐证材料不全,请补充A1.6照片",
    )
    assert application.state == State.RETURNED
    notice = Notice.objects.get(recipient=people.unit_admin, kind="application")
    assert notice.body == "佐证材料不全,请补充A1.6照片"
    application_sign(actor=people.head, application=application, role="head")
    application = application_submit(
        actor=people.unit_admin, application_id=application.pk, version=application.version
    )
    assert application.where == "待主管部门审核"


def test_eligibility_is_checked_with_reasons(world, campaign, client):
    from wenming.campaigns.eligibility import NOT_SUBMITTED, eligibility_reasons

    today = timezone.localdate()
    reasons = eligibility_reasons(campaign, world.other, today=today)
    assert "单位类型“医院”不在本次申报范围(学校)" in reasons
    assert "单位不在江东区范围内" in reasons and NOT_SUBMITTED in reasons
    with pytest.raises(Refused, match="不符合申报条件"):
        application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)
    client.force_login(world.people.unit_admin)
    page = client.get(reverse("campaigns:apply", args=[campaign.pk])).content.decode()
    assert NOT_SUBMITTED in page


def test_a_veto_event_within_24_months_makes_a_unit_ineligible(world, campaign):
    from wenming.assessments.models import Entry, EntryKind
    from wenming.campaigns.eligibility import eligibility_reasons

    assessment = submitted_assessment(world, campaign.edition)
    Entry.objects.create(
        assessment=assessment,
        code="V1",
        kind=EntryKind.EVENT,
        value="是",
        event_date=timezone.localdate() - timedelta(days=400),
        updated_by=world.people.filler,
    )
    reasons = eligibility_reasons(campaign, world.s1, today=timezone.localdate())
    assert any(r.startswith("24个月内有一票否决或负面清单事项(V1,") for r in reasons)


def test_late_applications_are_refused_unless_the_office_extends_the_window(world, campaign):
    submitted_assessment(world, campaign.edition)
    today = timezone.localdate()
    campaign.apply_until = today - timedelta(days=1)
    campaign.save()
    with pytest.raises(Refused, match=r"申报已于 .* 截止"):
        application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)
    with pytest.raises(Refused, match="只有组织本活动的测评办公室"):
        window_extend(
            actor=world.people.supervisor, campaign=campaign, unit=world.s1, until=today, reason="x"
        )
    window_extend(
        actor=world.people.east_office,
        campaign=campaign,
        unit=world.s1,
        until=today + timedelta(days=3),
        reason="校舍改造,材料延迟",
    )
    assert AuditEvent.objects.filter(action="campaign.extend", comment="校舍改造,材料延迟").exists()
    application = application_prepare(
        actor=world.people.unit_admin, campaign=campaign, unit=world.s1
    )
    assert application.state == State.PREPARING
    with pytest.raises(Refused, match=r"申报已于 .* 截止"):  # other units still may not
        from wenming.campaigns.eligibility import window_problem

        raise Refused(window_problem(campaign, world.s2, today))


def test_applications_are_seen_only_within_scope(world, campaign, client):
    application = signed_and_submitted(world, campaign)
    url = reverse("campaigns:application", args=[application.pk])
    for who, status in [
        ("unit_admin", 200), ("head", 200), ("supervisor", 200), ("east_office", 200),
        ("city_office", 200), ("other_filler", 404), ("expert", 404),
    ]:  # fmt: skip
        client.force_login(getattr(world.people, who))
        assert client.get(url).status_code == status, who
    assert Application.objects.count() == 1


def test_applying_warns_about_items_without_evidence(world, campaign, client):
    from tests.campaigns.conftest import submitted_assessment
    from wenming.ledger.selectors import missing_evidence

    submitted_assessment(world, campaign.edition)
    missing = missing_evidence(unit=world.s1, edition=campaign.edition, as_of=timezone.localdate())
    assert missing  # no ledger records yet
    client.force_login(world.people.unit_admin)
    page = client.get(reverse("campaigns:apply", args=[campaign.pk])).content.decode()
    assert "佐证材料提醒" in page and f"以下 {len(missing)} 项指标佐证不完整" in page
    code = next(iter(missing))
    assert code in page
    # the warning does not stop the application
    application = application_prepare(
        actor=world.people.unit_admin, campaign=campaign, unit=world.s1
    )
    page = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert f"有 {len(missing)} 项指标佐证不完整" in page


def test_the_application_page_says_where_the_result_came_from(world, campaign, client):
    people = world.people
    application = signed_and_submitted(world, campaign)
    for actor in (people.supervisor, people.east_office):
        application = application_pass(
            actor=actor, application_id=application.pk, version=application.version
        )
    evaluation_record(
        actor=people.east_office,
        application=application,
        data=results(campaign.edition, world.s1, 95000),
        source="paper",
    )
    client.force_login(people.east_office)
    page = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert "纸质评分表导入" in page
    assert "paper" not in page


def test_the_unit_head_is_told_who_applies(world, campaign, client):
    submitted_assessment(world, campaign.edition)
    client.force_login(world.people.head)
    page = client.get(reverse("campaigns:apply", args=[campaign.pk])).content.decode()
    assert "符合申报条件" in page and "发起申报</button>" not in page
    admin = world.people.unit_admin
    assert "申报由本单位管理员发起" in page
    assert (admin.get_full_name() or admin.username) in page
    client.force_login(admin)
    page = client.get(reverse("campaigns:apply", args=[campaign.pk])).content.decode()
    assert "发起申报</button>" in page and "申报由本单位管理员发起" not in page


def test_a_reviewer_says_no_with_a_reason_and_the_unit_is_told(world, campaign, client):
    from wenming.audit.models import AuditEvent
    from wenming.campaigns.services import application_reject

    people = world.people
    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match="请填写不通过的理由"):
        application_reject(
            actor=people.supervisor,
            application_id=application.pk,
            version=application.version,
            reason=" ",
        )
    client.force_login(people.supervisor)
    url = reverse("campaigns:application_action", args=[application.pk])
    client.post(
        url, {"action": "reject", "version": application.version, "comment": "未达到申报条件"}
    )
    application.refresh_from_db()
    assert application.state == State.NOT_PASSED
    event = AuditEvent.objects.get(action="application.reject")
    assert event.comment == "未达到申报条件"
    told = Notice.objects.get(recipient=people.unit_admin, kind="application")
    assert "未通过" in told.title and told.body == "未达到申报条件"
    client.force_login(people.unit_admin)
    page = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert "未达到申报条件" in page and "未通过" in page


def test_passing_a_failed_result_is_warned_before_it_is_done(world, campaign, client):
    people = world.people
    application = signed_and_submitted(world, campaign)
    for who in (people.supervisor, people.east_office):
        application = application_pass(
            actor=who, application_id=application.pk, version=application.version
        )
    evaluation_record(
        actor=people.east_office,
        application=application,
        data=results(campaign.edition, world.s1, 70000),
        source="paper",
    )
    client.force_login(people.east_office)
    page = client.get(reverse("campaigns:application", args=[application.pk])).content.decode()
    assert 'id="result-shortfall"' in page and "达不到本活动的通过等级" in page
    assert 'value="reject"' in page and "确定仍要通过?" in page


def test_publicity_waits_for_the_window_a_list_and_every_application(world, campaign, client):
    from datetime import timedelta

    from wenming.campaigns.publicity import campaign_publish

    office = world.people.east_office
    today = timezone.localdate()
    with pytest.raises(Refused, match=r"申报截止日期.*前不能发布公示"):
        campaign_publish(actor=office, campaign=campaign, start=today)
    straggler = signed_and_submitted(world, campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        apply_from=today - timedelta(days=20), apply_until=today - timedelta(days=1)
    )
    campaign.refresh_from_db()
    with pytest.raises(Refused, match=r"还有1份申报未完成审核\(江东区第一小学\).*“不通过”"):
        campaign_publish(actor=office, campaign=campaign, start=today)
    # the office running the campaign sets the straggler aside from its page, at any step
    client.force_login(office)
    page = client.get(reverse("campaigns:application", args=[straggler.pk])).content.decode()
    assert 'id="set-aside-form"' in page
    client.post(
        reverse("campaigns:application_action", args=[straggler.pk]),
        {"action": "reject", "version": straggler.version, "comment": "逾期未办理"},
    )
    straggler.refresh_from_db()
    assert straggler.state == State.NOT_PASSED
    with pytest.raises(Refused, match="拟命名名单为空"):
        campaign_publish(actor=office, campaign=campaign, start=today)


def test_the_publicity_notice_names_the_campaigns_own_steps(world, campaign, client):
    Campaign.objects.filter(pk=campaign.pk).update(
        phase="publicity",
        chain=[{"key": "e", "label": "区县级测评", "role": "office", "level": 3, "result": True}],
    )
    page = client.get(reverse("campaigns:public", args=[campaign.pk])).content.decode()
    assert "经单位申报、区县级测评,现将" in page and "主管部门审核" not in page


def test_the_unit_hears_of_each_step_and_of_publicity(world, campaign):
    from datetime import timedelta

    from wenming.campaigns.publicity import campaign_publish

    people = world.people
    application = signed_and_submitted(world, campaign)
    application = application_pass(
        actor=people.supervisor,
        application_id=application.pk,
        version=application.version,
        comment="材料齐全",
    )
    told = Notice.objects.filter(recipient=people.unit_admin, kind="application").latest("pk")
    assert "主管部门审核" in told.title and "材料齐全" in told.body and "待" in told.body
    application = application_pass(
        actor=people.east_office, application_id=application.pk, version=application.version
    )
    evaluation_record(
        actor=people.east_office,
        application=application,
        data=results(campaign.edition, world.s1, 95000),
        source="paper",
    )
    application.refresh_from_db()
    for who in (people.east_office, people.city_office):
        application = application_pass(
            actor=who, application_id=application.pk, version=application.version
        )
    assert application.state == State.LISTED
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(
        apply_from=today - timedelta(days=20), apply_until=today - timedelta(days=1)
    )
    campaign.refresh_from_db()
    campaign_publish(actor=people.east_office, campaign=campaign, start=today)
    listed = Notice.objects.filter(recipient=people.unit_admin, kind="campaign").get()
    assert "拟命名名单公示" in listed.title
