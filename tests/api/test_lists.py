"""The application, problem and title lists page by cursor like the unit list: keyset over
(region path, id), one query a page, stable while rows are added, bounded page size."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenming.campaigns.models import Application
from wenming.rectification.models import Problem
from wenming.rectification.services import problem_create
from wenming.titles.models import Title
from wenming.titles.services import title_grant


def decoded(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor + "=="))


def walk(api, path: str, *, limit: int, between: Callable[[], None] = lambda: None) -> list[int]:
    seen, cursor = [], ""
    while True:
        response = api.get(path, limit=limit, cursor=cursor)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        if body["next"] is None:
            return seen
        cursor = body["next"]
        last = body["items"][-1]
        assert decoded(cursor)[-1] == last["id"]  # [region path, id] of the page's last row
        between()


def problem(world, unit, title):
    actor = world.people.city_office
    return problem_create(actor=actor, unit=unit, source="patrol", title=title)


def test_problems_page_by_region_then_id_and_stay_stable_while_rows_are_added(world, api_as):
    for n, unit in enumerate([world.s1, world.other, world.s2, world.bureau, world.s1]):
        problem(world, unit, f"问题{n}")
    before = list(Problem.objects.order_by("region_path", "pk").values_list("pk", flat=True))
    added: list[int] = []

    def insert() -> None:  # one row sorting first, one sorting last, between every two pages
        added.append(problem(world, world.bureau, "新问题").pk)
        added.append(problem(world, world.other, "新问题").pk)

    seen = walk(api_as(world.people.city_office), "/problems", limit=2, between=insert)
    assert len(seen) == len(set(seen))  # nothing twice
    assert [pk for pk in seen if pk in before] == before  # nothing skipped, in order
    keyed = dict(Problem.objects.values_list("pk", "region_path"))
    assert seen == sorted(seen, key=lambda pk: (keyed[pk], pk))
    assert set(seen) - set(before) <= set(added)


def test_a_list_page_is_one_query_whatever_its_size(world, api_as):
    for n in range(30):
        problem(world, world.s1, f"问题{n}")
    api = api_as(world.people.city_office)
    api.get("/problems", limit=1)  # the token's first use stamps it; count a later call
    counts = []
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get("/problems", limit=limit).json()["items"]) == limit
        counts.append(sum("rectification_problem" in q["sql"] for q in queries.captured_queries))
    assert counts == [1, 1]


def test_applications_page_by_cursor_within_scope(world, onsite, api_as):
    api = api_as(world.people.city_office)
    expected = list(Application.objects.order_by("region_path", "pk").values_list("pk", flat=True))
    assert len(expected) >= 2
    assert walk(api, "/applications", limit=1) == expected
    assert walk(api, f"/applications?campaign={onsite.campaign.pk}", limit=1) == expected
    assert walk(api_as(world.people.other_filler), "/applications", limit=1) == []


def test_titles_page_by_cursor_within_scope(world, api_as):
    for unit, year in [(world.s1, 2024), (world.other, 2024), (world.s2, 2025), (world.s1, 2025)]:
        title_grant(
            actor=world.people.city_office,
            unit=unit,
            name="文明校园",
            kind="文明校园",
            level="city",
            year=year,
            term_years=3,
            naming_authority=world.city,
        )
    expected = list(Title.objects.order_by("region_path", "pk").values_list("pk", flat=True))
    assert walk(api_as(world.people.city_office), "/titles", limit=3) == expected
    east = walk(api_as(world.people.east_office), "/titles", limit=1)
    assert east == [pk for pk in expected if Title.objects.get(pk=pk).unit_id != world.other.pk]


@pytest.mark.parametrize("path", ["/applications", "/problems", "/titles"])
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": 201}, "bad_limit"),
        ({"limit": 0}, "bad_limit"),
        ({"cursor": "!!"}, "bad_cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"[5]").decode()}, "bad_cursor"),  # id alone
        ({"cursor": base64.urlsafe_b64encode(b'[1, "x"]').decode()}, "bad_cursor"),
    ],
)
def test_page_size_and_cursor_are_bounded(world, api_as, path, query, code):
    response = api_as(world.people.city_office).get(path, **query)
    assert response.status_code == 400 and response.json()["code"] == code
