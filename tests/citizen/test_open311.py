"""The Open311-shaped intake: a key per external system, the same rules as the public page,
status and public reply only."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from wenming.citizen.models import CitizenReport, ExternalClient
from wenming.citizen.services import client_create, client_revoke, report_reply


@pytest.fixture
def hotline(district):
    client, key = client_create(
        actor=district.people.admin, name="江东区12345热线", region=district.east
    )
    district.hotline, district.key = client, key
    return district


def post(key, **fields):
    data = {
        "api_key": key,
        "service_code": "",
        "description": "滨江路路灯不亮已一周",
        "address_string": "滨江路100号",
        "lat": "30.5",
        "long": "114.3",
        "first_name": "五",
        "last_name": "王",
        "phone": "13800000000",
        **fields,
    }
    return Client().post(reverse("open311:requests"), data)


def test_the_key_is_kept_only_as_a_hash(hotline):
    row = ExternalClient.objects.get()
    assert hotline.key not in (row.key_hash, row.key_prefix)
    assert hotline.key.startswith(row.key_prefix + ".")


def test_services_lists_the_regions_categories(hotline):
    response = Client().get(reverse("open311:services"), {"api_key": hotline.key})
    assert response.status_code == 200
    names = {s["service_name"] for s in response.json()}
    assert names == {"环境卫生", "设施损坏"}


@pytest.mark.parametrize("key", ["", "nope", "abcd1234.wrong"])
def test_a_wrong_key_is_refused_in_open311_shape(hotline, key):
    response = Client().get(reverse("open311:services"), {"api_key": key})
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "接入密钥无效或已停用"}]


def test_a_form_encoded_request_becomes_a_report_and_a_problem(hotline):
    response = post(hotline.key, service_code=str(hotline.facility.pk))
    assert response.status_code == 201
    reference = response.json()[0]["service_request_id"]
    report = CitizenReport.objects.get(reference=reference)
    assert report.channel == "open311" and report.client == hotline.hotline
    assert report.problem is not None and report.problem.unit == hotline.bureau
    assert str(report.latitude) == "30.500000"
    assert report.contact_name == "王五"
    # read back: status and reply only
    report_reply(actor=hotline.people.east_office, report=report, text="已报修")
    one = (
        Client().get(reverse("open311:request", args=[reference]), {"api_key": hotline.key}).json()
    )
    assert one[0]["status"] == "open" and one[0]["status_notes"] == "已报修"
    assert "13800000000" not in json.dumps(one, ensure_ascii=False)
    listed = Client().get(reverse("open311:requests"), {"api_key": hotline.key}).json()
    assert [r["service_request_id"] for r in listed] == [reference]


def test_a_json_request_is_read_through_the_bounded_parser(hotline):
    body = {
        "api_key": hotline.key,
        "service_code": str(hotline.hygiene.pk),
        "description": "公园垃圾无人清理",
        "address_id": str(hotline.park.pk),
    }
    response = Client().post(
        reverse("open311:requests"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    deep = "[" * 100 + "]" * 100
    response = Client().post(reverse("open311:requests"), deep, content_type="application/json")
    assert response.status_code == 400 and "嵌套" in response.json()[0]["description"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": "999999"}, "服务编码“999999”不可用"),
        ({"description": "灯"}, "问题描述至少5个字"),
        ({"description": "灯" * 3000}, "文字过长"),
        ({"address_string": "", "address_id": ""}, "请选择或填写地点"),
        ({"address_id": "abc"}, "地点编码“abc”不可用"),
        ({"lat": "999"}, "lat"),
        ({"phone": "call"}, "联系电话只能包含数字"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(hotline, fields, message):
    fields.setdefault("service_code", str(hotline.hygiene.pk))
    response = post(hotline.key, **fields)
    assert response.status_code == 400
    assert message in response.json()[0]["description"]
    assert CitizenReport.objects.count() == 0


def test_another_regions_category_and_others_reports_are_out_of_reach(hotline):
    assert post(hotline.key, service_code=str(hotline.west_category.pk)).status_code == 400
    _, other_key = client_create(actor=hotline.people.admin, name="江西区热线", region=hotline.west)
    reference = post(hotline.key, service_code=str(hotline.hygiene.pk)).json()[0][
        "service_request_id"
    ]
    response = Client().get(reverse("open311:request", args=[reference]), {"api_key": other_key})
    assert response.status_code == 404


def test_a_revoked_key_stops_working(hotline):
    client_revoke(actor=hotline.people.admin, client=hotline.hotline)
    assert post(hotline.key, service_code=str(hotline.hygiene.pk)).status_code == 403


def test_only_an_administrator_makes_keys(hotline):
    client = Client()
    client.force_login(hotline.people.east_office)
    assert client.get(reverse("citizen:clients")).status_code == 403
    client.force_login(hotline.people.admin)
    page = client.post(reverse("citizen:clients"), {"name": "热线", "region": hotline.east.pk})
    assert "只显示这一次" in page.content.decode()
