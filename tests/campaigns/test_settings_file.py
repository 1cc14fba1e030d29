"""Administrators export a campaign's settings as a file and import one as a new draft; offices
see neither. Every refusal names the field in Chinese, and nothing is half-written."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wenming.audit.models import AuditEvent
from wenming.campaigns.models import Campaign, Phase
from wenming.campaigns.settings_file import NOT_ADMIN, campaign_settings_import
from wenming.campaigns.transitions import Refused

pytestmark = pytest.mark.django_db


def exported(client, world, campaign):
    client.force_login(world.people.admin)
    response = client.get(reverse("campaigns:settings_export", args=[campaign.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def upload(client, text: str, name: str = "设置.yaml"):
    return client.post(
        reverse("campaigns:settings_import"),
        {"file": SimpleUploadedFile(name, text.encode())},
    )


def test_an_exported_campaign_imports_as_a_new_draft_with_the_same_settings(
    client, world, campaign
):
    text = exported(client, world, campaign)
    data = yaml.safe_load(text)
    assert data["region"]["code"] == world.east.code and data["chain"] == campaign.chain
    data["name"] = "2027年江东区义务教育标准化学校评估"
    data["year"] = 2027
    response = upload(client, yaml.safe_dump(data, allow_unicode=True))
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{copy.pk}/")
    assert copy.phase == Phase.DRAFT and copy.name == data["name"] and copy.year == 2027
    assert copy.chain == campaign.chain and copy.edition == campaign.edition
    assert list(copy.unit_types.all()) == list(campaign.unit_types.all())
    assert copy.apply_until == campaign.apply_until and copy.created_by == world.people.admin
    assert AuditEvent.objects.filter(action="campaign.import", object_id=str(copy.pk)).exists()


def test_json_is_accepted_too(client, world, campaign):
    import json

    data = yaml.safe_load(exported(client, world, campaign))
    text = json.dumps(data, ensure_ascii=False, default=str)
    assert upload(client, text, "设置.json").status_code == 302
    assert Campaign.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": "明年"}, "“年度”应为整数"),
        ({"apply_until": "六月底"}, "“申报截止”应为日期"),
        ({"chain": []}, "“审核流程”超出允许范围"),
        ({"colour": "红"}, "“colour”不是活动设置的项目"),
        ({"publicity_days": 500}, "“公示天数”超出允许范围"),
        ({"region": {"code": "999999"}}, "行政区划代码“999999”不存在"),
        ({"unit_types": ["寺庙"]}, "“可申报单位类型”没有:寺庙"),
        ({"framework": {"code": "nope", "edition": "1"}}, "“测评体系”nope(1版)尚未导入"),
        ({"apply_from": "2026-09-01", "apply_until": "2026-08-01"}, "申报截止日期早于开始日期"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_field_and_creates_nothing(
    client, world, campaign, change, message
):
    data = yaml.safe_load(exported(client, world, campaign))
    data.update(change)
    page = upload(client, yaml.safe_dump(data, allow_unicode=True)).content.decode()
    assert message in page
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    "text",
    ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "a: &a [*a]", "- 1\n- 2", "\xff"],
)
def test_hostile_files_are_refused_in_chinese(client, world, campaign, text):
    client.force_login(world.people.admin)
    page = upload(client, text).content.decode()
    assert "未导入" in page and "Traceback" not in page
    assert Campaign.objects.count() == 1


def test_offices_neither_see_nor_use_it(client, world, campaign):
    client.force_login(world.people.east_office)
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "导出活动设置" not in detail
    assert "导入活动设置" not in client.get(reverse("campaigns:list")).content.decode()
    assert client.get(reverse("campaigns:settings_export", args=[campaign.pk])).status_code == 403
    assert upload(client, "format: x").status_code == 403
    with pytest.raises(Refused, match=NOT_ADMIN):
        campaign_settings_import(actor=world.people.east_office, content=b"")
    client.force_login(world.people.admin)
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "导出活动设置" in detail
    assert "导入活动设置" in client.get(reverse("campaigns:list")).content.decode()
