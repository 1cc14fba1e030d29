"""Unit lists: search, filters, pagination, constant queries; credit codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UnitFactory
from wenming.core.credit_code import credit_code_problem, make_credit_code


def test_credit_code_checksum():
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == "统一社会信用代码校验位错误:第18位应为“3”"
    assert "18位" in (credit_code_problem("9135") or "")
    assert "无效字符" in (credit_code_problem("91350100M000100YI3") or "")
    assert credit_code_problem(make_credit_code(serial=42)) is None


def listing(client, user, **params):
    client.force_login(user)
    return client.get(reverse("units:list"), params).content.decode()


def test_search_by_partial_chinese_name(client, world):
    html = listing(client, world.people.admin, q="第一")
    assert "江东区第一小学" in html and "江东区实验中学" not in html


def test_region_filter_includes_sub_regions(client, world):
    html = listing(client, world.people.admin, region=world.east.pk)
    assert "江东区第一小学" in html  # in a township under 江东区
    assert "江西区人民医院" not in html


def test_type_and_supervisor_filters(client, world):
    html = listing(client, world.people.admin, type=world.types.school.pk)
    assert "江东区第一小学</a>" in html and "江东区教育局</a>" not in html
    html = listing(client, world.people.admin, supervisor=world.bureau.pk)
    assert "江东区实验中学" in html and "江西区人民医院" not in html


def test_list_page_queries_do_not_grow_with_units(client, world, django_assert_max_num_queries):
    client.force_login(world.people.east_office)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("units:list"))
    UnitFactory.create_batch(40, region=world.east, supervisor=world.bureau)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("units:list")).content.decode()
    assert "第 1 / 1 页" in html


def test_pagination(client, world):
    UnitFactory.create_batch(60, region=world.east)
    html = listing(client, world.people.admin, page=2)
    assert "第 2 / 2 页" in html


@pytest.mark.parametrize("who", ["filler", "expert"])
def test_detail_is_refused_outside_scope(client, world, who):
    client.force_login(getattr(world.people, who))
    assert client.get(reverse("units:detail", args=[world.s2.pk])).status_code == 404


def test_a_region_cannot_be_moved_under_itself(world):
    from wenming.organizations.services import region_upsert

    with pytest.raises(ValueError, match="不能设为自身或其下级地区"):
        region_upsert(code=world.east.code, name="江东区", level=3, parent=world.town)


def test_unit_page_shows_its_change_history(client, world):
    from wenming.organizations.services import unit_upsert

    unit_upsert(
        credit_code=world.s2.credit_code, values={"headcount": 88}, actor=world.people.east_office
    )
    client.force_login(world.people.supervisor)
    html = client.get(reverse("units:detail", args=[world.s2.pk])).content.decode()
    assert "修改记录" in html and "职工人数" in html and "88" in html


def test_the_filters_choices_are_kept_until_an_audited_change_commits(
    client, world, settings, django_capture_on_commit_callbacks
):
    """In production the unit list's filter choices are read once per scope until a change
    commits; a new region is offered at the next visit, and each office keeps its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenming.organizations.models import RegionLevel
    from wenming.organizations.services import region_upsert

    settings.TODO_CACHE_SECONDS = 30
    client.force_login(world.people.east_office)
    client.get(reverse("units:list"))
    with CaptureQueriesContext(connection) as kept:
        east = client.get(reverse("units:list")).content.decode()
    choices = ('FROM "organizations_unittype"', 'FROM "organizations_region"')
    assert not [q for q in kept if any(c in q["sql"] for c in choices)]
    assert "临江街道" in east and "江西区" not in east
    client.force_login(world.people.city_office)
    assert "江西区" in client.get(reverse("units:list")).content.decode()  # its own scope
    with django_capture_on_commit_callbacks(execute=True):
        region_upsert(
            code="420102002",
            name="滨江街道",
            level=RegionLevel.TOWNSHIP,
            parent=world.east,
            actor=world.people.admin,
        )
    client.force_login(world.people.east_office)
    assert "滨江街道" in client.get(reverse("units:list")).content.decode()
