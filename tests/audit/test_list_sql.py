"""The audit list writes each scope's ids query once per process, and the scope still decides
what each office sees."""

from __future__ import annotations

from django.urls import reverse

from wenming.audit import selectors
from wenming.audit.services import audit_record
from wenming.web.db.prepared import WrittenPerKey


def _changes(world) -> None:
    audit_record(
        actor=world.people.admin,
        action="unit.update",
        obj=world.s1,
        field="name",
        old="旧东",
        new="东区新名",
    )
    audit_record(
        actor=world.people.admin,
        action="unit.update",
        obj=world.other,
        field="name",
        old="旧西",
        new="西区新名",
    )


def test_each_office_sees_its_own_events_visit_after_visit(client, world):
    _changes(world)
    for _ in range(2):  # the second visit reads the kept query
        client.force_login(world.people.east_office)
        east = client.get(reverse("audit:list")).content.decode()
        assert "东区新名" in east and "西区新名" not in east
        client.force_login(world.people.city_office)
        city = client.get(reverse("audit:list")).content.decode()
        assert "东区新名" in city and "西区新名" in city
        filtered = client.get(reverse("audit:list"), {"action": "unit.update", "type": "x"})
        assert "西区新名" in filtered.content.decode()


def test_the_visibility_union_is_built_once_per_scope_and_filter(
    client, world, monkeypatch, settings
):
    settings.PREPARED_CHECK = False  # as in production: the kept SQL is only run
    _changes(world)
    built = []
    original = selectors.audit_events_visible_to

    def counting(user):
        built.append(user.username)
        return original(user)

    monkeypatch.setattr(selectors, "audit_events_visible_to", counting)
    monkeypatch.setattr(selectors, "_WRITTEN", WrittenPerKey())
    client.force_login(world.people.east_office)
    client.get(reverse("audit:list"))
    client.get(reverse("audit:list"), {"page": "1"})
    assert built == ["east_office"]
    client.get(reverse("audit:list"), {"actor": "admin"})  # another filter: written once more
    assert built == ["east_office", "east_office"]
    page = client.get(reverse("audit:list"), {"actor": "admin"}).content.decode()
    assert built == ["east_office", "east_office"] and "东区新名" in page


def test_the_kept_queries_are_bounded(world, monkeypatch):
    monkeypatch.setattr(selectors, "_WRITTEN", WrittenPerKey(size=3))
    for n in range(10):
        selectors._ids_sql(world.people.east_office, selectors.AuditFilter(actor=f"p{n}"))
    assert len(selectors._WRITTEN) == 3
