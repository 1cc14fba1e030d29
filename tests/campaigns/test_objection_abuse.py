"""The public objection form (no login) resists floods and oversized fields; the office's list pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from wenming.accounts import throttle
from wenming.accounts.models import AddressAllowance
from wenming.assessments.services import self_assessment_start
from wenming.campaigns.models import Application, Campaign, Objection, Phase, State
from wenming.campaigns.views import OBJECTIONS_PER_PAGE

VISITOR = "203.0.113.20"


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


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


def objection(listed, address=VISITOR, client=None, **fields):
    data = {
        "application": listed.pk,
        "name": "张三",
        "phone": "138 0000 0000",
        "text": "该校食堂存在安全隐患,请核实。",
        **fields,
    }
    client = client or Client()
    return client.post(
        reverse("campaigns:public", args=[listed.campaign_id]), data, REMOTE_ADDR=address
    )


def test_a_flood_from_one_address_gets_429_after_the_limit(listed):
    for _ in range(throttle.PUBLIC_POSTS_PER_HOUR):
        assert objection(listed).status_code == 302
    response = objection(listed)
    assert response.status_code == 429
    page = response.content.decode()
    assert "访问过于频繁" in page and "提交过于频繁" in page
    assert int(response["Retry-After"]) > 0
    assert Objection.objects.count() == throttle.PUBLIC_POSTS_PER_HOUR
    # invalid posts count too: a flood of junk is stopped as well
    assert objection(listed, name="").status_code == 429
    # another address files normally
    assert objection(listed, address="198.51.100.3").status_code == 302


def test_a_shared_address_listed_by_the_administrator_may_file_more(listed):
    AddressAllowance.objects.create(
        network="203.0.113.0/24", login_failures_per_hour=60, posts_per_hour=15
    )
    statuses = [objection(listed).status_code for _ in range(16)]
    assert statuses == [302] * 15 + [429]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "张" * 5000, "姓名不能超过50个字"),
        ("phone", "1" * 5000, "联系电话不能超过30个字符"),
        ("phone", "call me maybe", "联系电话只能包含数字"),
        ("text", "隐" * 2001, "异议内容不能超过2000个字"),
        ("text", "x" * (3 * 1024 * 1024), "异议内容不能超过2000个字"),
        ("text", "差", "异议内容至少5个字"),
        ("name", "", "请填写姓名"),
        ("application", "999999", "所选单位不在公示名单中"),
    ],
)
def test_oversized_or_wrong_fields_are_refused_on_the_field_and_nothing_is_written(
    listed, field, value, message
):
    response = objection(listed, **{field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert Objection.objects.count() == 0
    assert len(page) < 200_000  # the refused value is not echoed back at full size


def test_the_refused_form_keeps_what_was_typed(listed):
    page = objection(listed, phone="abc").content.decode()
    assert "该校食堂存在安全隐患" in page and 'value="张三"' in page


def test_office_objection_page_is_paged_with_ten_thousand_objections(
    client, world, listed, django_assert_max_num_queries
):
    Objection.objects.bulk_create(
        Objection(application=listed, name=f"群众{i}", phone="13800000000", text="异议" * 500)
        for i in range(10_000)
    )
    client.force_login(world.people.east_office)
    url = reverse("campaigns:objections", args=[listed.campaign_id])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('name="objection"') == OBJECTIONS_PER_PAGE
    assert "共 10000 条" in page and "第 1 / 200 页" in page
    assert len(response.content) < 1_000_000
    with django_assert_max_num_queries(20):
        last = client.get(url, {"page": "200"}).content.decode()
    assert last.count('name="objection"') == OBJECTIONS_PER_PAGE
    assert "第 1 / 200 页" in client.get(url, {"page": "junk"}).content.decode()
