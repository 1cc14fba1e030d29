"""An office sets a campaign up with forms: the review chain as ordered rows with defaults per
level, who names the title as a small table — no JSON to type."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wenming.campaigns.models import Campaign
from wenming.campaigns.setup_forms import DEFAULT_CHAINS

pytestmark = pytest.mark.django_db


def posted(world, edition, **extra):
    data = {
        "name": "2026年江东区文明校园创建",
        "year": "2026",
        "level": "district",
        "region": str(world.east.pk),
        "edition": str(edition.pk),
        "unit_types": [str(world.types.school.pk)],
        "apply_from": "2026-03-01",
        "apply_until": "2026-04-30",
        "publicity_days": "5",
        "publicity_working_days": "on",
        "term_years": "3",
        "rectify_months": "12",
        "clean_months": "24",
        "target_score_scale": "100",
        "target_score_cap": "100",
        "step-TOTAL_FORMS": "6",
        "step-INITIAL_FORMS": "0",
        "naming-TOTAL_FORMS": "4",
        "naming-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_the_form_offers_rows_not_json(client, world):
    client.force_login(world.people.east_office)
    page = client.get(reverse("campaigns:new")).content.decode()
    form = page[page.index('<form method="post" class="card" id="campaign-form">') :]
    assert "JSON" not in form and '"key"' not in form and "supervisor</" not in form
    assert 'name="step-0-label" value="主管部门审核"' in page
    assert "区级:主管部门审核 → 区县测评办公室受理 → 区县级测评(录入测评结果)" in page
    assert "市级复核" not in page  # a district campaign's default has no city step


def test_the_default_chain_follows_the_level(client, world, standard):
    client.force_login(world.people.east_office)
    data = posted(world, standard, level="city", chain_default="on")
    response = client.post(reverse("campaigns:new"), data)
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.chain == DEFAULT_CHAINS["city"]
    assert campaign.naming == {}


def test_an_office_writes_its_own_chain_and_naming(client, world, standard):
    client.force_login(world.people.east_office)
    rows = {
        "step-0-label": "主管部门推荐",
        "step-0-role": "supervisor",
        "step-1-label": "实地测评",
        "step-1-role": "office",
        "step-1-level": "3",
        "step-1-result": "on",
        "naming-0-name": "初中",
        "naming-0-level": "2",
    }
    client.post(reverse("campaigns:new"), posted(world, standard, **rows))
    campaign = Campaign.objects.get()
    assert campaign.chain == [
        {"key": "supervisor", "label": "主管部门推荐", "role": "supervisor"},
        {"key": "step2", "label": "实地测评", "role": "office", "level": 3, "result": True},
    ]
    assert campaign.naming == {"初中": 2}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"step-0-label": "受理", "step-0-role": "office"}, "第1个环节“受理”:请选择办理的测评办公室层级"),
        ({"step-0-label": "受理", "step-0-role": "office", "step-0-level": "3"}, "至少一个环节须录入测评结果"),
        (
            {"step-0-label": "测评", "step-0-level": "3", "step-0-result": "on",
             "naming-1-name": "小学"},
            "命名机关第2行:请同时选择学段或单位类型和命名机关层级",
        ),
        ({"step-0-label": "测评", "step-0-level": "9", "step-0-result": "on"}, "第1个环节:办公室层级选择一个有效的选项"),
    ],
)  # fmt: skip
def test_a_wrong_row_is_named_and_nothing_is_created(client, world, standard, rows, message):
    client.force_login(world.people.east_office)
    response = client.post(reverse("campaigns:new"), posted(world, standard, **rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.exists()
