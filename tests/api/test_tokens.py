"""Tokens: hashed at rest, shown once, scoped per area, expiring, revocable, rate limited,
every use audited; errors are JSON with a stable code and a Chinese message."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wenming.api.models import ApiToken
from wenming.api.tokens import TokenRefused, token_create, token_revoke
from wenming.audit.models import AuditEvent


def test_schema_is_served_without_login(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/units" in schema["paths"]


def test_reference_page_lists_operations_in_chinese(client, db):
    html = client.get(reverse("api_pages:reference")).content.decode()
    assert "单位列表" in html and "/api/v1/problems" in html and "翻页标记" in html
    assert "cdn" not in html.lower()


def test_secret_is_kept_only_as_its_digest(world):
    issued = token_create(
        actor=world.people.filler, name="同步", kind="personal", scopes=["units:read"], days=10
    )
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in str(row.__dict__)
    assert row.digest == hashlib.sha256(issued.secret.encode()).hexdigest()


def test_no_token_is_refused_in_chinese(client, db):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": response.json()["message"]}
    assert "令牌" in response.json()["message"]


def test_wrong_area_is_refused(world, api_as):
    api = api_as(world.people.east_office, ["titles:read"])
    response = api.get("/units")
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


def test_read_scope_cannot_write(world, api_as):
    api = api_as(world.people.east_office, ["problems:read"])
    assert api.get("/problems").status_code == 200
    response = api.post("/problems", {"unit_id": world.s1.pk, "title": "路灯不亮"})
    assert response.status_code == 403


def test_expired_and_revoked_tokens_are_refused(world, api_as):
    api = api_as(world.people.east_office, ["units:read"])
    assert api.get("/units").status_code == 200
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/units").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    token_revoke(actor=world.people.east_office, pk=token.pk)
    assert api.get("/units").status_code == 401


def test_every_use_is_audited(world, api_as):
    api = api_as(world.people.east_office, ["units:read"])
    before = AuditEvent.objects.filter(action="api.use").count()
    api.get("/units")
    api.get("/units", limit=0)
    uses = list(AuditEvent.objects.filter(action="api.use").order_by("seq"))[before:]
    assert [u.new.split()[-1] for u in uses] == ["200", "400"]
    assert uses[0].actor == world.people.east_office


def test_rate_limit_per_token(world, api_as, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    api = api_as(world.people.east_office, ["units:read"])
    codes = [api.get("/units").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api.get("/units").json()["code"] == "rate_limited"
    other = api_as(world.people.city_office, ["units:read"])  # another token is not held back
    assert other.get("/units").status_code == 200


def test_only_an_office_makes_service_tokens(world):
    with pytest.raises(TokenRefused):
        token_create(
            actor=world.people.filler,
            name="大屏",
            kind="service",
            scopes=["dashboards:read"],
            days=30,
            region_id=world.east.pk,
        )
    with pytest.raises(TokenRefused):  # outside the office's region
        token_create(
            actor=world.people.east_office,
            name="大屏",
            kind="service",
            scopes=["dashboards:read"],
            days=30,
            region_id=world.west.pk,
        )


def test_service_token_acts_as_its_own_account_within_its_region(world, client):
    issued = token_create(
        actor=world.people.city_office,
        name="法人库同步",
        kind="service",
        scopes=["units:read"],
        days=30,
        region_id=world.east.pk,
    )
    assert issued.token.user != world.people.city_office
    assert not issued.token.user.has_usable_password()
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {issued.secret}"})
    names = {u["name"] for u in response.json()["items"]}
    assert names == {"江东区教育局", "江东区第一小学", "江东区实验中学"}


def test_tokens_page_shows_the_secret_once_and_revokes(client, world):
    client.force_login(world.people.filler)
    url = reverse("api_pages:tokens")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "我的脚本", "kind": "personal", "days": 30, "area_assessments": "write"}
    )
    html = response.content.decode()
    token = ApiToken.objects.get(name="我的脚本")
    assert token.scopes == ["assessments:write"]
    assert "请立即复制保存" in html and f"wm_{token.prefix}_" in html
    again = client.get(url).content.decode()
    assert f"wm_{token.prefix}_" not in again and f"wm_{token.prefix}…" in again
    client.post(reverse("api_pages:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_page_refuses_no_scope_in_chinese(client, world):
    client.force_login(world.people.filler)
    response = client.post(
        reverse("api_pages:tokens"), {"name": "空", "kind": "personal", "days": 3}
    )
    assert response.status_code == 422
    assert "请至少选择一项权限" in response.content.decode()


def test_others_tokens_cannot_be_revoked(client, world, token_for):
    token_for(world.people.filler)
    token = ApiToken.objects.get()
    client.force_login(world.people.other_filler)
    assert client.post(reverse("api_pages:token_revoke", args=[token.pk])).status_code == 404
