"""Pages: login is required; frameworks can be browsed and exported; nothing from outside hosts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from wenming.core.formats import framework_from_xlsx, framework_from_yaml, framework_load
from wenming.frameworks.services import framework_import

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def user_client(client: Client) -> Client:
    user = get_user_model().objects.create_user("filler", password="Strong-pass-2026")
    client.force_login(user)
    return client


@pytest.fixture
def stored(school):
    return framework_import(framework=school)[0]


@pytest.mark.parametrize("name", ["home", "frameworks:list"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_framework_pages_need_login(client, stored):
    for url in (
        reverse("frameworks:detail", args=[stored.code, stored.edition]),
        reverse("frameworks:export", args=[stored.code, stored.edition, "xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 302


def test_login_page_is_chinese(client):
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html and "用户名" in html and "密码" in html


def test_wrong_password_gets_a_chinese_error(client):
    get_user_model().objects.create_user("u1", password="Strong-pass-2026")
    html = client.post(reverse("login"), {"username": "u1", "password": "nope"}).content.decode()
    assert "用户名或密码不正确" in html


def test_list_shows_editions_with_constant_queries(
    user_client, stored, mini, django_assert_max_num_queries
):
    framework_import(framework=mini)
    with django_assert_max_num_queries(6):
        html = user_client.get(reverse("frameworks:list")).content.decode()
    assert "义务教育标准化学校评估细则" in html and "迷你框架" in html and "示例(非官方)" in html


def test_detail_shows_the_tree(user_client, stored, school):
    html = user_client.get(
        reverse("frameworks:detail", args=[stored.code, stored.edition])
    ).content.decode()
    for leaf in list(school.leaves())[:5]:
        assert leaf.name in html
    assert "D类危房" in html and "基本达标" in html and "达标比例" in html


def test_detail_prints_the_written_or_generated_rule(user_client):
    rules = framework_import(framework=framework_load(DATA / "rules.yaml"))[0]
    html = user_client.get(
        reverse("frameworks:detail", args=[rules.code, rules.edition])
    ).content.decode()
    assert "注册率达到30%得3分;20%至30%得2分;低于20%不得分。" in html  # A1: written
    assert "不超过0件得4分,超过0件至2件(含)得2分,超过2件不得分。" in html  # C: generated


def test_exports_round_trip(user_client, stored, school):
    xlsx = user_client.get(reverse("frameworks:export", args=[stored.code, stored.edition, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert framework_from_xlsx(xlsx.content) == school
    yml = user_client.get(reverse("frameworks:export", args=[stored.code, stored.edition, "yaml"]))
    assert framework_from_yaml(yml.content.decode()) == school
    assert (
        user_client.get(
            reverse("frameworks:export", args=[stored.code, stored.edition, "pdf"])
        ).status_code
        == 404
    )


def test_unknown_edition_is_404(user_client):
    assert user_client.get(reverse("frameworks:detail", args=["nope", "1"])).status_code == 404


def test_pages_reference_no_outside_host(user_client, stored):
    for url in (
        reverse("home"),
        reverse("frameworks:list"),
        reverse("frameworks:detail", args=[stored.code, stored.edition]),
    ):
        html = user_client.get(url).content.decode()
        assert not re.search(r"""(src|href)=["'](https?:)?//""", html), url


TEMPLATES = sorted((Path(__file__).parents[2] / "wenming").rglob("templates/**/*.html"))
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_carries_inline_script_or_style(template):
    """The Content-Security-Policy allows neither; behaviour goes in static JS (data-* hooks)."""
    found = [m.group(0) for m in INLINE.finditer(template.read_text(encoding="utf-8"))]
    assert found == [], found


def test_every_page_carries_the_content_security_policy(user_client):
    policy = user_client.get(reverse("home"))["Content-Security-Policy"]
    # django-csp writes the directives in no fixed order: compare them one by one
    directives = {d.split()[0]: d for d in policy.split("; ")}
    assert directives["default-src"] == "default-src 'self'"
    assert directives["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
