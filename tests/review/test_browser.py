"""The review page in headless Chromium at desktop and phone width: every checked text with its
marks, no sideways scrolling on a phone, nothing fetched from outside, no CSP violation."""

from __future__ import annotations

import pytest

from tests.core.copycheck.texts import OWN_WORDS, TEMPLATES
from tests.web.test_browser import SHOTS, _guarded, _log_in, browser_page, csp_violations  # noqa: F401
from wenming.ledger.models import IndicatorExplanation
from wenming.review.services import check_run, report_file_add

from .conftest import library, report
from .test_texts import OFF_TOPIC, ON_TOPIC, _docx, _preparing

OWN = OWN_WORDS.splitlines()
COPIED = TEMPLATES["自查报告范文"].splitlines()


@pytest.mark.django_db(transaction=True)
def test_the_review_page_at_desktop_and_phone_width(browser_page, live_server, world, campaign):  # noqa: F811
    library(world)
    report(
        world.s1,
        campaign.edition,
        "\n".join([OWN[1], *COPIED[6:9], "我单位共有职工××名,每年编发报表份。"]),
        f"{ON_TOPIC}\n{OFF_TOPIC}",
    )
    IndicatorExplanation.objects.create(
        unit=world.s1,
        edition=campaign.edition,
        code="A",
        text=TEMPLATES["汇报材料范文"].splitlines()[6],
        updated_by=world.people.filler,
    )
    application = _preparing(world, campaign)
    report_file_add(
        actor=world.people.filler,
        application=application,
        name="创建工作汇报材料.docx",
        content=_docx(TEMPLATES["汇报材料范文"]),
    )
    check_run(application=application)
    page = browser_page
    violations = csp_violations(page)
    outside = _guarded(page, live_server)
    _log_in(page, live_server, world.people.filler.username)
    page.goto(f"{live_server.url}/review/applications/{application.pk}/")
    shown = page.locator("main").inner_text()
    for text in ("上传的材料:创建工作汇报材料.docx", "指标说明", "未切题的部分", "A 办学条件:"):
        assert text in shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SHOTS / "review-phone.png"), full_page=True)
    assert outside == [] and violations == []
