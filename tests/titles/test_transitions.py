"""A title's status table: every action's states, refusals in Chinese, audit names, buttons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.titles.test_titles import grant
from wenming.audit.models import AuditEvent
from wenming.titles.models import TitleStatus as T
from wenming.titles.services import TitleRefused, title_restore, title_revoke, title_suspend
from wenming.titles.transitions import TITLE, title_actions

EXPECTED = {
    "suspend": ({T.VALID}, {T.SUSPENDED}, "title.suspend"),
    "restore": ({T.SUSPENDED}, {T.VALID}, "title.restore"),
    "revoke": ({T.VALID, T.SUSPENDED}, {T.REVOKED}, "title.revoke"),
}


def test_the_table_lists_every_action_with_its_states_and_audit_name():
    got = {a.name: (set(a.sources), set(a.targets), a.audit_name) for a in TITLE}
    assert got == EXPECTED
    assert all(a.who == {"manager"} for a in TITLE)
    assert TITLE.allowed(T.REVOKED) == []


@pytest.mark.django_db
def test_each_move_is_refused_from_a_wrong_status_and_audited_under_its_name(world):
    office = world.people.east_office
    title = grant(world, year=2025)
    assert title_actions(title) == ["warn", "recheck", "suspend", "revoke"]
    with pytest.raises(TitleRefused, match="只有暂停的称号可以恢复"):
        title_restore(actor=office, title=title, reason="整改到位")
    title = title_suspend(actor=office, title=title, reason="发生安全事故")
    assert title_actions(title) == ["restore", "revoke"]
    with pytest.raises(TitleRefused, match="只有有效的称号可以暂停"):
        title_suspend(actor=office, title=title, reason="再次")
    title = title_restore(actor=office, title=title, reason="整改到位")
    title = title_revoke(actor=office, title=title, reason="重大事故")
    with pytest.raises(TitleRefused, match="称号已撤销"):
        title_revoke(actor=office, title=title, reason="再次")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["title.suspend", "title.restore", "title.revoke"]


@pytest.mark.django_db
def test_the_unit_page_offers_the_buttons_the_table_allows(world, client):
    office = world.people.east_office
    title_suspend(actor=office, title=grant(world, year=2025), reason="发生安全事故")
    client.force_login(office)
    html = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert 'value="restore"' in html and 'value="revoke"' in html
    assert 'value="suspend"' not in html and 'value="warn"' not in html


@pytest.mark.django_db
def test_a_district_office_is_not_offered_buttons_on_a_city_title(world, client):
    from wenming.titles.services import title_grant

    city_title = title_grant(
        actor=world.people.city_office,
        unit=world.s1,
        name="2025年度市级文明单位",
        kind="文明单位",
        level="city",
        year=2025,
        term_years=3,
        naming_authority=world.city,
    )
    client.force_login(world.people.east_office)
    html = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert reverse("titles:action", args=[city_title.pk]) not in html
    assert f"由{world.city.name}或上级测评办公室办理" in html
    client.force_login(world.people.city_office)
    html = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert reverse("titles:action", args=[city_title.pk]) in html
