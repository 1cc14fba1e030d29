"""In headless Chromium at phone width: answer a survey, with the show-if rule, the progress
and the half-filled answer kept across a reload; nothing fetched from outside, no CSP breach."""

from __future__ import annotations

import pytest

from tests.web.test_browser import SHOTS, _guarded, browser_page, csp_violations  # noqa: F401
from wenming.surveys.models import Answer, Response


@pytest.mark.django_db(transaction=True)
def test_answer_a_survey_on_a_phone(browser_page, live_server, survey):  # noqa: F811
    q, _, _ = survey
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    outside = _guarded(page, live_server)
    violations = csp_violations(page)
    page.goto(f"{live_server.url}/s/{q.code}/")
    reason = page.locator("fieldset[data-key=Q5]")
    assert reason.is_hidden()  # shown only after 不满意 on Q1
    page.check("input[name=q_Q1][value=不满意]")
    assert reason.is_visible()
    page.fill("textarea[name=q_Q5]", "等待时间太长")
    page.check("input[name=q_Q2][value=基本满意]")
    assert page.locator("#survey-progress-text").text_content() == "已答 3 / 5 题"
    page.reload()  # the half-filled answer comes back from this browser's storage
    assert page.is_checked("input[name=q_Q1][value=不满意]")
    assert page.input_value("textarea[name=q_Q5]") == "等待时间太长"
    page.check("input[name=q_Q3][value=满意]")
    page.check("input[name=q_Q4][value=满意]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "survey-phone.png"), full_page=True)
    page.click("button.submit")
    page.wait_for_url(f"{live_server.url}/s/{q.code}/done/")
    assert "提交成功" in page.content()
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__key="Q5").text == "等待时间太长"
    assert page.evaluate("() => window.localStorage.length") == 0  # cleared once sent
    assert outside == []
    assert violations == [], "\n".join(violations)
