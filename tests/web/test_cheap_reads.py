"""The cheap reads of every page: a query the ORM writes once per process
(wenming.web.db.prepared) and a list's first page counted from its rows (wenming.web.paging)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UnitFactory, person, region
from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.notices.selectors import unread_count
from wenming.notices.services import notice_read, notice_send
from wenming.organizations.models import Unit
from wenming.web.db.prepared import Prepared, PreparedObjects
from wenming.web.paging import ListPaginator

pytestmark = pytest.mark.django_db


def test_a_prepared_query_answers_each_persons_own_count():
    reader, other = person("reader"), person("other")
    first, _ = notice_send(actor=None, recipients=[reader], title="请提交整改报告") + notice_send(
        actor=None, recipients=[reader], title="请核对台账"
    )
    notice_send(actor=None, recipients=[other], title="请填写自评")
    assert unread_count(reader) == 2
    assert unread_count(other) == 1
    notice_read(actor=reader, notice=first)
    assert unread_count(reader) == 1
    assert unread_count(person("nobody")) == 0


def test_a_prepared_query_sends_the_orms_sql_once_written():
    named = Prepared(lambda name: list(Unit.objects.filter(name=name).values_list("pk")))
    unit = UnitFactory.create(name="文明实践站")
    assert named.rows("文明实践站") == [(unit.pk,)]
    with CaptureQueriesContext(connection) as captured:
        assert named.rows("另一个单位") == []
    assert len(captured.captured_queries) == 1
    assert '"name" = ' in captured.captured_queries[0]["sql"].replace("`", '"')


def test_a_prepared_query_refuses_a_parameter_that_does_not_reach_its_sql():
    ignores = Prepared(lambda who: list(Unit.objects.values_list("pk")))
    with pytest.raises(RuntimeError):
        ignores.rows(1)


def test_the_scope_reads_an_offices_region_and_a_units_roles():
    city = region("文明市", level=1)
    unit = UnitFactory.create(region=city)
    office = person("city_office", Role.OFFICE, region_=city)
    head = person("head", Role.UNIT_HEAD, unit=unit)
    assert [o.path for o in scope_for(office).offices] == [city.path]
    assert scope_for(head).own_units == (unit.pk,)
    assert scope_for(head).holds(Role.UNIT_HEAD, unit.pk)


def test_a_short_first_page_is_counted_from_its_rows():
    for _ in range(3):
        UnitFactory.create()
    with CaptureQueriesContext(connection) as captured:
        page = ListPaginator(Unit.objects.order_by("pk"), 50).get_page(None)
        assert page.paginator.count == 3
        assert page.paginator.num_pages == 1
        assert len(list(page)) == 3
    assert len(captured.captured_queries) == 1  # the rows, no COUNT


def test_a_full_first_page_and_later_pages_are_counted():
    for _ in range(5):
        UnitFactory.create()
    first = ListPaginator(Unit.objects.order_by("pk"), 2).get_page("1")
    assert len(list(first)) == 2 and first.paginator.count == 5 and first.has_next()
    last = ListPaginator(Unit.objects.order_by("pk"), 2).get_page("9")  # past the end: the last
    assert last.number == 3 and len(list(last)) == 1
    empty = ListPaginator(Unit.objects.none(), 2).get_page("abc")
    assert empty.number == 1 and empty.paginator.count == 0 and not list(empty)


def test_prepared_objects_are_built_as_the_orm_builds_them():
    city = region("文明市", level=1)
    first = UnitFactory.create(name="文明实践站", region=city)
    UnitFactory.create(name="新时代文明实践所", region=city)
    named = PreparedObjects(
        lambda name: Unit.objects.select_related("region").filter(name=str(name)).order_by("pk")
    )
    assert named.list("文明实践站") == [first]
    with CaptureQueriesContext(connection) as captured:
        found = named.first("文明实践站")
        assert found is not None
        # the related row comes with it
        assert found.region.name == "文明市" and found.region == city
    assert len(captured.captured_queries) == 1
    # the fields come converted, as the ORM's own query gives them
    orms = Unit.objects.get(pk=first.pk)
    assert found.updated_at == orms.updated_at and found.legal_person is orms.legal_person
    assert named.first("没有这个单位") is None


def test_prepared_objects_keep_deferred_fields_and_several_parameters():
    city = region("文明市", level=1)
    unit = UnitFactory.create(name="文明实践站", region=city)
    UnitFactory.create(name="文明实践站", region=region("文明县", level=2))
    by_region = PreparedObjects(
        lambda name, where: Unit.objects.filter(name=str(name), region_id=where).only("name"),
        params=2,
    )
    (found,) = by_region.list("文明实践站", city.pk)
    assert found.pk == unit.pk and found.get_deferred_fields() >= {"region_id"}
    assert by_region.list("文明实践站", -1) == []
    with pytest.raises(TypeError):
        by_region.list("文明实践站")


def test_prepared_objects_refuse_what_one_statement_cannot_read():
    with pytest.raises(ValueError):
        PreparedObjects(lambda pk: Unit.objects.filter(pk=pk).prefetch_related("region")).list(1)
    with pytest.raises(RuntimeError):
        PreparedObjects(lambda pk: Unit.objects.all()).list(1)


def test_per_key_queries_are_built_once_a_key_and_run_each_time(settings):
    settings.PREPARED_CHECK = False  # as in production: kept SQL is only run
    from django.db.models import Count

    from wenming.web.db.prepared import PreparedPerKey

    city = region("文明市", level=1)
    east = region("文明县", level=2, parent=city)
    UnitFactory.create(name="甲", region=city)
    UnitFactory.create(name="乙", region=east)
    built: list[str] = []

    def under(path: str):
        def build():
            built.append(path)
            return (
                Unit.objects.select_related("region")
                .filter(region_path__startswith=path)
                .annotate(n=Count("id"))
                .order_by("name")
            )

        return build

    per_scope: PreparedPerKey[Unit] = PreparedPerKey(size=2)
    assert [u.name for u in per_scope.list(city.path, under(city.path))] == ["乙", "甲"]
    with CaptureQueriesContext(connection) as captured:
        again = per_scope.list(city.path, under(city.path))
    assert [u.name for u in again] == ["乙", "甲"] and vars(again[0])["n"] == 1
    assert len(captured.captured_queries) == 1 and built == [city.path]
    assert again[1].region == city  # the related row, as select_related gives it
    # a row added later is read: the SQL is kept, not the answer
    UnitFactory.create(name="丙", region=east)
    assert [u.name for u in per_scope.list(east.path, under(east.path))] == ["丙", "乙"]
    assert len(per_scope.list(city.path, under(city.path))) == 3
    # beyond its size the least recently used key is written again
    per_scope.list("/9/", under("/9/"))
    per_scope.list(east.path, under(east.path))
    assert built == [city.path, east.path, "/9/", east.path]
    # a filter that matches nothing sends nothing
    assert per_scope.list("none", lambda: Unit.objects.filter(pk__in=[])) == []


def test_per_key_queries_give_plain_rows_converted():
    from wenming.web.db.prepared import PreparedPerKey

    city = region("文明市", level=1)
    unit = UnitFactory.create(name="甲", region=city)
    rows: PreparedPerKey[tuple[int, object]] = PreparedPerKey()
    for _ in range(2):  # written, then run as written
        found = rows.list(
            "plain", lambda: Unit.objects.filter(pk=unit.pk).values_list("pk", "updated_at")
        )
        assert found == [(unit.pk, Unit.objects.get(pk=unit.pk).updated_at)]


def test_per_key_queries_take_values_that_do_not_change_their_sql(settings):
    settings.PREPARED_CHECK = False
    from wenming.web.db.prepared import PreparedPerKey

    city = region("文明市", level=1)
    for name in "甲乙丙丁":
        UnitFactory.create(name=name, region=city)
    built: list[tuple[int, int]] = []
    pages: PreparedPerKey[str] = PreparedPerKey()
    everyone = sorted("甲乙丙丁")
    assert (
        pages.list(city.path, lambda limit, offset: _sliced(limit, offset, built), 2, 0)
        == (everyone[:2])
    )
    with CaptureQueriesContext(connection) as captured:
        assert pages.list(city.path, lambda *_: pytest.fail("written again"), 2, 2) == everyone[2:]
        assert (
            pages.list(city.path, lambda *_: pytest.fail("written again"), 3, 1) == (everyone[1:])
        )
    assert len(captured.captured_queries) == 2
    assert len(built) == 1 and all(v < 0 for v in built[0])  # written once, with stand-ins
    with pytest.raises(ValueError):
        pages.list("too many", lambda *_: pytest.fail("written"), *range(9))


def _sliced(limit: int, offset: int, built: list[tuple[int, int]]):
    """Units of the test's region by name, ``limit`` from ``offset``, as SQL parameters (a
    Python slice of stand-ins would be no SQL at all)."""
    from django.db.models.expressions import RawSQL

    built.append((limit, offset))
    table = Unit._meta.db_table
    return (
        Unit.objects.filter(
            id__in=RawSQL(
                f"SELECT id FROM {table} ORDER BY name LIMIT %s OFFSET %s", (limit, offset)
            )
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


def test_a_key_that_misses_what_its_query_depends_on_is_refused_when_checking(settings):
    from wenming.web.db.prepared import PreparedPerKey

    settings.PREPARED_CHECK = True  # tests and development
    city, east = region("文明市", level=1), region("文明县", level=1)
    UnitFactory.create(name="甲", region=city)
    per_scope: PreparedPerKey[Unit] = PreparedPerKey()
    assert len(per_scope.list("same", lambda: Unit.objects.filter(region=city))) == 1
    assert len(per_scope.list("same", lambda: Unit.objects.filter(region=city))) == 1
    # the second person's query differs, yet the key is the same: another person's answer
    with pytest.raises(RuntimeError, match="misses"):
        per_scope.list("same", lambda: Unit.objects.filter(region=east))
    settings.PREPARED_CHECK = False  # production trusts the key
    assert len(per_scope.list("same", lambda: Unit.objects.filter(region=east))) == 1


def test_a_prepared_list_pages_and_counts_as_the_paginator_does(settings):
    from wenming.web.paging import PreparedLists

    settings.PREPARED_CHECK = False  # as in production: the kept SQL is only run
    city = region("文明市", level=1)
    for n in range(5):
        UnitFactory.create(name=f"单位{n}", region=city)
    built: list[str] = []

    def names():
        built.append("built")
        return Unit.objects.filter(region=city).order_by("name").values_list("name", flat=True)

    lists = PreparedLists()
    first = lists.page("city", names, None, 2)
    assert list(first) == ["单位0", "单位1"] and first.paginator.count == 5 and first.has_next()
    with CaptureQueriesContext(connection) as captured:
        last = lists.page("city", names, "9", 2)  # past the end: the last page
        assert last.number == 3 and list(last) == ["单位4"]
        again = lists.page("city", names, "2", 2)
        assert list(again) == ["单位2", "单位3"]
    # each written once (the first page, the count, the third and the second page), then run
    assert len(built) == 4
    assert len(captured.captured_queries) == 4  # two counts, two pages: nothing compiled twice
    UnitFactory.create(name="单位5", region=city)  # the SQL is kept, not the answer
    assert list(lists.page("city", names, "3", 2)) == ["单位4", "单位5"]
    assert len(built) == 4
    # a short first page is its own count; a list that cannot match anything sends nothing
    short = lists.page("short", lambda: Unit.objects.filter(name="单位0").values_list("name"), 1, 2)
    assert short.paginator.count == 1 and short.paginator.num_pages == 1
    with CaptureQueriesContext(connection) as captured:
        none = lists.page("none", lambda: Unit.objects.filter(pk__in=[]).values_list("pk"), "2", 2)
        assert none.number == 1 and none.paginator.count == 0 and not list(none)
    assert not captured.captured_queries


def test_each_person_sees_their_own_units_in_the_kept_list(client):
    """Two offices and a unit's filler ask the same list, filters and page, one after another:
    each sees what their scope allows (the key holds the scope; checking is on, as in tests)."""
    city = region("文明市", level=1)
    east, west = region("东区", level=2, parent=city), region("西区", level=2, parent=city)
    UnitFactory.create(name="东区甲", region=east)
    mine = UnitFactory.create(name="西区乙", region=west)
    east_office = person("east", Role.OFFICE, region_=east)
    west_office = person("west", Role.OFFICE, region_=west)
    filler = person("filler", Role.UNIT_FILLER, unit=mine)
    for _ in range(2):
        for who, shown, hidden in (
            (east_office, "东区甲", "西区乙"),
            (west_office, "西区乙", "东区甲"),
            (filler, "西区乙", "东区甲"),
        ):
            client.force_login(who)
            page = client.get("/units/?q=区").content.decode()
            assert shown in page and hidden not in page
