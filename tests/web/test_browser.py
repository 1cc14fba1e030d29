"""In headless Chromium: log in, read a framework, and nothing is fetched from outside hosts."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import chromium_path, need
from wenming.frameworks.services import framework_import

SHOTS = Path(os.environ.get("WENMING_SCREENSHOTS", "/tmp/wenming-shots"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page(monkeypatch):
    path = chromium_path()
    need(path is not None, "未找到 Chromium(Debian 软件包 chromium),浏览器测试跳过")
    # Playwright's sync API runs an event loop; the ORM would refuse to run beside it
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
    _close_server_connections()


def _close_server_connections() -> None:
    """The live server's request threads may keep PostgreSQL sessions open; end them so the
    test database can be dropped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity"
                " where datname = current_database() and pid <> pg_backend_pid()"
            )


@pytest.mark.django_db(transaction=True)
def test_log_in_and_read_a_framework_offline(browser_page, live_server, school):
    get_user_model().objects.create_user(
        "viewer", password="Strong-pass-2026", first_name="测试用户"
    )
    framework_import(framework=school)
    own_host = urlparse(live_server.url).netloc
    outside: list[str] = []

    def guard(route):
        if urlparse(route.request.url).netloc != own_host:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page = browser_page
    page.route("**/*", guard)
    page.goto(f"{live_server.url}/frameworks/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", "Strong-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/frameworks/")
    page.click("text=义务教育标准化学校评估细则")
    page.wait_for_selector("table.tree")
    assert page.locator("table.tree tbody tr").count() == sum(1 for _ in school.walk())
    assert page.locator("h1").inner_text().startswith("义务教育标准化学校评估细则")
    # our stylesheet is applied (served by the product itself)
    assert (
        page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")
        == "rgb(179, 38, 30)"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "framework-detail.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "framework-detail-phone.png"))
    assert outside == []
