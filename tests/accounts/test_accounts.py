"""Logging in, throttling, first-login password change, bulk accounts and resets."""

from __future__ import annotations

import io

from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from wenming.accounts.models import AccountState, Role, RoleGrant
from wenming.accounts.throttle import FREE_FAILURES
from wenming.audit.models import AuditEvent

PASSWORD = "Strong-pass-2026"


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_logout(client, world):
    assert login(client, "filler")["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_repeated_failures_delay_the_guesser_without_locking_the_account(client, world):
    for _ in range(FREE_FAILURES):
        assert "用户名或密码不正确" in login(client, "filler", "wrong").content.decode()
    response = login(client, "filler")
    assert response.status_code == 200 and "登录尝试过于频繁" in response.content.decode()
    assert login(client, "head").status_code == 302  # other people are not affected


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_strong_password_hashing_in_the_product():
    import wenming.settings as product

    # the tests swap in a fast hasher; the product keeps Django's default, PBKDF2 (salted, 10^6 rounds)
    assert "PASSWORD_HASHERS" not in vars(product)
    assert len(product.AUTH_PASSWORD_VALIDATORS) == 4


def test_bulk_creation_issues_initial_passwords_that_must_be_changed(client, world):
    client.force_login(world.people.east_office)
    response = client.post(reverse("accounts:bulk_create"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # 江东区: the bureau and the middle school lack an administrator (第一小学 has one)
    assert sorted(str(r[0]) for r in rows) == ["江东区实验中学", "江东区教育局"]
    _, code, username, password, _ = next(r for r in rows if r[0] == "江东区实验中学")
    assert isinstance(code, str) and username == code.lower()
    user = User.objects.get(username=username)
    assert RoleGrant.objects.get(user=user).role == Role.UNIT_ADMIN
    assert AuditEvent.objects.filter(action="account.create").count() == 2
    # first login: everything redirects to the password change until it is done
    client.logout()
    assert login(client, username, password)["Location"] == "/"
    assert client.get(reverse("units:list"))["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Brand-new-2026!",
            "new_password2": "Brand-new-2026!",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("units:list")).status_code == 200
    assert not AccountState.objects.get(user=user).must_change_password
    # running it again creates nobody twice
    client.force_login(world.people.east_office)
    again = load_workbook(io.BytesIO(client.post(reverse("accounts:bulk_create")).content)).active
    assert again is not None and again.max_row == 1


def test_region_office_resets_passwords_in_its_region_only(client, world):
    client.force_login(world.people.east_office)
    filler = world.people.filler
    html = client.post(reverse("accounts:reset", args=[filler.pk])).content.decode()
    assert "密码已重置" in html
    assert AccountState.objects.get(user=filler).must_change_password
    assert (
        client.post(reverse("accounts:reset", args=[world.people.other_filler.pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("accounts:reset", args=[world.people.city_office.pk])).status_code
        == 403
    )


def test_unit_people_cannot_manage_accounts(client, world):
    for who in ("filler", "unit_admin", "supervisor", "expert"):
        client.force_login(getattr(world.people, who))
        assert client.get(reverse("accounts:list")).status_code == 403
        assert client.post(reverse("accounts:bulk_create")).status_code == 403


def test_system_accounts_are_not_listed_and_cannot_be_reset(client, world):
    from wenming.api.tokens import token_create
    from wenming.citizen.services import INTAKE_USERNAME, intake_account

    intake = intake_account()
    issued = token_create(
        actor=world.people.east_office,
        name="区12345热线",
        kind="service",
        scopes=["problems:write"],
        days=30,
        region_id=world.east.pk,
    )
    service = issued.token.user
    for person in (world.people.admin, world.people.city_office):
        client.force_login(person)
        page = client.get(reverse("accounts:list")).content.decode()
        assert "filler" in page  # the people are listed
        assert INTAKE_USERNAME not in page and service.username not in page
        assert "区12345热线" not in page
        for system in (intake, service):
            refused = client.post(reverse("accounts:reset", args=[system.pk]))
            assert refused.status_code == 403
            assert "该账号不存在或不在本人管理范围内" in refused.content.decode()
    intake.refresh_from_db()
    assert not intake.has_usable_password()
    # the service token's holder has the district office's grant, but no reminder is for it
    from wenming.accounts.selectors import offices_by_region

    assert RoleGrant.objects.filter(user=service, role=Role.OFFICE, region=world.east).exists()
    assert offices_by_region([world.east.pk])[world.east.pk] == [world.people.east_office]
