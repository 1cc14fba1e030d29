"""An office corrects a campaign: each setting until the step it governs has started; every
change audited; someone else's change in between is refused, never overwritten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.campaigns.test_chain import prepared, signed_and_submitted
from tests.campaigns.test_setup_forms import posted
from wenming.audit.models import AuditEvent
from wenming.campaigns.campaign_setup import campaign_update, locked_settings
from wenming.campaigns.models import Campaign
from wenming.campaigns.services import CampaignInput, Refused

pytestmark = pytest.mark.django_db


def as_input(campaign: Campaign, **changes) -> CampaignInput:
    data = CampaignInput(
        name=campaign.name,
        year=campaign.year,
        level=campaign.level,
        region=campaign.region,
        edition=campaign.edition,
        unit_types=list(campaign.unit_types.all()),
        apply_from=campaign.apply_from,
        apply_until=campaign.apply_until,
        evaluate_until=campaign.evaluate_until,
        chain=[dict(s) for s in campaign.chain],
        naming=dict(campaign.naming),
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_an_open_campaign_takes_a_later_deadline_and_a_new_name_audited(world, campaign):
    office = world.people.east_office
    version = campaign.version
    until = campaign.apply_until + timedelta(days=7)
    changed = campaign_update(
        actor=office,
        campaign=campaign,
        version=campaign.version,
        data=as_input(campaign, apply_until=until, name="2026年江东区标准化学校评估(第二批)"),
    )
    assert changed == ["活动名称", "申报截止"]
    campaign.refresh_from_db()
    assert campaign.apply_until == until and campaign.version == version + 1
    events = AuditEvent.objects.filter(action="campaign.update").order_by("seq")
    assert [(e.field, e.new) for e in events] == [
        ("活动名称", "2026年江东区标准化学校评估(第二批)"),
        ("申报截止", str(until)),
    ]


def test_what_has_started_cannot_change(world, campaign):
    office = world.people.east_office
    with pytest.raises(Refused, match="申报已开始,“申报开始”已不能修改"):
        campaign_update(
            actor=office,
            campaign=campaign,
            version=campaign.version,
            data=as_input(campaign, apply_from=campaign.apply_from - timedelta(days=1)),
        )
    prepared(world, campaign)
    assert "clean_months" in locked_settings(campaign) and "chain" not in locked_settings(campaign)
    chain = [dict(s) for s in campaign.chain][:-1]
    campaign_update(
        actor=office,
        campaign=campaign,
        version=campaign.version,
        data=as_input(campaign, chain=chain),
    )  # still preparing: the chain may change
    campaign.refresh_from_db()
    assert campaign.chain == chain


def test_the_chain_is_fixed_once_an_application_is_in_review(world, campaign):
    signed_and_submitted(world, campaign)
    campaign.refresh_from_db()
    assert locked_settings(campaign)["chain"] == "已有申报进入审核"
    with pytest.raises(Refused, match="已有申报进入审核,“审核流程”已不能修改"):
        campaign_update(
            actor=world.people.east_office,
            campaign=campaign,
            version=campaign.version,
            data=as_input(campaign, chain=campaign.chain[:-1]),
        )


def test_a_stale_page_or_another_office_is_refused(world, campaign):
    version = campaign.version
    with pytest.raises(Refused, match="活动已被他人修改"):
        campaign_update(
            actor=world.people.east_office,
            campaign=campaign,
            version=campaign.version + 1,
            data=as_input(campaign, name="新名称"),
        )
    with pytest.raises(Refused, match="只有组织本活动的测评办公室可以修改活动"):
        campaign_update(
            actor=world.people.supervisor,
            campaign=campaign,
            version=campaign.version,
            data=as_input(campaign, name="新名称"),
        )
    campaign.refresh_from_db()
    assert campaign.name != "新名称" and campaign.version == version


def test_the_edit_page_shows_what_is_locked_and_saves_the_rest(client, world, campaign):
    client.force_login(world.people.east_office)
    url = reverse("campaigns:edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "申报已开始,不能再修改" in page and 'name="step-0-label"' in page
    assert 'name="apply_from"' in page and "disabled" in page
    # dates are filled in the form a date field takes (a browser shows nothing otherwise)
    assert f'name="apply_until" value="{campaign.apply_until:%Y-%m-%d}"' in page
    form = posted(
        world,
        campaign.edition,
        version=str(campaign.version),
        name="改过的名称",
        level="city",  # locked: ignored, not an error
        apply_from="2000-01-01",  # locked: ignored
        apply_until=str(campaign.apply_until),
        publicity_days="7",
    )
    for n, step in enumerate(campaign.chain):
        form |= {
            f"step-{n}-key": step["key"],
            f"step-{n}-label": step["label"],
            f"step-{n}-role": step["role"],
            f"step-{n}-level": str(step.get("level") or ""),
        } | ({f"step-{n}-result": "on"} if step.get("result") else {})
    response = client.post(url, form)
    errors = [line for line in response.content.decode().splitlines() if "error" in line]
    assert response.status_code == 302, errors
    before = campaign.apply_from
    campaign.refresh_from_db()
    assert (campaign.name, campaign.publicity_days, campaign.level) == ("改过的名称", 7, "district")
    assert campaign.apply_from == before
    client.force_login(world.people.supervisor)
    assert client.get(url).status_code == 403


def test_postponing_tells_the_applicants_why(world, campaign):
    from wenming.notices.models import Notice

    prepared(world, campaign)
    until = campaign.apply_until + timedelta(days=14)
    campaign_update(
        actor=world.people.east_office,
        campaign=campaign,
        version=campaign.version,
        data=as_input(campaign, apply_until=until),
        reason="汛期防汛任务重,延期两周",
    )
    told = Notice.objects.get(recipient=world.people.unit_admin, kind="campaign")
    assert "日程调整" in told.title
    assert f"申报截止:{campaign.apply_until} → {until}" in told.body
    assert "延期两周" in told.body
    event = AuditEvent.objects.get(action="campaign.update", field="申报截止")
    assert event.comment == "汛期防汛任务重,延期两周"


def test_a_cancelled_campaign_tells_its_applicants_and_takes_no_more_steps(world, campaign, client):
    from wenming.campaigns.campaign_setup import campaign_cancel
    from wenming.campaigns.services import application_pass
    from wenming.notices.models import Notice

    application = signed_and_submitted(world, campaign)
    with pytest.raises(Refused, match="请填写撤销活动的原因"):
        campaign_cancel(actor=world.people.east_office, campaign=campaign, reason="")
    client.force_login(world.people.east_office)
    client.post(
        reverse("campaigns:action", args=[campaign.pk]),
        {"action": "cancel", "reason": "上级通知暂停本年度评估"},
    )
    campaign.refresh_from_db()
    assert campaign.phase == "cancelled"
    event = AuditEvent.objects.filter(action="campaign.phase").latest("seq")
    assert (event.new, event.comment) == ("已撤销", "上级通知暂停本年度评估")
    told = Notice.objects.get(recipient=world.people.unit_admin, kind="campaign")
    assert "已撤销" in told.title and "上级通知暂停本年度评估" in told.body
    with pytest.raises(Refused, match="本活动已撤销"):
        application_pass(
            actor=world.people.supervisor,
            application_id=application.pk,
            version=application.version,
        )
