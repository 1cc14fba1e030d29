"""In headless Chromium: log in, read a framework, and nothing is fetched from outside hosts."""

from __future__ import annotations

import os
import time
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
def browser_page(monkeypatch, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
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


def _guarded(page, live_server) -> list[str]:
    """Abort and record every request that does not go to the product itself."""
    own_host = urlparse(live_server.url).netloc
    outside: list[str] = []

    def guard(route):
        if urlparse(route.request.url).netloc != own_host:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    return outside


# reports every Content-Security-Policy violation on the console, where the test collects it
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});
"""


def csp_violations(target) -> list[str]:
    """Collect CSP violations on a page or a browser context (every page it opens)."""
    found: list[str] = []
    target.add_init_script(CSP_REPORTER)

    def note(message) -> None:
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            found.append(text)

    target.on("console", note)
    return found


def _wait_for_total(page, expected: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    shown = ""
    while time.monotonic() < deadline:
        shown = page.evaluate("document.querySelector('#total-value').textContent")
        if shown == expected:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"total shows {shown!r}, expected {expected!r}")


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Strong-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.django_db(transaction=True)
def test_fill_a_self_assessment_watch_the_total_and_submit(browser_page, live_server, school):
    from tests.assessments.test_services import fill_all
    from tests.factories import UnitFactory, UnitTypeFactory, person, region
    from wenming.accounts.models import Role
    from wenming.assessments.models import SelfAssessment
    from wenming.assessments.services import self_assessment_start

    edition = framework_import(framework=school)[0]
    district = region("江东区")
    school_type = UnitTypeFactory.create(name="学校", is_school=True)
    unit = UnitFactory.create(
        name="江东区第一小学",
        unit_type=school_type,
        region=district,
        stage="小学",
        enrolment_primary=800,
    )
    other = UnitFactory.create(
        name="江西区人民医院",
        unit_type=UnitTypeFactory.create(name="医院"),
        region=region("江西区"),
    )
    filler = person("filler", Role.UNIT_FILLER, unit=unit)
    person("unit_admin", Role.UNIT_ADMIN, unit=unit)
    assessment = self_assessment_start(actor=filler, unit=unit, edition=edition)
    fill_all(type("W", (), {"people": type("P", (), {"filler": filler})})(), assessment)
    page = browser_page
    outside = _guarded(page, live_server)
    violations = csp_violations(page)
    _log_in(page, live_server, "filler")
    assert "script-src 'self'" in page.evaluate(
        "fetch('/').then(r => r.headers.get('content-security-policy'))"
    )
    page.goto(f"{live_server.url}/self-assessments/{assessment.pk}/")
    assert page.locator("#total-value").inner_text() == "1000"
    item = page.locator('[data-code="A1.6"]')
    item.locator("input[name=value]").fill("3")
    item.locator("input[name=reason]").fill("围墙破损")
    _wait_for_total(page, "997")
    page.wait_for_selector("text=A1.6 扣3分:围墙破损(3处×1分)")
    note = item.locator("textarea[name=note]")
    note.fill("东侧围墙")
    assert item.locator(".counter").inner_text() == "4/500字"
    page.locator('[data-code="A1.5"] input[value="C"]').check()
    _wait_for_total(page, "990.3")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "self-assessment.png"))
    page.wait_for_selector("#trail >> text=东侧围墙")  # the note was saved as typed
    # a closed browser loses nothing: the draft is on the server
    page.goto(f"{live_server.url}/self-assessments/{assessment.pk}/")
    assert page.locator("#total-value").inner_text() == "990.3"
    assert page.locator('[data-code="A1.6"] textarea[name=note]').input_value() == "东侧围墙"
    # another unit's page is refused
    response = page.goto(f"{live_server.url}/units/{other.pk}/")
    assert response is not None and response.status == 404
    # the unit administrator submits, which locks it
    page.context.clear_cookies()
    _log_in(page, live_server, "unit_admin")
    page.goto(f"{live_server.url}/self-assessments/{assessment.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-assessment")
    page.wait_for_selector("text=自评已提交,内容已锁定")
    assert page.locator("form.entry").count() == 0
    assert SelfAssessment.objects.get(pk=assessment.pk).status == "submitted"
    assert outside == []
    assert violations == []


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


@pytest.mark.django_db(transaction=True)
def test_self_assessment_with_every_rule_kind_at_desktop_and_phone_width(browser_page, live_server):
    """Counts per kind, a tier and 不适用 typed in the browser reach the database and the total."""
    from tests.factories import UnitFactory, UnitTypeFactory, person, region
    from wenming.accounts.models import Role
    from wenming.assessments.services import entry_save, self_assessment_start
    from wenming.core.formats import framework_load

    rules = Path(__file__).parent.parent / "data" / "rules.yaml"
    edition = framework_import(framework=framework_load(rules))[0]
    unit = UnitFactory.create(
        name="江东区第一小学",
        unit_type=UnitTypeFactory(name="学校", is_school=True),
        region=region("江东区"),
        stage="初中",
    )
    filler = person("filler", Role.UNIT_FILLER, unit=unit)
    assessment = self_assessment_start(actor=filler, unit=unit, edition=edition)
    for code, value in (("A1", "30"), ("A2", "0"), ("A3", "是"), ("B2", "是"), ("C", "0")):
        entry_save(actor=filler, assessment_id=assessment.pk, code=code, value=value)
    page = browser_page
    outside = _guarded(page, live_server)
    violations = csp_violations(page)
    _log_in(page, live_server, "filler")
    page.goto(f"{live_server.url}/self-assessments/{assessment.pk}/")
    assert page.locator('[data-code="B1"]').count() == 0  # 小学 only; this is a junior school
    assert page.locator("#total-value").inner_text() == "20"
    findings = page.locator('[data-code="A2"]')
    findings.locator("input[name=count_0]").fill("1")
    findings.locator("input[name=count_1]").fill("1")
    findings.locator("input[name=reason]").fill("缺会议记录")
    _wait_for_total(page, "16.25")  # A2 5 − (2 + 1): 13 of 16 applicable points → 16.25 of 20
    page.locator('[data-code="A1"] input[name=value]').fill("25")
    _wait_for_total(page, "15")  # A1 earns 2 of 3: 12 of 16
    page.locator('[data-code="A3"] input[name=na]').check()
    _wait_for_total(page, "14.29")  # A3 out: 10 of 14 applicable points → 14.2857
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "self-assessment-rules.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/self-assessments/{assessment.pk}/")
    assert page.locator('[data-code="A2"] input[name=count_0]').input_value() == "1"
    assert page.locator('[data-code="A3"] input[name=na]').is_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SHOTS / "self-assessment-rules-phone.png"), full_page=True)
    assert outside == []
    assert violations == []
