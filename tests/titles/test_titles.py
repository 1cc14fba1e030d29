"""Titles: granted for a term, imported from earlier lists, suspended, revoked and warned."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from wenming.core.framework import Effect
from wenming.imports.services import import_commit, import_preview
from wenming.titles.access import titles_visible_to
from wenming.titles.models import Title, TitleStatus
from wenming.titles.selectors import current_titles, held_previous
from wenming.titles.services import (
    TitleRefused,
    title_grant,
    title_revoke,
    title_warn,
    titles_apply_event,
)

pytestmark = pytest.mark.django_db


def grant(world, unit=None, year=2023, level="district", kind="文明单位"):
    return title_grant(
        actor=world.people.east_office,
        unit=unit or world.s1,
        name=f"{year}年度区级{kind}",
        kind=kind,
        level=level,
        year=year,
        term_years=3,
        naming_authority=world.east,
    )


def test_a_title_holds_for_its_term(world):
    title = grant(world)
    assert title.valid_until == date(2025, 12, 31)
    visible = titles_visible_to(world.people.east_office)
    assert list(current_titles(visible, as_of=date(2025, 12, 31))) == [title]
    assert not current_titles(visible, as_of=date(2026, 1, 1)).exists()


def test_previous_title_means_the_last_cycle_at_this_level_or_above(world):
    grant(world, year=2023)  # valid through 2025
    assert held_previous(world.s1, kind="文明单位", level="district", year=2026)
    # a 2027 campaign asks for a title held during 2026: this one ended on 2025-12-31
    assert not held_previous(world.s1, kind="文明单位", level="district", year=2027)
    assert not held_previous(world.s1, kind="文明单位", level="city", year=2026)
    assert not held_previous(world.s1, kind="文明校园", level="district", year=2026)
    grant(world, unit=world.s2, year=2024, level="city")
    assert held_previous(world.s2, kind="文明单位", level="district", year=2026)  # above counts


def test_a_revoked_title_leaves_the_current_list_and_no_longer_counts(world, client):
    title = grant(world, year=2025)
    with pytest.raises(TitleRefused, match="请填写原因"):
        title_revoke(actor=world.people.east_office, title=title, reason="")
    with pytest.raises(TitleRefused, match="只有命名机关所在地区"):
        title_revoke(actor=world.people.supervisor, title=title, reason="x")
    client.force_login(world.people.east_office)
    assert "2025年度区级文明单位" in client.get(reverse("titles:list")).content.decode()
    title_revoke(actor=world.people.east_office, title=title, reason="发生重大安全责任事故")
    assert "2025年度区级文明单位" not in client.get(reverse("titles:list")).content.decode()
    history = client.get(reverse("units:detail", args=[world.s1.pk])).content.decode()
    assert "撤销" in history and "发生重大安全责任事故" in history
    assert not held_previous(world.s1, kind="文明单位", level="district", year=2026)


def test_the_list_filters_by_region_and_level_and_keeps_the_choice(world, client):
    """The chosen region and level stay selected (the region compared an id with its text
    and was never marked); a row shows its unit, title, term and naming office, escaped."""
    grant(world, year=2025, kind="文明<单位>")
    client.force_login(world.people.east_office)
    query = {"show": "all", "level": "district", "region": world.east.pk}
    page = client.get(reverse("titles:list"), query).content.decode()
    assert f'<option value="{world.east.pk}" selected>' in page
    assert '<option value="district" selected>' in page
    assert "2025年度区级文明&lt;单位&gt;" in page and "文明<单位>" not in page
    assert f"<td>2027-12-31</td><td>{world.east.name}</td><td>有效</td>" in page
    query["level"] = "city"
    page = client.get(reverse("titles:list"), query).content.decode()
    assert "没有符合条件的称号。" in page


def test_events_against_a_holder_revoke_or_suspend_it(world):
    first = grant(world, year=2025)
    other = grant(world, year=2025, kind="文明校园")
    done = titles_apply_event(
        actor=world.people.east_office, unit=world.s1, kind="文明单位",
        effect=Effect.SUSPEND, day=date(2026, 3, 1), reason="负面清单N3:被媒体曝光",
    )  # fmt: skip
    assert [t.status for t in done] == [TitleStatus.SUSPENDED]
    titles_apply_event(
        actor=world.people.east_office, unit=world.s1, kind="文明校园",
        effect=Effect.VETO, day=date(2026, 3, 1), reason="一票否决V1",
    )  # fmt: skip
    first.refresh_from_db(), other.refresh_from_db()
    assert (first.status, other.status) == (TitleStatus.SUSPENDED, TitleStatus.REVOKED)


def test_a_warning_reaches_the_unit_with_a_reply_date(world):
    title = grant(world, year=2025)
    title_warn(
        actor=world.people.east_office,
        title=title,
        reason="复查得分下降",
        deadline=date(2026, 12, 31),
    )
    from wenming.notices.models import Notice

    notice = Notice.objects.get(recipient=world.people.unit_admin)
    assert notice.reply_due == date(2026, 12, 31) and "限期整改" in notice.title


def sheet(rows):
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "历届名单"
    ws.append(
        [
            "单位名称",
            "统一社会信用代码",
            "称号",
            "创建类型",
            "级别",
            "年度",
            "有效期(年)",
            "命名机关",
        ]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_past_lists_import_all_or_nothing_within_the_offices_region(world):
    s1, other = world.s1, world.other
    good = [s1.name, s1.credit_code, "2023年度区级文明单位", "文明单位", "区级", 2023, 3, "江东区"]
    foreign = [
        other.name,
        other.credit_code,
        "2023年度区级文明单位",
        "文明单位",
        "区级",
        2023,
        3,
        "江西区",
    ]
    bad_level = [s1.name, s1.credit_code, "2020年度文明单位", "文明单位", "县级", 2020, 3, "江东区"]
    _, plan = import_preview(
        kind="titles", filename="历届.xlsx", content=sheet([good, foreign, bad_level]),
        user=world.people.east_office, context={},
    )  # fmt: skip
    errors = [str(e) for e in plan.errors]
    assert "工作表“历届名单”第3行B列(统一社会信用代码):江西区人民医院不在您管辖的地区内" in errors
    assert any(e.startswith("工作表“历届名单”第4行E列(级别):级别应为") for e in errors)
    assert not Title.objects.exists()
    batch, plan = import_preview(
        kind="titles", filename="历届.xlsx", content=sheet([good]),
        user=world.people.east_office, context={},
    )  # fmt: skip
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    title = Title.objects.get()
    assert (title.unit, title.source, title.valid_until) == (s1, "imported", date(2025, 12, 31))
