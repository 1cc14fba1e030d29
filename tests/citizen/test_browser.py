"""In headless Chromium at phone width: a citizen files a report with a photo, is given the
reference number and looks it up; the office's pages at desktop width (screenshots)."""

from __future__ import annotations

import pytest

from tests.citizen.conftest import photo
from tests.conftest import chromium_path, need
from tests.web.test_browser import ARGS, SHOTS, _guarded, _log_in, csp_violations
from wenming.citizen.models import CitizenReport


@pytest.fixture
def browser(monkeypatch, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    path = chromium_path()
    need(path is not None, "未找到 Chromium(Debian 软件包 chromium),浏览器测试跳过")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.django_db(transaction=True)
def test_a_citizen_files_a_report_with_a_photo_on_a_phone(browser, live_server, district, tmp_path):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    violations = csp_violations(phone)
    page = phone.new_page()
    outside = _guarded(page, live_server)
    page.goto(f"{live_server.url}/report/")
    page.click("text=江东区")
    page.select_option("select[name=category]", label="环境卫生")
    page.fill("textarea[name=description]", "公园东门垃圾桶满溢,周边有异味")
    picture = tmp_path / "现场.jpg"
    picture.write_bytes(photo())
    page.set_input_files("input[name=photos]", str(picture))
    page.select_option("select[name=place]", label="人民公园东门")
    page.fill("input[name=contact_phone]", "139 0000 0000")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen-report-phone.png"), full_page=True)
    page.click("button:has-text('提交')")
    page.wait_for_selector("#report-filed")
    report = CitizenReport.objects.get()
    assert report.reference in page.locator("#report-filed").inner_text()
    assert "已收到,待受理" in page.locator("#report-status").inner_text()
    assert report.latitude is not None and report.problem is not None
    page.screenshot(path=str(SHOTS / "citizen-lookup-phone.png"), full_page=True)
    # the page fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not outside and not violations

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    office = desk.new_page()
    _log_in(office, live_server, "east_office")
    office.goto(f"{live_server.url}/citizen/{report.pk}/")
    assert "仅受理部门可见" in office.inner_text("#report")
    office.screenshot(path=str(SHOTS / "citizen-office-detail.png"), full_page=True)
    office.goto(f"{live_server.url}/citizen/categories/")
    office.screenshot(path=str(SHOTS / "citizen-categories.png"), full_page=True)
