"""The administrator's mapping rules: a page in Chinese, scope by code, refusals naming the field,
every change audited; the settings read from the environment switch each way in on or off."""

from __future__ import annotations

import importlib.util

from django.urls import reverse

from tests.conftest import need
from wenming.accounts.directory import directory_login, rule_create
from wenming.accounts.models import DirectoryRule, Role, RoleGrant
from wenming.accounts.sso_settings import LDAP_BACKEND, LOCAL_BACKEND, OIDC_BACKEND, sso_settings
from wenming.audit.models import AuditEvent


def test_administrator_adds_a_rule_by_region_code(client, world):
    client.force_login(world.people.admin)
    page = client.get(reverse("accounts:directory_rules")).content.decode()
    assert "角色映射规则" in page and "尚未设置规则" in page
    response = client.post(
        reverse("accounts:directory_rules"),
        {
            "source": "ldap",
            "value": "  CN=Wenming-Office,OU=Groups,DC=City ",
            "role": "office",
            "scope_code": "420102",
            "note": "区文明办",
        },
    )
    assert response.status_code == 302
    rule = DirectoryRule.objects.get()
    assert (rule.value, rule.region, rule.unit) == (
        "cn=wenming-office,ou=groups,dc=city",
        world.east,
        None,
    )
    assert AuditEvent.objects.filter(action="account.directory_rule_add").count() == 1
    page = client.get(reverse("accounts:directory_rules")).content.decode()
    assert "江东区(420102)" in page


def test_a_rule_with_the_wrong_scope_is_refused_naming_the_field(client, world):
    client.force_login(world.people.admin)
    cases = [
        ("office", "", "请填写已有地区的行政区划代码"),
        ("unit_admin", "420102", "请填写已有单位的统一社会信用代码"),
        ("expert", "420102", "不需要填写范围代码"),
    ]
    for role, code, message in cases:
        response = client.post(
            reverse("accounts:directory_rules"),
            {"source": "oidc", "value": "g", "role": role, "scope_code": code},
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not DirectoryRule.objects.exists()


def test_only_the_system_administrator_edits_rules(client, world):
    client.force_login(world.people.city_office)
    assert client.get(reverse("accounts:directory_rules")).status_code == 403
    response = client.post(
        reverse("accounts:directory_rules"),
        {"source": "ldap", "value": "g", "role": "system_admin", "scope_code": ""},
    )
    assert response.status_code == 403
    assert not DirectoryRule.objects.exists()


def test_a_person_never_holds_more_than_the_rules_give(world):
    rule_create(
        actor=world.people.admin,
        source="oidc",
        value="fillers",
        role=Role.UNIT_FILLER,
        region=None,
        unit=world.s1,
    )
    user = directory_login(source="oidc", external_id="s-1", values=["Fillers", "others"])
    RoleGrant.objects.create(user=user, role=Role.OFFICE, region=world.city)  # set by hand
    directory_login(source="oidc", external_id="s-1", values=["fillers"])
    assert list(RoleGrant.objects.filter(user=user).values_list("role", "unit__name")) == [
        (Role.UNIT_FILLER, "江东区第一小学")
    ]
    assert AuditEvent.objects.filter(
        action="account.directory_revoke", old="测评办公室人员 江城市"
    ).exists()


def test_each_way_in_is_off_unless_configured():
    need(
        importlib.util.find_spec("django_auth_ldap") is not None,
        "未安装 LDAP 登录组件(pip install -e '.[ldap]'),LDAP 设置测试跳过",
    )
    assert sso_settings({})["AUTHENTICATION_BACKENDS"] == [LOCAL_BACKEND]
    both = sso_settings(
        {
            "WENMING_LDAP_URL": "ldap://127.0.0.1:1",
            "WENMING_OIDC_CLIENT_ID": "wenming",
            "WENMING_OIDC_ISSUER": "http://127.0.0.1:2/",
        }
    )
    assert both["AUTHENTICATION_BACKENDS"] == [LOCAL_BACKEND, LDAP_BACKEND, OIDC_BACKEND]
    assert both["WENMING_OIDC_ISSUER"] == "http://127.0.0.1:2"
    # a client id without an issuer or endpoints is not enough
    assert not sso_settings({"WENMING_OIDC_CLIENT_ID": "wenming"})["WENMING_OIDC_ENABLED"]


def test_a_directory_account_has_no_local_password_to_reset(client, world):
    rule_create(
        actor=world.people.admin,
        source="oidc",
        value="fillers",
        role=Role.UNIT_FILLER,
        region=None,
        unit=world.s1,
    )
    user = directory_login(
        source="oidc", external_id="s-2", values=["fillers"], username="dir_filler"
    )
    client.force_login(world.people.east_office)
    page = client.get(reverse("accounts:list")).content.decode()
    assert "统一身份认证账号" in page
    assert client.post(reverse("accounts:reset", args=[user.pk])).status_code == 403
    user.refresh_from_db()
    assert not user.has_usable_password()
