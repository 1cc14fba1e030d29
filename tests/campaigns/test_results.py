"""Results use: qualified units against annual targets, converted to a score; rewards."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UnitFactory, person
from wenming.accounts.models import Role
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.audit.models import AuditEvent
from wenming.campaigns.models import Application, Phase, Reward, State
from wenming.campaigns.results import (
    campaign_target,
    reward_record,
    target_progress,
    target_score,
    targets_set,
)
from wenming.campaigns.services import Refused

pytestmark = pytest.mark.django_db


def applicant(world, campaign, name, region, state):
    unit = UnitFactory.create(
        name=name, unit_type=world.types.school, region=region, supervisor=world.bureau
    )
    assessment = SelfAssessment.objects.create(
        unit=unit, edition=campaign.edition, status=AssessmentStatus.SUBMITTED,
        as_of=timezone.localdate(), created_by=world.people.east_office,
    )  # fmt: skip
    return Application.objects.create(
        campaign=campaign, unit=unit, assessment=assessment, state=state,
        region_path=unit.region_path, supervisor=world.bureau,
    )  # fmt: skip


@pytest.fixture
def decided(world, campaign):
    """Five applications: in the township two qualified (one named, one listed), one 基本达标
    still rectifying and one not passed; in the district itself one named."""
    applicant(world, campaign, "临江第一小学", world.town, State.NAMED)
    applicant(world, campaign, "临江第二小学", world.town, State.LISTED)
    applicant(world, campaign, "临江第三小学", world.town, State.RECTIFYING)
    applicant(world, campaign, "临江第四小学", world.town, State.NOT_PASSED)
    applicant(world, campaign, "江东区直属小学", world.east, State.NAMED)
    return campaign


def test_targets_and_qualified_units_give_a_capped_score(world, decided):
    targets_set(
        actor=world.people.east_office,
        campaign=decided,
        regions={world.town.pk: 3},
        supervisors={world.bureau.pk: 2},
    )
    overall, rows = target_progress(decided)
    assert (overall.applied, overall.qualified, overall.target) == (5, 3, None)
    town, bureau = rows
    assert (town.label, town.target, town.applied, town.qualified) == ("临江街道", 3, 4, 2)
    assert town.score == "66.67" and town.ratio == "66.7%" and town.behind == 1
    assert (bureau.label, bureau.applied, bureau.qualified) == ("江东区教育局", 5, 3)
    assert bureau.score == "100" and bureau.behind == 0  # 150% is capped at 100


def test_the_conversion_rule_is_configurable(world, decided):
    decided.target_score_scale, decided.target_score_cap = 60, 80
    assert target_score(decided, qualified=2, target=3) == 4000
    assert target_score(decided, qualified=5, target=3) == 8000
    assert target_score(decided, qualified=0, target=3) == 0
    assert target_score(decided, qualified=1, target=0) is None


def test_a_share_target_counts_the_eligible_units(world, decided):
    decided.target_percent = 30
    decided.save()
    # the district's schools: s1, s2 and the five applicants = 7; 30% → 2.1 → 3
    assert campaign_target(decided) == 3
    overall, _ = target_progress(decided)
    assert overall.score == "100"


def test_targets_are_audited_and_can_be_cleared(world, decided):
    office = world.people.east_office
    targets_set(actor=office, campaign=decided, regions={world.town.pk: 3}, supervisors={})
    targets_set(actor=office, campaign=decided, regions={world.town.pk: 4}, supervisors={})
    targets_set(actor=office, campaign=decided, regions={world.town.pk: None}, supervisors={})
    changes = AuditEvent.objects.filter(action="campaign.target").order_by("id")
    assert [(e.old, e.new) for e in changes] == [("", "3"), ("3", "4"), ("4", "")]
    assert not decided.targets.exists()
    with pytest.raises(Refused, match="下级地区"):
        targets_set(actor=office, campaign=decided, regions={world.west.pk: 1}, supervisors={})
    with pytest.raises(Refused, match="只有组织本活动"):
        targets_set(actor=world.people.supervisor, campaign=decided, regions={}, supervisors={})


def test_the_office_sets_targets_and_reads_progress_on_its_pages(world, decided, client):
    client.force_login(world.people.east_office)
    url = reverse("campaigns:targets", args=[decided.pk])
    assert "临江街道" in client.get(url).content.decode()
    bad = client.post(url, {f"region-{world.town.pk}": "三"}, follow=True).content.decode()
    assert "应为0到100000之间的整数" in bad and not decided.targets.exists()
    client.post(url, {f"region-{world.town.pk}": "3", f"body-{world.bureau.pk}": ""})
    page = client.get(reverse("campaigns:results", args=[decided.pk])).content.decode()
    assert "66.67" in page and "差1" in page
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("campaigns:results_export", args=[decided.pk])).content)
    ).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert ["地区", "临江街道", 3, 4, 2, "66.7%", "66.67"] in rows


def test_results_are_refused_to_units_and_other_districts(world, decided, client):
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    for outsider in (world.people.unit_admin, world.people.other_filler, west_office):
        client.force_login(outsider)
        response = client.get(reverse("campaigns:results", args=[decided.pk]))
        assert response.status_code in (403, 404), outsider
        assert client.get(reverse("campaigns:targets", args=[decided.pk])).status_code in (
            403,
            404,
        )


def test_rewards_are_recorded_for_units_on_the_list(world, decided, client):
    named = Application.objects.get(unit__name="临江第一小学")
    failed = Application.objects.get(unit__name="临江第四小学")
    office = world.people.east_office
    reward = reward_record(
        actor=office, campaign=decided, unit=named.unit, kind="奖金", person="张校长",
        description="创建工作先进个人", amount=Decimal("2000"), awarded_on=date(2026, 12, 1),
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="campaign.reward", field="临江第一小学·张校长").exists()
    with pytest.raises(Refused, match="不在本活动的命名"):
        reward_record(
            actor=office, campaign=decided, unit=failed.unit, kind="通报表扬",
            description="x", awarded_on=date(2026, 12, 1),
        )  # fmt: skip
    client.force_login(office)
    client.post(
        reverse("campaigns:reward_new", args=[decided.pk]),
        {"unit": named.unit.name, "kind": "通报表扬", "description": "2026年度先进单位",
         "awarded_on": "2026-12-02", "amount": ""},
    )  # fmt: skip
    assert Reward.objects.count() == 2
    page = client.get(reverse("campaigns:results", args=[decided.pk])).content.decode()
    assert "创建工作先进个人" in page and "2026年度先进单位" in page
    assert reward.recorded_by == office


def test_the_public_list_downloads_without_login(world, decided, client):
    decided.phase = Phase.PUBLICITY
    decided.save()
    response = client.get(reverse("campaigns:public_export", args=[decided.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    names = [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert set(names) == {"临江第一小学", "临江第二小学", "临江第三小学", "江东区直属小学"}
    assert "临江第四小学" not in names


def test_the_public_list_pdf_downloads_without_login(world, decided, client):
    from tests.conftest import need_cjk_font
    from tests.documents.test_campaign_docs import pdf_text

    need_cjk_font()
    decided.phase = Phase.PUBLICITY
    decided.publicity_start, decided.publicity_end = date(2026, 12, 1), date(2026, 12, 7)
    decided.save()
    response = client.get(reverse("campaigns:public_pdf", args=[decided.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "临江第一小学" in text and "临江第四小学" not in text
