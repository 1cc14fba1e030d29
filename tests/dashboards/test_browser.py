"""In headless Chromium: the dashboard draws every chart with the product's own plotly.js and
nothing is fetched from an outside host."""

from __future__ import annotations

import pytest

from tests.web.test_browser import (  # noqa: F401
    SHOTS,
    _guarded,
    _log_in,
    browser_page,
    csp_violations,
)


@pytest.mark.django_db(transaction=True)
def test_the_charts_draw_with_no_outside_request(browser_page, live_server, board):  # noqa: F811
    page = browser_page
    outside = _guarded(page, live_server)
    violations = csp_violations(page)
    served: list[str] = []
    page.on("response", lambda r: served.append(r.url) if "plotly" in r.url else None)
    _log_in(page, live_server, "city_office")
    page.click("text=统计看板")
    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        "() => document.querySelectorAll('.chart').length > 0 && "
        "document.querySelectorAll('.chart[data-drawn]').length == "
        "document.querySelectorAll('.chart').length",
        timeout=30_000,
    )
    for key in ("states", "grades", "ranking", "weakest", "trend", "targets"):
        assert page.locator(f"#chart-{key} svg.main-svg").count() > 0, key
    # the bars carry the figures of the table below them
    assert page.locator("#chart-states .xtick text", has_text="审核中").count() == 1
    assert page.locator("#chart-ranking .ytick text", has_text="临江第一小学").count() == 1
    assert any(url.endswith("/static/plotly/plotly.min.js") for url in served)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    assert outside == []
    assert violations == [], "\n".join(violations)  # plotly.js keeps within the CSP
