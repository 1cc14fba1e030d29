"""The dashboard page, its filters, scope and exports."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UnitTypeFactory
from wenming.campaigns.models import State
from wenming.campaigns.services import application_pass

pytestmark = pytest.mark.django_db


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboards:index"), params)
    assert response.status_code == 200
    return response.content.decode()


def table(html: str, key: str) -> list[list[str]]:
    section = html.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def xlsx(client, key, **params) -> list[tuple[Any, ...]]:
    response = client.get(reverse("dashboards:export", args=[key]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def pass_all(board):
    for application in board.applications.values():
        application_pass(
            actor=board.world.people.city_office,
            application_id=application.pk,
            version=application.version,
        )


def test_the_city_office_sees_every_chart_with_its_table(client, board):
    pass_all(board)
    html = page(client, board.world.people.city_office)
    for key in ("states", "grades", "ranking", "weakest", "trend", "targets"):
        assert f'id="chart-{key}"' in html
        assert f'id="chart-{key}-spec"' in html  # the chart's data as JSON
    states = {row[0]: row[1] for row in table(html, "states")}
    assert states[State.LISTED.label] == "4"
    assert states[State.NOT_PASSED.label] == "1"
    assert states["合计"] == "5"
    assert {row[0]: row[1] for row in table(html, "grades")} == {
        "达标": "4",
        "基本达标": "0",
        "不达标": "1",
        "已测评合计": "5",
    }
    ranking = table(html, "ranking")
    assert [r[1] for r in ranking] == [
        "江东第三小学",  # 999 (vetoed, still ranked by score)
        "临江第一小学",
        "江东实验小学",
        "江西第一小学",
        "临江第二小学",
    ]
    assert [r[0] for r in ranking] == ["1", "2", "3", "3", "5"]  # equal totals share a rank
    weakest = table(html, "weakest")
    assert [(r[0], r[3]) for r in weakest] == [("A1.4", "9.0"), ("A1.6", "1.0")]  # ÷ 5 units
    assert table(html, "trend") == [["2026年", "5", "4", "80.0%", "0"]]
    targets = {r[0]: r[2:] for r in table(html, "targets")}
    assert targets["临江街道"] == ["4", "2", "50.0%"]
    assert targets["江东区教育局"] == ["2", "3", "150.0%"]


def test_region_and_type_filters(client, board):
    world = board.world
    html = page(client, world.people.city_office, region=world.west.pk)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "1"
    assert [r[1] for r in table(html, "ranking")] == ["江西第一小学"]
    html = page(client, world.people.city_office, region=world.east.pk)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "4"
    assert "江西第一小学" not in html
    hospital = UnitTypeFactory.create(name="医院类")
    html = page(client, world.people.city_office, unit_type=hospital.pk)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "0"
    html = page(client, world.people.city_office, unit_type=world.types.school.pk)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "5"


def test_year_and_level_pick_the_campaign(client, board):
    world = board.world
    html = page(client, world.people.city_office, year=2025)
    assert "所选年度和级别下暂无创建活动" in html
    html = page(client, world.people.city_office, year=2026, level="district")
    assert "所选年度和级别下暂无创建活动" in html
    html = page(client, world.people.city_office, year=2026, level="city")
    assert board.campaign.name in html


def test_a_district_office_sees_only_its_district(client, board):
    world = board.world
    html = page(client, world.people.east_office)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "4"
    assert "江西第一小学" not in html
    # a region outside its scope is not offered; asking for it shows its own district only
    html = page(client, world.people.east_office, region=world.west.pk)
    assert "江西第一小学" not in html
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "4"
    # the other filters still apply
    other_type = UnitTypeFactory.create(name="企业类")
    html = page(client, world.people.east_office, region=world.west.pk, unit_type=other_type.pk)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "0"
    rows = xlsx(client, "ranking", region=world.west.pk)
    assert "江西第一小学" not in {r[1] for r in rows}


def test_a_supervising_body_sees_only_its_units(client, board):
    world = board.world
    html = page(client, world.people.supervisor)
    assert {r[0]: r[1] for r in table(html, "states")}["合计"] == "3"
    assert {r[1] for r in table(html, "ranking")} == {
        "临江第一小学",
        "临江第二小学",
        "江东实验小学",
    }
    assert [r[0] for r in table(html, "targets")] == ["江东区教育局"]


@pytest.mark.parametrize("role", ["head", "unit_admin", "filler", "other_filler", "expert"])
def test_unit_staff_and_experts_are_refused(client, board, role):
    client.force_login(getattr(board.world.people, role))
    assert client.get(reverse("dashboards:index")).status_code == 403
    assert client.get(reverse("dashboards:export", args=["ranking"])).status_code == 403


def test_every_table_exports_to_excel(client, board):
    pass_all(board)
    client.force_login(board.world.people.city_office)
    rows = xlsx(client, "ranking")
    assert rows[1] == ("名次", "单位", "所属地区", "得分", "等次", "状态")
    assert rows[2][:4] == (1, "江东第三小学", "江东区", 999)
    assert len(rows) == 2 + 5
    rows = xlsx(client, "weakest")
    assert rows[2][:4] == ("A1.4", "校舍安全", 15, 9)
    listed = next(r for r in xlsx(client, "states") if r[0] == State.LISTED.label)
    assert listed == (State.LISTED.label, 4, 0.8)  # a share is a number shown as 80.0%
    for key in ("states", "grades", "trend", "targets"):
        assert len(xlsx(client, key)) > 2
    assert client.get(reverse("dashboards:export", args=["nothing"])).status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(client, board, django_assert_max_num_queries):
    client.force_login(board.world.people.city_office)
    client.get(reverse("dashboards:index"))  # warm the framework cache
    with django_assert_max_num_queries(21):  # constant: no per-unit reads
        response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200


def test_a_named_unit_counts_as_a_title_in_the_trend(client, board):
    from django.utils import timezone

    from wenming.campaigns.outcomes import grant_titles
    from wenming.titles.models import Title

    pass_all(board)
    application = board.applications["临江第一小学"]
    application.refresh_from_db()
    grant_titles(
        actor=board.world.people.city_office,
        campaign=board.campaign,
        application=application,
        today=timezone.localdate(),
    )
    assert Title.objects.filter(unit=application.unit).count() == 1
    html = page(client, board.world.people.city_office)
    assert table(html, "trend") == [["2026年", "5", "4", "80.0%", "1"]]
    states = {row[0]: row[1] for row in table(html, "states")}
    assert (states[State.NAMED.label], states[State.LISTED.label]) == ("1", "3")


def test_the_figures_are_kept_until_an_audited_change_commits(
    client, board, settings, django_capture_on_commit_callbacks
):
    """With the kept figures on (production), a second look at the same dashboard reads none
    of the tallies; a review that commits shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TODO_CACHE_SECONDS = 30
    office = board.world.people.city_office
    first = page(client, office)
    with CaptureQueriesContext(connection) as computed:
        again = page(client, office)
    token = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert token.sub("", again) == token.sub("", first)
    tallies = [q["sql"] for q in computed if "dashboards_" in q["sql"]]
    assert tallies == []
    assert {row[0]: row[1] for row in table(first, "states")}["合计"] != "0"
    listed_before = {row[0]: row[1] for row in table(first, "states")}[State.LISTED.label]
    with django_capture_on_commit_callbacks(execute=True):
        pass_all(board)
    listed_after = {row[0]: row[1] for row in table(page(client, office), "states")}[
        State.LISTED.label
    ]
    assert listed_after != listed_before
