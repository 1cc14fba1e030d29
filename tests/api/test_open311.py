"""The Open311 intake of the API (/api/v1/open311/): a service token per external system (sent as
``api_key`` or as a bearer header), the same rules as the public page, status and public reply
only, Open311's error shape, the token's rate limit and audit; the old /open311/v2/ paths send
former callers on (308) and their keys keep working."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.citizen.conftest import district  # noqa: F401
from wenming.api.tokens import token_create, token_revoke
from wenming.audit.models import AuditEvent
from wenming.citizen.models import CitizenReport, ExternalClient
from wenming.citizen.services import client_revoke, report_reply

BASE = "/api/v1/open311"


@pytest.fixture
def hotline(district):  # noqa: F811
    district.key = token_create(
        actor=district.people.east_office,
        name="江东区12345热线",
        kind="service",
        scopes=["problems:write"],
        days=30,
        region_id=district.east.pk,
    ).secret
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
    return Client().post(f"{BASE}/requests.json", data)


def test_services_lists_the_regions_categories(hotline):
    response = Client().get(f"{BASE}/services.json", {"api_key": hotline.key})
    assert response.status_code == 200
    assert {s["service_name"] for s in response.json()} == {"环境卫生", "设施损坏"}
    # the same with the usual bearer header
    response = Client().get(
        f"{BASE}/services.json", headers={"Authorization": f"Bearer {hotline.key}"}
    )
    assert {s["service_name"] for s in response.json()} == {"环境卫生", "设施损坏"}
    client = ExternalClient.objects.get()
    assert (client.name, client.region) == ("江东区12345热线", hotline.east)


@pytest.mark.parametrize("key", ["", "nope", "abcd1234.wrong", "wm_abcd1234_wrong"])
def test_a_wrong_key_is_refused_in_open311_shape(hotline, key):
    response = Client().get(f"{BASE}/services.json", {"api_key": key})
    assert response.status_code == 401
    assert response.json() == [
        {"code": 401, "description": "缺少有效的接口令牌(可能已过期或被吊销)"}
    ]


def test_a_personal_token_or_one_without_problems_is_refused(hotline):
    personal = token_create(
        actor=hotline.people.east_office,
        name="个人",
        kind="personal",
        scopes=["problems:write"],
        days=1,
    ).secret
    response = Client().get(f"{BASE}/services.json", {"api_key": personal})
    assert response.status_code == 403
    assert response.json()[0]["description"] == "外部系统须使用服务令牌接入"
    reader = token_create(
        actor=hotline.people.east_office,
        name="只读",
        kind="service",
        scopes=["problems:read"],
        days=1,
        region_id=hotline.east.pk,
    ).secret
    assert Client().get(f"{BASE}/services.json", {"api_key": reader}).status_code == 200
    response = post(reader, service_code=str(hotline.hygiene.pk))
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "令牌没有该项权限"}]
    assert CitizenReport.objects.count() == 0


def test_a_form_encoded_request_becomes_a_report_and_a_problem(hotline):
    response = post(hotline.key, service_code=str(hotline.facility.pk))
    assert response.status_code == 201
    reference = response.json()[0]["service_request_id"]
    report = CitizenReport.objects.get(reference=reference)
    assert report.channel == "open311" and report.client == ExternalClient.objects.get()
    assert report.problem is not None and report.problem.unit == hotline.bureau
    assert report.problem.source == "complaint"  # a hotline ticket stays 投诉 (called back)
    assert str(report.latitude) == "30.500000"
    assert report.contact_name == "王五"
    # read back: status and reply only
    report_reply(actor=hotline.people.east_office, report=report, text="已报修")
    one = Client().get(f"{BASE}/requests/{reference}.json", {"api_key": hotline.key}).json()
    assert one[0]["status"] == "open" and one[0]["status_notes"] == "已报修"
    assert "13800000000" not in json.dumps(one, ensure_ascii=False)
    listed = Client().get(f"{BASE}/requests.json", {"api_key": hotline.key}).json()
    assert [r["service_request_id"] for r in listed] == [reference]
    closed = Client().get(f"{BASE}/requests.json", {"api_key": hotline.key, "status": "closed"})
    assert closed.json() == []


def test_every_call_is_audited_on_the_token(hotline):
    before = AuditEvent.objects.filter(action="api.use").count()
    post(hotline.key, service_code=str(hotline.hygiene.pk))
    Client().get(f"{BASE}/services.json", {"api_key": hotline.key})
    uses = list(
        AuditEvent.objects.filter(action="api.use").order_by("seq").values_list("new", flat=True)
    )
    assert len(uses) == before + 2
    assert uses[-2].startswith("POST /api/v1/open311/requests.json") and uses[-2].endswith("201")
    assert uses[-1].startswith("GET /api/v1/open311/services.json") and uses[-1].endswith("200")


def test_the_tokens_rate_limit_applies(hotline, settings):
    settings.API_REQUESTS_PER_MINUTE = 2
    codes = [
        Client().get(f"{BASE}/services.json", {"api_key": hotline.key}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_json_request_is_read_through_the_bounded_parser(hotline):
    body = {
        "api_key": hotline.key,
        "service_code": str(hotline.hygiene.pk),
        "description": "公园垃圾无人清理",
        "address_id": str(hotline.park.pk),
    }
    response = Client().post(
        f"{BASE}/requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    deep = "[" * 100 + "]" * 100
    response = Client().post(
        f"{BASE}/requests.json",
        deep,
        content_type="application/json",
        headers={"Authorization": f"Bearer {hotline.key}"},
    )
    assert response.status_code == 400 and "嵌套" in response.json()[0]["description"]
    big = json.dumps({**body, "description": "灯" * 70_000})
    response = Client().post(
        f"{BASE}/requests.json?api_key={hotline.key}", big, content_type="application/json"
    )
    assert response.status_code == 413 and "64KB" in response.json()[0]["description"]


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
    other_key = token_create(
        actor=hotline.people.city_office,
        name="江西区热线",
        kind="service",
        scopes=["problems:write"],
        days=1,
        region_id=hotline.west.pk,
    ).secret
    reference = post(hotline.key, service_code=str(hotline.hygiene.pk)).json()[0][
        "service_request_id"
    ]
    response = Client().get(f"{BASE}/requests/{reference}.json", {"api_key": other_key})
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "未找到该受理编号"}]


def test_a_stopped_system_or_a_revoked_token_stops_working(hotline):
    assert post(hotline.key, service_code=str(hotline.hygiene.pk)).status_code == 201
    client = ExternalClient.objects.get()
    client_revoke(actor=hotline.people.admin, client=client)
    response = post(hotline.key, service_code=str(hotline.hygiene.pk))
    assert response.status_code == 403
    assert response.json()[0]["description"] == "该外部系统的接入已停用"
    ExternalClient.objects.filter(pk=client.pk).update(active=True)
    token = client.account.api_tokens.get()
    token_revoke(actor=hotline.people.east_office, pk=token.pk)
    assert post(hotline.key, service_code=str(hotline.hygiene.pk)).status_code == 401


def test_the_old_paths_send_former_callers_on(hotline):
    response = Client().get("/open311/v2/services.json", {"api_key": hotline.key})
    assert response.status_code == 308
    assert response["Location"] == f"{BASE}/services.json?api_key={hotline.key}"
    response = Client().post("/open311/v2/requests.json", {"api_key": hotline.key})
    assert (response.status_code, response["Location"]) == (308, f"{BASE}/requests.json")
    response = Client().get("/open311/v2/requests/20261202-K7Q4M9.json")
    assert response["Location"] == f"{BASE}/requests/20261202-K7Q4M9.json"
    assert Client().get("/open311/v2/other.json").status_code == 404
    # a client that follows the redirect files as before
    response = Client().post(
        "/open311/v2/requests.json",
        {"api_key": hotline.key, "service_code": str(hotline.hygiene.pk),
         "description": "滨江路路灯不亮已一周", "address_string": "滨江路100号"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 201 and CitizenReport.objects.count() == 1


def test_only_an_administrator_sees_the_systems_page(hotline):
    post(hotline.key, service_code=str(hotline.hygiene.pk))
    client = Client()
    client.force_login(hotline.people.east_office)
    assert client.get("/citizen/clients/").status_code == 403
    client.force_login(hotline.people.admin)
    page = client.get("/citizen/clients/").content.decode()
    assert "江东区12345热线" in page and "接口令牌" in page


@pytest.mark.django_db(transaction=True)
def test_keys_of_the_former_clients_page_become_service_tokens():
    """Migration api 0002: a key made on the former /citizen/clients/ page keeps working."""
    import hashlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("citizen", "0002_externalclient_account"), ("api", "0001_initial")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    region = old.get_model("organizations", "Region").objects.create(
        code="420102", name="江东区", level=3, path="0001.0002."
    )
    admin = old.get_model("auth", "User").objects.create(username="old-admin")
    key, stopped = "abcd1234.secret-part", "ef567890.other-part"
    for name, text, active in (("热线", key, True), ("旧热线", stopped, False)):
        old.get_model("citizen", "ExternalClient").objects.create(
            name=name,
            region_id=region.pk,
            key_prefix=text[:8],
            key_hash=hashlib.sha256(text.encode()).hexdigest(),
            active=active,
            created_by_id=admin.pk,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    client = ExternalClient.objects.get(name="热线")
    token = client.account.api_tokens.get()
    assert (token.kind, token.scopes, token.prefix) == ("service", ["problems:write"], "abcd1234")
    assert client.account.grants.get().region_id == region.pk
    response = Client().get(f"{BASE}/services.json", {"api_key": key})
    assert (response.status_code, response.json()) == (200, [])
    response = Client().get(f"{BASE}/services.json", {"api_key": stopped})
    assert response.status_code == 401  # a stopped system's token is revoked
