"""Login through a real LDAP directory (slapd on 127.0.0.1): roles come from the mapping rules
only, local passwords keep working, throttling keeps counting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.accounts.sso_servers import PASSWORD, Slapd, group_dn, slapd_run
from wenming.accounts.directory import rule_create, rule_remove
from wenming.accounts.models import AccountState, Directory, LoginThrottle, Role, RoleGrant
from wenming.accounts.sso_settings import sso_settings
from wenming.audit.models import AuditEvent


@pytest.fixture(scope="module")
def slapd() -> Iterator[Slapd]:
    yield from slapd_run()


@pytest.fixture
def ldap_on(slapd, settings, world):
    for name, value in sso_settings(slapd.env()).items():
        setattr(settings, name, value)
    cache.clear()
    yield slapd
    cache.clear()


def login(username: str, password: str = PASSWORD) -> tuple[Client, int, str]:
    client = Client(REMOTE_ADDR="198.51.100.20")
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response.status_code, response.get("Location", "")


def grants(username: str) -> set[tuple[str, str]]:
    rows = RoleGrant.objects.filter(user__username=username).values_list(
        "role", "region__name", "unit__name"
    )
    return {(role, region or unit or "") for role, region, unit in rows}


def test_first_login_creates_the_account_with_the_rules_roles_only(ldap_on, world):
    admin = world.people.admin
    rule_create(
        actor=admin,
        source=Directory.LDAP,
        value="Wenming-Office",
        role=Role.OFFICE,
        region=world.east,
        unit=None,
    )
    rule_create(
        actor=admin,
        source=Directory.OIDC,  # another source's rule gives nothing here
        value="wenming-office",
        role=Role.OFFICE,
        region=world.city,
        unit=None,
    )
    client, status, location = login("zhangsan")
    assert (status, location) == (302, reverse("home"))
    user = User.objects.get(username="zhangsan")
    assert user.first_name == "张三" and not user.has_usable_password()
    assert grants("zhangsan") == {(Role.OFFICE, "江东区")}
    state = AccountState.objects.get(user=user)
    assert (state.directory, state.external_id) == ("ldap", "zhangsan")
    assert group_dn("wenming-office") in state.directory_values
    actions = list(
        AuditEvent.objects.filter(object_id=str(user.pk), object_type="auth.user")
        .order_by("id")
        .values_list("action", "new")
    )
    assert ("account.directory_create", "目录服务(LDAP/AD)") in actions
    assert ("account.directory_grant", "测评办公室人员 江东区") in actions
    assert client.get(reverse("accounts:list")).status_code == 200  # an office's page


def test_group_left_in_the_directory_withdraws_the_role_at_next_login(ldap_on, world):
    rule_create(
        actor=world.people.admin,
        source=Directory.LDAP,
        value="school-admins",  # the group's name; its DN matches as well
        role=Role.UNIT_ADMIN,
        region=None,
        unit=world.s1,
    )
    login("lisi")
    assert grants("lisi") == {(Role.UNIT_ADMIN, "江东区第一小学")}
    ldap_on.set_members("school-admins", [])
    try:
        client, status, _ = login("lisi")
        assert status == 302
        assert grants("lisi") == set()
        assert AuditEvent.objects.filter(
            action="account.directory_revoke", old="单位管理员 江东区第一小学"
        ).exists()
        assert client.get(reverse("home"))["Location"] == reverse("accounts:no_role")
    finally:
        ldap_on.set_members("school-admins", ["lisi"])


def test_no_rule_no_role_and_a_page_saying_whom_to_ask(ldap_on):
    client, status, _ = login("wangwu")
    assert status == 302
    assert grants("wangwu") == set()
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:no_role")
    page = client.get(reverse("accounts:no_role"))
    assert "请联系本平台的系统管理员" in page.content.decode()
    assert client.get(reverse("units:list"))["Location"] == reverse("accounts:no_role")


def test_removing_a_rule_withdraws_its_roles_at_once(ldap_on, world):
    rule = rule_create(
        actor=world.people.admin,
        source=Directory.LDAP,
        value=group_dn("wenming-office"),
        role=Role.OFFICE,
        region=world.west,
        unit=None,
    )
    client, _, _ = login("zhangsan")
    assert grants("zhangsan") == {(Role.OFFICE, "江西区")}
    rule_remove(actor=world.people.admin, pk=rule.pk)
    assert grants("zhangsan") == set()
    assert client.get(reverse("home"))["Location"] == reverse("accounts:no_role")


def test_wrong_directory_password_is_refused_and_throttled(ldap_on):
    _, status, _ = login("zhangsan", "wrong-password")
    assert status == 200
    assert not User.objects.filter(username="zhangsan").exists()
    row = LoginThrottle.objects.get(username="zhangsan", address="198.51.100.20")
    assert row.failures == 1


def test_local_passwords_keep_working_and_a_local_account_is_never_taken_over(ldap_on, world):
    local = world.people.east_office
    local.set_password("Local-pass-2026")
    local.save()
    _, status, _ = login("east_office", "Local-pass-2026")
    assert status == 302
    # the directory has a person of the same name; their directory password opens nothing
    _, status, _ = login("east_office", PASSWORD)
    assert status == 200
    assert grants("east_office") == {(Role.OFFICE, "江东区")}
    assert not AccountState.objects.filter(user=local, directory="ldap").exists()
