"""Login through a real OIDC provider started on 127.0.0.1 over plain HTTP (as on an intranet):
the browser's round trip is played with the test client on our side and HTTP on the provider's."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.accounts.sso_servers import Provider, provider_run
from wenming.accounts.directory import rule_create
from wenming.accounts.models import AccountState, Directory, Role, RoleGrant
from wenming.accounts.oidc import discovery_forget
from wenming.accounts.sso_settings import sso_settings
from wenming.audit.models import AuditEvent

# the provider package's own notices about authlib's modules, not ours
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")

CALLBACK = "http://testserver/accounts/oidc/callback/"
BUTTON = "统一身份认证登录"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    yield from provider_run(CALLBACK)


@pytest.fixture
def oidc_on(provider, settings, world):
    for name, value in sso_settings(provider.env()).items():
        setattr(settings, name, value)
    discovery_forget()
    cache.clear()
    yield provider
    discovery_forget()
    cache.clear()


def sign_in(client: Client, sub: str, *, next_url: str = "") -> str:
    """Play the browser: our start page, the provider's form (choose ``sub``), our callback."""
    start = client.get(reverse("accounts:oidc_start") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.status_code
    authorize = start["Location"]
    assert authorize.startswith("http://127.0.0.1:")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    return str(done["Location"])


def test_login_page_shows_the_button_only_when_configured(client, settings, world):
    assert BUTTON not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("accounts:oidc_start")).status_code == 404
    settings.WENMING_OIDC_ENABLED = True
    assert BUTTON in client.get(reverse("login")).content.decode()


def test_first_login_maps_the_groups_claim_to_a_role(oidc_on, world):
    rule_create(
        actor=world.people.admin,
        source=Directory.OIDC,
        value="wenming-office",
        role=Role.OFFICE,
        region=world.east,
        unit=None,
    )
    client = Client()
    assert sign_in(client, "sub-zhao", next_url="/units/") == "/units/"
    user = User.objects.get(account__directory="oidc", account__external_id="sub-zhao")
    assert (user.username, user.first_name) == ("zhaoliu", "赵六")
    assert list(RoleGrant.objects.filter(user=user).values_list("role", "region__name")) == [
        (Role.OFFICE, "江东区")
    ]
    assert AuditEvent.objects.filter(
        action="account.directory_grant", new="测评办公室人员 江东区"
    ).exists()
    assert client.get(reverse("units:list")).status_code == 200
    # a second login finds the same account by its subject
    sign_in(Client(), "sub-zhao")
    assert AccountState.objects.filter(directory="oidc").count() == 1


def test_no_matching_rule_gives_no_role(oidc_on, world):
    client = Client()
    sign_in(client, "sub-qian")
    assert not RoleGrant.objects.filter(user__username="qianqi").exists()
    assert client.get(reverse("home"))["Location"] == reverse("accounts:no_role")


def test_a_local_account_of_the_same_name_is_not_taken_over(oidc_on, world):
    rule_create(
        actor=world.people.admin,
        source=Directory.OIDC,
        value="school-fill",
        role=Role.UNIT_FILLER,
        region=None,
        unit=world.s2,
    )
    sign_in(Client(), "sub-taken")
    made = User.objects.get(account__external_id="sub-taken")
    assert made.username != "filler" and made.username.startswith("oidc-")
    assert set(RoleGrant.objects.filter(user=world.people.filler).values_list("unit__name")) == {
        ("江东区第一小学",)
    }


def test_a_forged_callback_is_refused(oidc_on, world):
    client = Client()
    client.get(reverse("accounts:oidc_start"))
    state = next(iter(client.session["oidc_states"]))
    response = client.get(reverse("accounts:oidc_callback") + f"?code=forged&state={state}")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?sso=failed"
    page = client.get(response["Location"]).content.decode()
    assert "统一身份认证登录未成功" in page
    assert "_auth_user_id" not in client.session


def test_an_unreachable_provider_gives_a_chinese_page(settings, world):
    for name, value in sso_settings(
        {"WENMING_OIDC_ISSUER": "http://127.0.0.1:9", "WENMING_OIDC_CLIENT_ID": "x"}
    ).items():
        setattr(settings, name, value)
    discovery_forget()
    response = Client().get(reverse("accounts:oidc_start"))
    assert response.status_code == 503
    assert "暂时无法访问" in response.content.decode()
    # password logins do not wait for the provider
    world.people.head.set_password("Local-pass-2026")
    world.people.head.save()
    login = Client().post(reverse("login"), {"username": "head", "password": "Local-pass-2026"})
    assert login.status_code == 302


def test_logging_out_also_ends_the_providers_session(oidc_on, world):
    """On a shared office computer the next person must not be signed in by the provider's
    session: our logout sends the browser on to the provider's end-session endpoint (from its
    discovery document) with the ID token as hint, and the provider sends it back to our login
    page. A local account's logout stays here."""
    client = Client()
    sign_in(client, "sub-qian")
    out = client.post(reverse("logout"))
    assert out.status_code == 302
    end = urlsplit(out["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == oidc_on.issuer + "/oauth2/end_session"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token (a JWT)
    assert client.get(reverse("home")).status_code == 302  # signed out here already
    # the provider's page ends its session and offers the way back to our login page
    ended = requests.get(out["Location"], timeout=5)
    assert ended.status_code == 200 and "http://testserver/login/" in ended.text

    local = Client()
    local.force_login(world.people.filler)
    assert local.post(reverse("logout"))["Location"] == reverse("login")
