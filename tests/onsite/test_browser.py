"""In headless Chromium on a phone-sized screen: scores typed while offline survive closing the
tab and are stored exactly once when the connection comes back."""

from __future__ import annotations

import time

import pytest

from tests.conftest import chromium_path, need
from tests.web.test_browser import ARGS, SHOTS, _guarded, _log_in, csp_violations
from wenming.onsite.assignments import assignment_create
from wenming.onsite.models import Score


@pytest.fixture
def phone(monkeypatch, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    path = chromium_path()
    need(path is not None, "未找到 Chromium(Debian 软件包 chromium),浏览器测试跳过")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        yield context
        browser.close()


def _wait_for(page, selector: str, text: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    shown = ""
    while time.monotonic() < deadline:
        shown = page.locator(selector).inner_text()
        if text in shown:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} shows {shown!r}, expected {text!r}")


@pytest.mark.django_db(transaction=True)
def test_offline_scores_survive_a_closed_tab_and_are_stored_once(phone, live_server, world, onsite):
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )
    expert = onsite.experts.b.user
    url = f"{live_server.url}/onsite/a/{assignment.pk}/"
    violations = csp_violations(phone)
    page = phone.new_page()
    outside = _guarded(page, live_server)
    _log_in(page, live_server, expert.username)
    page.goto(url)
    _wait_for(page, "#sync-state", "已全部同步")

    phone.set_offline(True)
    letters = page.locator(".onsite-item:has(input[value=A])")
    codes = [letters.nth(i).get_attribute("data-code") for i in range(5)]
    for code in codes[:4]:
        page.locator(f'[data-code="{code}"] input[value=A]').check()
    last = page.locator(f'[data-code="{codes[4]}"]')
    last.locator("[data-field=reason]").fill("图书借阅记录不全")
    last.locator("[data-field=reason]").press("Tab")
    last.locator("input[value=B]").check()
    _wait_for(page, "#sync-state", "5条待同步")
    assert "离线" in page.locator("#sync-state").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "onsite-offline.png"))
    assert Score.objects.filter(expert=expert).count() == 0
    page.close()

    phone.set_offline(False)
    page = phone.new_page()
    page.goto(url)
    _wait_for(page, "#sync-state", "已全部同步")
    stored = Score.objects.filter(expert=expert)
    assert stored.count() == 5
    assert sorted(stored.values_list("code", flat=True)) == sorted(codes)
    assert stored.get(code=codes[4]).reason == "图书借阅记录不全"
    page.screenshot(path=str(SHOTS / "onsite-synced.png"), full_page=False)

    # every entry sent again (as after a lost answer): still exactly five, none twice
    page.evaluate(
        """() => { for (const k of Object.keys(localStorage)) {
            const all = JSON.parse(localStorage.getItem(k));
            for (const e of Object.values(all)) e.pending = true;
            localStorage.setItem(k, JSON.stringify(all)); } }"""
    )
    page.reload()
    _wait_for(page, "#sync-state", "已全部同步")
    assert Score.objects.filter(expert=expert).count() == 5
    assert page.locator(f'[data-code="{codes[4]}"] input[value=B]').is_checked()
    # 只看未评: the five scored items hide, the others stay
    total = page.locator(".onsite-item").count()
    page.locator("#only-unscored").check()
    visible = [s for s in page.locator(".onsite-item").all() if s.is_visible()]
    assert len(visible) == total - 5
    assert not page.locator(f'section[data-code="{codes[0]}"]').is_visible()
    page.locator("#only-unscored").uncheck()
    assert page.locator(f'section[data-code="{codes[0]}"]').is_visible()
    assert outside == []
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_photo_taken_offline_is_kept_on_the_phone_and_stored_once(
    phone, live_server, world, onsite, tmp_path, settings
):
    from wenming.attachments.detect import image_bytes
    from wenming.onsite.models import Photo

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )
    expert = onsite.experts.b.user
    url = f"{live_server.url}/onsite/a/{assignment.pk}/"
    picture = tmp_path / "现场.jpg"
    picture.write_bytes(image_bytes("green"))
    violations = csp_violations(phone)
    page = phone.new_page()
    outside = _guarded(page, live_server)
    _log_in(page, live_server, expert.username)
    page.goto(url)
    _wait_for(page, "#sync-state", "已全部同步")

    phone.set_offline(True)
    item = page.locator(".onsite-item:has(input[value=A])").first
    code = item.get_attribute("data-code")
    item.locator("input[value=A]").check()
    item.locator("input[type=file]").set_input_files(str(picture))
    item.locator("form.photo button").click()
    _wait_for(page, "#sync-state", "1张照片待同步")
    assert "照片已暂存在本机" in item.locator(".photo-state").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    item.screenshot(path=str(SHOTS / "onsite-photo-offline.png"))
    assert Photo.objects.count() == 0
    page.close()

    phone.set_offline(False)
    page = phone.new_page()
    page.goto(url)
    _wait_for(page, f'form.photo[data-code="{code}"] .photo-state', "照片已上传", seconds=25)
    _wait_for(page, "#sync-state", "已全部同步")
    photo = Photo.objects.get()
    assert photo.score.code == code and photo.score.expert == expert and photo.client_id
    page.reload()
    _wait_for(page, "#sync-state", "已全部同步")
    assert page.locator(f'[data-code="{code}"] .files img').count() == 1
    assert Photo.objects.count() == 1
    assert outside == []
    assert violations == []


def _large_photo(path, *, size=(3000, 2000)) -> None:
    """A camera-sized JPEG taken sideways (EXIF orientation 6) with its time and place."""
    from PIL import Image

    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held upright: viewers turn the picture a quarter
    exif[306] = "2026:05:01 09:30:00"
    exif.get_ifd(0x8769)[36867] = "2026:05:01 09:30:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 35.0, 0.0), 3: "E", 4: (114.0, 18.0, 0.0)})
    picture.save(path, "JPEG", quality=90, exif=exif)


@pytest.mark.django_db(transaction=True)
def test_the_scoring_page_reloads_offline_and_a_large_photo_goes_small_over_a_slow_link(
    phone, live_server, world, onsite, tmp_path, settings
):
    """http://localhost is a secure context: the service worker keeps the page, so a reload
    while offline shows it again with what was typed; the photo is made 2,000 px on the phone
    (EXIF time and place kept, upright) and sent once the link is back, over a throttled one."""
    from django.utils import timezone
    from PIL import Image

    from wenming.attachments.services import content_path
    from wenming.onsite.models import Photo

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )
    expert = onsite.experts.b.user
    url = f"{live_server.url}/onsite/a/{assignment.pk}/"
    picture = tmp_path / "IMG_0001.jpg"
    _large_photo(picture)
    violations = csp_violations(phone)
    page = phone.new_page()
    outside = _guarded(page, live_server)
    _log_in(page, live_server, expert.username)
    page.goto(url)
    _wait_for(page, "#sync-state", "已全部同步")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    for _ in range(150):  # kept for offline use once the worker is ready
        if page.evaluate("() => caches.match(location.pathname).then((hit) => !!hit)"):
            break
        page.wait_for_timeout(100)

    page.wait_for_timeout(2000)
    phone.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    _wait_for(page, "#sync-state", "离线")
    item = page.locator(".onsite-item:has(input[value=A])").first
    code = item.get_attribute("data-code")
    item.locator("[data-field=reason]").fill("宣传栏内容未更新")
    item.locator("[data-field=reason]").press("Tab")
    item.locator("input[value=B]").check()
    item.locator("input[type=file]").set_input_files(str(picture))
    item.locator("form.photo button").click()
    _wait_for(page, "#sync-state", "1张照片待同步")
    _wait_for(page, "#sync-state", "1条待同步")
    page.reload()  # offline again: the kept page, the entry typed after it was kept
    _wait_for(page, "#sync-state", "1张照片待同步")
    _wait_for(page, f'form.photo[data-code="{code}"] .photo-state', "照片已暂存在本机")
    assert page.locator(f'[data-code="{code}"] input[value=B]').is_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "onsite-offline-reload.png"))
    assert Score.objects.filter(expert=expert).count() == 0 and Photo.objects.count() == 0

    phone.set_offline(False)
    link = phone.new_cdp_session(page)
    link.send(  # a weak mobile link: 300 ms, 400 kbit/s up, 1.6 Mbit/s down
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 300,
            "uploadThroughput": 50_000,
            "downloadThroughput": 200_000,
        },
    )
    _wait_for(page, f'form.photo[data-code="{code}"] .photo-state', "照片已上传", seconds=60)
    _wait_for(page, "#sync-state", "已全部同步")
    score = Score.objects.get(expert=expert)
    assert score.code == code and score.value == "B" and score.reason == "宣传栏内容未更新"
    photo = Photo.objects.get()
    assert photo.score == score
    with Image.open(content_path(photo.attachment.file.sha256)) as stored:
        assert stored.size == (1333, 2000)  # upright, long edge 2,000 px
        assert stored.getexif().get(0x0112) == 1
    taken = timezone.localtime(photo.taken_at) if photo.taken_at else None
    assert taken is not None and taken.strftime("%Y-%m-%d %H:%M") == "2026-05-01 09:30"
    assert photo.latitude is not None and round(float(photo.latitude), 4) == 30.5833
    assert outside == []
    assert violations == []
