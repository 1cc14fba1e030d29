"""In headless Chromium: an office draws on the spot, opens the record and verifies it."""

from __future__ import annotations

import pytest

from tests.web.test_browser import SHOTS, _guarded, _log_in, browser_page  # noqa: F401
from wenming.draws.models import Draw


@pytest.mark.django_db(transaction=True)
def test_draw_on_the_spot_redraw_and_verify(browser_page, live_server, world, pool):  # noqa: F811
    page = browser_page
    outside = _guarded(page, live_server)
    SHOTS.mkdir(parents=True, exist_ok=True)
    _log_in(page, live_server, "east_office")
    page.goto(f"{live_server.url}/campaigns/{pool.campaign.pk}/")
    page.click("text=现场抽签")
    page.fill("input[name='share:学校·小学']", "1/5")
    page.fill("input[name=min_per_district]", "1")
    page.screenshot(path=str(SHOTS / "draw-rules.png"), full_page=True)
    page.click("#draw-form button")
    page.wait_for_selector("#picks")
    first = Draw.objects.get()
    assert page.locator("#picks tbody tr").count() == len(first.result) >= 4
    assert page.locator("#seed").inner_text() == first.seed
    page.click("text=核验")
    page.wait_for_selector("#verdict")
    assert "核验通过" in page.locator("#verdict").inner_text()
    page.screenshot(path=str(SHOTS / "draw-record.png"), full_page=True)
    # a redraw, with its reason; the first is kept and listed
    page.goto(f"{live_server.url}/draws/campaign/{pool.campaign.pk}/")
    page.fill("input[name=reason]", "抽签时组长未到场,重新抽取")
    page.click("#draw-form button")
    page.wait_for_selector("#picks")
    page.goto(f"{live_server.url}/draws/campaign/{pool.campaign.pk}/")
    assert page.locator("#history tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "draw-history.png"), full_page=True)
    # someone edits the first record in the database: the check says so
    Draw.objects.filter(pk=first.pk).update(seed="0" * 32)
    page.goto(f"{live_server.url}/draws/{first.pk}/?verify=1")
    assert "核验失败" in page.locator("#verdict").inner_text()
    page.screenshot(path=str(SHOTS / "draw-tampered.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/draws/campaign/{pool.campaign.pk}/")
    page.screenshot(path=str(SHOTS / "draw-phone.png"), full_page=True)
    assert outside == []
