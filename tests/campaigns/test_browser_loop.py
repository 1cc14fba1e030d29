"""One whole campaign in headless Chromium, as the people who do each step: the office creates a
文明校园 campaign with the forms and opens it; two schools apply (administrator, head's signature,
submission); the supervising body passes one and says 不通过 to the other with a reason; the
office accepts, draws, and the expert scores on a phone — every item and the separately scored
component — and signs the sheet; the office records it and passes the step, publishes the list;
the public objects; the office dismisses the objection, names the unit and downloads the
certificate. Screenshots of every step go to a temporary directory (printed)."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.conftest import chromium_path, need
from tests.factories import person
from tests.onsite.conftest import make_expert
from tests.web.test_browser import ARGS, _guarded, csp_violations
from wenming.accounts.models import Role
from wenming.assessments.services import entry_save, self_assessment_start, self_assessment_submit
from wenming.campaigns.models import Application, Campaign, Phase, State
from wenming.core.formats import framework_load
from wenming.demo import library_files
from wenming.frameworks.selectors import engine_of
from wenming.frameworks.services import framework_import
from wenming.jobs.models import Job
from wenming.jobs.services import job_run
from wenming.onsite.assignments import assignment_create
from wenming.onsite.teams import team_create
from wenming.titles.models import Title

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Clock:
    """The product's today (``timezone.localdate()``) moved forward for the publicity steps."""

    def __init__(self, monkeypatch) -> None:
        self.shift = timedelta(0)
        real = timezone.localdate

        def localdate(value=None, timezone=None):
            if value is None and timezone is None:
                return real() + self.shift
            return real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    def today(self):
        return timezone.localdate()


@pytest.fixture
def chromium(monkeypatch, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    path = chromium_path()
    need(path is not None, "未找到 Chromium(Debian 软件包 chromium),浏览器测试跳过")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        yield browser
        browser.close()


def submitted(world, edition, unit, filler, admin):
    """A self-assessment at full marks with the component reached, submitted (set-up)."""
    assessment = self_assessment_start(actor=filler, unit=unit, edition=edition)
    engine = engine_of(edition)
    for code, style in engine.styles.items():
        value = "A" if style.key == "letter" else "0"
        entry_save(actor=filler, assessment_id=assessment.pk, code=code, value=value)
    entry_save(actor=filler, assessment_id=assessment.pk, code="M", value="92")
    return self_assessment_submit(actor=admin, assessment_id=assessment.pk)


class Walk:
    """Each person's own browser context, logged in once; screenshots numbered in order."""

    def __init__(self, browser, live_server, shots: Path) -> None:
        self.browser, self.server, self.shots = browser, live_server, shots
        self.pages: dict[str, object] = {}
        self.outside: list[list[str]] = []  # per person: requests to other hosts
        self.violations: list[list[str]] = []  # per person: CSP violations
        self.count = 0
        self.t0 = time.monotonic()

    def page(self, who: str, *, phone: bool = False):
        if who in self.pages:
            return self.pages[who]
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            accept_downloads=True,
            locale="zh-CN",
        )
        self.violations.append(csp_violations(context))
        page = context.new_page()
        self.outside.append(_guarded(page, self.server))
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm: the person confirms
        if who != "public":  # signed in as that person (the login page has its own tests)
            client = Client()
            client.force_login(User.objects.get(username=who))
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": self.server.url,
                    }
                ]
            )
        self.pages[who] = page
        return page

    def go(self, who: str, path: str, *, phone: bool = False):
        page = self.page(who, phone=phone)
        page.goto(f"{self.server.url}{path}")
        return page

    def shot(self, page, name: str) -> None:
        self.count += 1
        print(f"{time.monotonic() - self.t0:6.1f}s {name}")
        page.screenshot(path=str(self.shots / f"{self.count:02d}-{name}.png"), full_page=True)


def message(page) -> str:
    """The page's messages, to say why a step did not happen."""
    return " ".join(page.locator(".messages li").all_inner_texts())


@pytest.mark.django_db(transaction=True)
def test_one_campaign_from_creation_to_certificate(chromium, live_server, world, monkeypatch):
    started = time.monotonic()
    clock = Clock(monkeypatch)
    shots = Path(tempfile.mkdtemp(prefix="wenming-loop-"))
    print(f"\nscreenshots: {shots}")
    path = next(p for p in library_files() if p.name == "civilized-campus.yaml")
    edition = framework_import(framework=framework_load(path))[0]
    s1, s2 = world.s1, world.s2
    admin2 = person("admin2", Role.UNIT_ADMIN, unit=s2)
    person("head2", Role.UNIT_HEAD, unit=s2)
    filler2 = person("filler2", Role.UNIT_FILLER, unit=s2)
    submitted(world, edition, s1, world.people.filler, world.people.unit_admin)
    submitted(world, edition, s2, filler2, admin2)
    walk = Walk(chromium, live_server, shots)
    today = clock.today()

    # -- the office creates the campaign with the forms and opens it ----------------------
    page = walk.go("east_office", "/campaigns/new/")
    page.fill("input[name=name]", "2026年江东区文明校园测评")
    page.fill("input[name=year]", "2026")
    page.select_option("select[name=level]", "district")
    page.select_option("select[name=region]", label="江东区")
    page.select_option("select[name=edition]", str(edition.pk))
    page.locator("#campaign-form fieldset label", has_text="学校").locator("input").check()
    page.fill("input[name=apply_from]", (today - timedelta(days=5)).isoformat())
    page.fill("input[name=apply_until]", today.isoformat())
    walk.shot(page, "office-new-campaign")
    page.click("#campaign-form button:has-text('创建')")
    campaign = Campaign.objects.get(name="2026年江东区文明校园测评")
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")
    page.click("button:has-text('发布,开始接受申报')")
    campaign.refresh_from_db()
    assert campaign.phase == Phase.OPEN
    walk.shot(page, "office-campaign-open")

    # -- two schools apply: the administrator prepares, the head signs, the administrator submits
    for admin, head, unit in (("unit_admin", "head", s1), ("admin2", "head2", s2)):
        page = walk.go(admin, f"/campaigns/{campaign.pk}/apply/")
        page.click("button:has-text('发起申报')")
        application = Application.objects.get(campaign=campaign, unit=unit)
        page.wait_for_url(f"**/applications/{application.pk}/")
        signing = walk.go(head, f"/campaigns/applications/{application.pk}/")
        signing.click("button:has-text('签署申报内容')")
        page.goto(f"{live_server.url}/campaigns/applications/{application.pk}/")
        page.click("button:has-text('提交申报')")
        application.refresh_from_db()
        assert application.state == State.IN_REVIEW, message(page)
    walk.shot(page, "unit-submitted")
    first = Application.objects.get(campaign=campaign, unit=s1)
    second = Application.objects.get(campaign=campaign, unit=s2)

    # -- the supervising body: 通过 for one, 不通过 with a reason for the other --------------
    page = walk.go("supervisor", f"/campaigns/applications/{first.pk}/")
    page.click("button:has-text('审核通过并签章')")
    page.goto(f"{live_server.url}/campaigns/applications/{second.pk}/")
    page.fill("textarea[name=comment]", "校园安全台账缺失,本年度不予推荐")
    walk.shot(page, "supervisor-review")
    page.click("button[value=reject]")
    second.refresh_from_db()
    assert second.state == State.NOT_PASSED
    walk.shot(page, "supervisor-not-passed")
    page = walk.go("admin2", f"/campaigns/applications/{second.pk}/")
    assert "校园安全台账缺失" in page.content()
    walk.shot(page, "unit-sees-reason")

    # -- the office accepts and draws the units to visit ------------------------------------
    page = walk.go("east_office", f"/campaigns/applications/{first.pk}/")
    page.click("button[value=pass]")
    first.refresh_from_db()
    assert first.step == "evaluate", first.step
    page = walk.go("east_office", f"/draws/campaign/{campaign.pk}/")
    page.click("#draw-form button")
    walk.shot(page, "office-draw")

    # set-up of the team (the office's team page is covered by the on-site tests)
    leader = make_expert(world, "zhao", name="赵专家")
    team = team_create(
        actor=world.people.east_office, campaign=campaign, name="第一组", leader=leader
    )
    assignment = assignment_create(actor=world.people.east_office, team=team, application=first)

    # -- the expert scores on a phone: every item and the component -------------------------
    page = walk.go("zhao", f"/onsite/a/{assignment.pk}/", phone=True)
    walk.shot(page, "expert-phone-start")
    for section in page.locator("section.onsite-item").all():
        grade = section.locator("input[value=A]")
        if grade.count():
            grade.check()
        elif section.get_attribute("data-code") == "M":
            section.locator("input[data-field=value]").fill("88")
            section.locator("input[data-field=value]").press("Tab")
        else:
            section.locator("input[data-field=value]").fill("0")
            section.locator("input[data-field=value]").press("Tab")
    page.locator("#sync-state").filter(has_text="已全部同步").wait_for(timeout=15_000)
    page.locator("#i-M").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "expert-phone-component.png"))
    assert page.locator("#done").inner_text() == "38"
    page.goto(f"{live_server.url}/onsite/a/{assignment.pk}/sheet/")
    page.click("button:has-text('组长签署并锁定')")
    assert "已签署锁定" in page.content(), message(page)
    walk.shot(page, "expert-phone-sheet")

    # -- the office records the signed sheet and passes the step ----------------------------
    page = walk.go("east_office", f"/onsite/a/{assignment.pk}/sheet/")
    assert "未成年人思想道德建设测评" in page.content()
    page.click("button:has-text('录入为本环节测评结果')")
    first.refresh_from_db()
    assert first.result_grade == "优秀" and not first.result_vetoed
    walk.shot(page, "office-sheet-recorded")
    page.goto(f"{live_server.url}/campaigns/applications/{first.pk}/")
    page.click("button[value=pass]")
    first.refresh_from_db()
    assert first.state == State.LISTED, first.state

    # -- after the window: publicity, an objection from the public, dismissed -------------
    clock.shift = timedelta(days=1)
    page = walk.go("east_office", f"/campaigns/{campaign.pk}/")
    page.click("button[value=publish]")
    campaign.refresh_from_db()
    assert campaign.phase == Phase.PUBLICITY, message(page)
    walk.shot(page, "office-publicity")
    public = walk.go("public", f"/campaigns/{campaign.pk}/public/")
    public.select_option("select[name=application]", label=s1.name)
    public.fill("input[name=name]", "李四")
    public.fill("input[name=phone]", "13800000000")
    public.fill("textarea[name=text]", "该校门口上下学时段交通秩序混乱")
    walk.shot(public, "public-objection")
    public.click("#objection-form button")
    walk.shot(public, "public-objection-sent")
    page = walk.go("east_office", f"/campaigns/{campaign.pk}/objections/")
    page.fill("textarea[name=resolution]", "经实地核查,已设置护学岗,秩序正常")
    page.click("button[name=upheld][value='0']")
    walk.shot(page, "office-objection-dismissed")

    # -- after publicity: naming, the certificate -----------------------------------------
    campaign.refresh_from_db()
    clock.shift = timedelta(days=1) + (campaign.publicity_end - today)
    page = walk.go("east_office", f"/campaigns/{campaign.pk}/")
    page.click("button[value=approve]")
    campaign.refresh_from_db()
    assert campaign.phase == Phase.CLOSED, message(page)
    assert Title.objects.filter(unit=s1).exists() and not Title.objects.filter(unit=s2).exists()
    walk.shot(page, "office-named")
    page.click("#batch-certificates")
    job = Job.objects.get(kind="certificates")
    job_run(job.pk)  # the background worker's part
    page.reload()
    walk.shot(page, "office-certificate-job")
    with page.expect_download() as download:
        page.click("a:has-text('下载')")
    saved = shots / "certificates.zip"
    download.value.save_as(saved)
    assert saved.stat().st_size > 1000

    assert [url for found in walk.outside for url in found] == []
    assert [v for found in walk.violations for v in found] == []
    print(f"walked in {time.monotonic() - started:.1f}s")  # kept under a minute (the brief)
