"""Error pages: Chinese, inside the layout, saying what happened and where to go, with DEBUG off."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from wenming.web.middleware import NUL_REFUSED

pytestmark = pytest.mark.django_db


def _is_error_page(html: str, title: str) -> None:
    assert f"<h1>{title}</h1>" in html
    assert "文明创建测评平台" in html and 'href="/static/wenming/site.css"' in html  # the layout
    assert "返回首页" in html and "返回上一页" in html
    assert "Not Found" not in html and "Forbidden" not in html and "Bad Request" not in html


@pytest.fixture
def office(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_user("u", password="Strong-pass-2026"))
    return client


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_chinese_404_with_the_menu(office):
    response = office.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _is_error_page(html, "页面不存在")
    assert "退出" in html  # the top bar of a logged-in person


@override_settings(DEBUG=False)
def test_a_refusal_is_a_chinese_403_with_the_reason(office):
    response = office.get(reverse("accounts:list"))
    assert response.status_code == 403
    _is_error_page(response.content.decode(), "没有权限")


@override_settings(DEBUG=False)
def test_a_bad_parameter_is_a_chinese_400_naming_the_field(office):
    response = office.get(reverse("units:list") + "?region=abc")
    assert response.status_code == 400
    html = response.content.decode()
    _is_error_page(html, "请求有误")
    assert "区域:" in html


@override_settings(DEBUG=False)
def test_a_nul_character_is_refused_before_any_view(office):
    response = office.get(reverse("units:list") + "?q=a%00b")
    assert response.status_code == 400 and NUL_REFUSED in response.content.decode()


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_token_is_a_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "u", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    _is_error_page(html, "没有权限")
    assert "页面已过期" in html and "刷新后重新提交" in html


@override_settings(DEBUG=False)
def test_the_500_page_needs_neither_database_nor_session(office, monkeypatch):
    from wenming.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(views, "todos_for", broken)
    # context processors would query the database: make any query fail too
    from django.db.backends.utils import CursorWrapper

    office.raise_request_exception = False
    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = office.get(reverse("home"))
    assert response.status_code == 500
    html = response.content.decode()
    _is_error_page(html, "系统出错")
    assert "退出" not in html  # rendered without the request: no menu, no session


@override_settings(DEBUG=False, ALLOWED_HOSTS=["wenming.example"])
def test_an_unknown_host_gets_a_chinese_400(db):
    response = Client(HTTP_HOST="evil.example").get("/login/")
    assert response.status_code == 400
    _is_error_page(response.content.decode(), "请求有误")
