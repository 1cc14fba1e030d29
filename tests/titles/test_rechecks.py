"""复查: holders are re-checked once a year; the outcome keeps, warns (限期整改) or revokes."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import person
from tests.titles.test_titles import grant
from wenming.accounts.models import Role
from wenming.audit.models import AuditEvent
from wenming.notices.models import Notice
from wenming.titles.access import titles_visible_to
from wenming.titles.models import RecheckOutcome, TitleRecheck, TitleStatus
from wenming.titles.selectors import titles_due_for_recheck
from wenming.titles.services import TitleRefused, title_recheck

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 1)


def recheck(world, title, outcome, comment="", deadline=None, actor=None):
    return title_recheck(
        actor=actor or world.people.east_office,
        title=title,
        year=2026,
        checked_on=DAY,
        outcome=outcome,
        comment=comment,
        deadline=deadline,
    )


def test_a_holder_is_due_until_rechecked_once_a_year(world):
    title = grant(world, year=2025)
    grant(world, unit=world.s2, year=2026)  # named this year: first re-check next year
    visible = titles_visible_to(world.people.east_office)
    assert list(titles_due_for_recheck(visible, year=2026, as_of=DAY)) == [title]
    recheck(world, title, RecheckOutcome.KEPT, comment="各项工作保持良好", actor=None)
    assert not titles_due_for_recheck(visible, year=2026, as_of=DAY).exists()
    with pytest.raises(TitleRefused, match="2026年度已复查"):
        recheck(world, title, RecheckOutcome.KEPT)
    title.refresh_from_db()
    assert title.status == TitleStatus.VALID
    assert AuditEvent.objects.filter(action="title.recheck", new="保持称号").exists()


def test_a_decline_brings_a_warning_with_a_deadline(world):
    title = grant(world, year=2025)
    with pytest.raises(TitleRefused, match="整改期限"):
        recheck(world, title, RecheckOutcome.WARNED, comment="台账不完整")
    with pytest.raises(TitleRefused, match="须填写复查意见"):
        recheck(world, title, RecheckOutcome.WARNED, deadline=date(2026, 12, 31))
    recheck(world, title, RecheckOutcome.WARNED, comment="台账不完整", deadline=date(2026, 12, 31))
    title.refresh_from_db()
    assert title.status == TitleStatus.VALID
    warning = title.warnings.get()
    assert warning.deadline == date(2026, 12, 31) and "台账不完整" in warning.reason
    assert Notice.objects.filter(title__contains="限期整改").exists()


def test_a_serious_decline_revokes_the_title(world):
    title = grant(world, year=2025)
    recheck(world, title, RecheckOutcome.REVOKED, comment="发生重大安全事故")
    title.refresh_from_db()
    assert title.status == TitleStatus.REVOKED and "2026年复查" in title.reason
    with pytest.raises(TitleRefused, match="有效期内"):
        title_recheck(
            actor=world.people.east_office, title=title, year=2027, checked_on=date(2027, 5, 1),
            outcome=RecheckOutcome.KEPT, comment="",
        )  # fmt: skip


def test_only_the_naming_authoritys_office_rechecks(world):
    title = grant(world, year=2025)
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    for outsider in (west_office, world.people.supervisor, world.people.unit_admin):
        with pytest.raises(TitleRefused, match="只有命名机关所在地区"):
            recheck(world, title, RecheckOutcome.KEPT, actor=outsider)
    assert not TitleRecheck.objects.exists()


def test_the_recheck_is_recorded_from_the_unit_page(world, client):
    title = grant(world, year=timezone.localdate().year - 1)
    client.force_login(world.people.east_office)
    page = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert "记录复查" in page
    due = client.get(reverse("titles:list") + "?show=due").content.decode()
    assert world.s1.name in due
    client.post(
        reverse("titles:action", args=[title.pk]),
        {"action": "recheck", "outcome": "kept", "reason": "", "score": "92.5", "next": "/"},
    )
    done = TitleRecheck.objects.get()
    assert done.score_centi == 9250 and done.checked_by == world.people.east_office
    page = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert "保持称号" in page and "92.5分" in page
    assert world.s1.name not in client.get(reverse("titles:list") + "?show=due").content.decode()


def test_holders_due_for_recheck_are_on_the_offices_todo_list(world):
    from wenming.notices.todo import todos_for

    grant(world, year=2025)
    todos = [t.title for t in todos_for(world.people.east_office, today=DAY)]
    assert "2026年度称号复查:1个称号待复查" in todos
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    assert not [t for t in todos_for(west_office, today=DAY) if t.kind == "title"]
    assert not [t for t in todos_for(world.people.unit_admin, today=DAY) if t.kind == "title"]


@pytest.fixture
def civic_edition(db):
    from tests.conftest import library
    from wenming.frameworks.services import framework_import

    return framework_import(framework=library("civilized-unit"))[0]


def test_an_event_against_a_holder_acts_on_its_title_per_the_framework(
    world, civic_edition, client
):
    from wenming.rectification.models import Problem

    title = grant(world, year=2025)  # 文明单位, the civilized-unit framework's kind
    client.force_login(world.people.east_office)
    page = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert "登记一票否决或负面清单事项" in page and "发生重大刑事案件或治安案件" in page
    url = reverse("titles:event", args=[world.s1.pk])
    today = timezone.localdate()
    # a deducting entry is recorded but leaves the title
    client.post(url, {"event": f"{civic_edition.pk}:N01", "day": f"{today}", "description": "某科员受警告处分"})  # fmt: skip
    title.refresh_from_db()
    assert title.status == TitleStatus.VALID
    # a suspending entry suspends it, with the reason
    client.post(url, {"event": f"{civic_edition.pk}:N07", "day": f"{today}", "description": "违反生育政策"})  # fmt: skip
    title.refresh_from_db()
    assert title.status == TitleStatus.SUSPENDED and "违反生育政策" in title.reason
    assert Problem.objects.filter(unit=world.s1, source="negative").count() == 2
    # a date in the future is refused and nothing is written
    page = client.post(
        url,
        {"event": f"{civic_edition.pk}:N09", "day": "2999-01-01", "description": "x"},
        follow=True,
    ).content.decode()
    assert "不能晚于今天" in page and Problem.objects.count() == 2


def test_a_veto_event_revokes_and_outsiders_cannot_record(world, civic_edition, client):
    from wenming.titles.services import holder_event_record

    title = grant(world, year=2025)
    changed = holder_event_record(
        actor=world.people.east_office, unit=world.s1, edition_id=civic_edition.pk,
        code="N09", day=DAY, description="单位发生盗窃案件",
    )  # fmt: skip
    assert changed == [title] and changed[0].status == TitleStatus.REVOKED
    with pytest.raises(TitleRefused, match="不是"):
        holder_event_record(
            actor=world.people.east_office, unit=world.s1, edition_id=civic_edition.pk,
            code="A1", day=DAY, description="x",
        )  # fmt: skip
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    for outsider in (west_office, world.people.unit_admin):
        client.force_login(outsider)
        response = client.post(
            reverse("titles:event", args=[world.s1.pk]),
            {"event": f"{civic_edition.pk}:N09", "day": f"{DAY}", "description": "x"},
        )
        assert response.status_code in (403, 404)
