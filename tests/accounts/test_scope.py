"""The one access layer: a scope as a query filter for any model, "is this office over that
unit", the sources other apps register, and the audit page's per-type visibility rules."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User

from tests.factories import UnitFactory
from wenming.accounts import scope as scope_module
from wenming.accounts.models import Role
from wenming.accounts.scope import (
    Office,
    Scope,
    ancestor_paths,
    scope_for,
    scope_source_register,
    scope_sources,
    units_visible_to,
)
from wenming.audit.selectors import audit_visible_types
from wenming.jobs.access import jobs_visible_to
from wenming.jobs.models import Job
from wenming.onsite.selectors import assigned_unit_ids
from wenming.organizations.models import Department, RegionLevel, Unit


def fresh(user: User) -> Scope:
    """The scope computed again (it is cached on the user object)."""
    if hasattr(user, "_wenming_scope"):
        delattr(user, "_wenming_scope")
    return scope_for(user)


def names(rows: Any) -> set[str]:
    return {u.name for u in rows}


# -- which rows ---------------------------------------------------------------------------------


def test_units_each_role_sees(world: SimpleNamespace) -> None:
    p = world.people
    everything = {"江东区教育局", "江东区第一小学", "江东区实验中学", "江西区人民医院"}
    assert names(units_visible_to(p.admin)) == everything
    assert names(units_visible_to(p.city_office)) == everything
    assert names(units_visible_to(p.east_office)) == everything - {"江西区人民医院"}
    assert names(units_visible_to(p.supervisor)) == {"江东区第一小学", "江东区实验中学"}
    assert names(units_visible_to(p.head)) == {"江东区第一小学"}
    assert names(units_visible_to(p.other_filler)) == {"江西区人民医院"}
    assert names(units_visible_to(p.expert)) == set()
    assert names(units_visible_to(AnonymousUser())) == set()


def test_q_follows_the_model_column_names(world: SimpleNamespace) -> None:
    """Departments hang off a unit: the same rule, through the join."""
    for unit in (world.s1, world.s2, world.other):
        Department.objects.create(unit=unit, name=f"{unit.name}办公室")
    p = world.people
    for user in (p.admin, p.east_office, p.supervisor, p.head, p.other_filler, p.expert):
        via_columns = Department.objects.filter(
            scope_for(user).q(path="unit__region_path", unit="unit_id", body="unit__supervisor_id")
        )
        assert {d.unit_id for d in via_columns} == set(
            units_visible_to(user).filter(departments__isnull=False).values_list("pk", flat=True)
        ), user.username


def test_q_without_a_column_grants_nothing_that_way(world: SimpleNamespace) -> None:
    p = world.people
    no_body = scope_for(p.supervisor).q(path="region_path", unit="pk", body=None)
    assert not Unit.objects.filter(no_body).exists()
    no_path = scope_for(p.east_office).q(path=None, unit="pk", body="supervisor_id")
    assert not Unit.objects.filter(no_path).exists()
    no_unit = scope_for(p.head).q(path="region_path", unit=None, body="supervisor_id")
    assert not Unit.objects.filter(no_unit).exists()
    # a system administrator reaches every row, whatever the model lacks
    admin = scope_for(p.admin).q(path=None, unit=None, body=None)
    assert Unit.objects.filter(admin).count() == 4


def test_regions_q_is_the_offices_regions_and_below(world: SimpleNamespace) -> None:
    from wenming.accounts.scope import regions_visible_to

    assert {r.name for r in regions_visible_to(world.people.east_office)} == {
        "江东区",
        "临江街道",
    }
    assert not regions_visible_to(world.people.supervisor).exists()


def test_ancestor_paths() -> None:
    assert ancestor_paths("/3/17/") == ["/3/", "/3/17/"]
    assert ancestor_paths("/") == []


# -- is this office over that unit --------------------------------------------------------------


def test_covers_and_supervises(world: SimpleNamespace) -> None:
    p, s1, other, bureau = world.people, world.s1, world.other, world.bureau
    east = scope_for(p.east_office)
    assert east.covers(s1) and east.covers(bureau) and not east.covers(other)
    assert east.supervises(s1) and not east.supervises(other)
    sup = scope_for(p.supervisor)
    assert not sup.covers(s1)  # a supervising body is no office
    assert sup.supervises(s1) and sup.supervises(world.s2)
    assert not sup.supervises(bureau) and not sup.supervises(other)
    head = scope_for(p.head)
    assert not head.covers(s1) and not head.supervises(s1)  # the unit's own people
    admin = scope_for(p.admin)
    assert admin.covers(other) and admin.supervises(other) and admin.covers_region("/9/")


def test_covers_region_by_region_path_and_level(world: SimpleNamespace) -> None:
    city = scope_for(world.people.city_office)
    assert city.offices == (Office(world.city.path, RegionLevel.CITY),)
    assert city.region_paths == (world.city.path,)
    assert city.covers_region(world.town) and city.covers_region(world.town.path)
    assert city.covers_region(world.east, level=RegionLevel.CITY)
    assert not city.covers_region(world.east, level=RegionLevel.COUNTY)
    east = scope_for(world.people.east_office)
    assert not east.covers_region(world.city)  # above the office
    assert not east.covers_region(world.west)


def test_supervises_body(world: SimpleNamespace) -> None:
    sup = scope_for(world.people.supervisor)
    assert sup.supervises_body(world.bureau.pk)
    assert not sup.supervises_body(None) and not sup.supervises_body(world.other.pk)


def test_scope_is_computed_once_per_user_object(
    world: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    user = world.people.city_office
    first = fresh(user)
    with django_assert_num_queries(0):
        assert scope_for(user) is first
        assert scope_for(user).offices[0].level == RegionLevel.CITY


# -- sources other apps register ----------------------------------------------------------------


def test_onsite_registers_the_experts_assigned_units() -> None:
    assert assigned_unit_ids in scope_sources()


def test_a_registered_source_adds_units_to_read_only(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope_module, "_SOURCES", [])
    expert, other = world.people.expert, world.other

    def source(user: User, roles: frozenset[str]) -> list[int]:
        return [other.pk] if Role.EXPERT in roles else []

    assert scope_source_register(source) is source
    scope_source_register(source)  # twice: kept once
    assert scope_sources() == (source,)
    scope = fresh(expert)
    assert scope.assigned_units == (other.pk,)
    assert names(units_visible_to(expert)) == {"江西区人民医院"}
    # read only: nothing that asks without assigned=True lets them in
    assert not Unit.objects.filter(scope.q(path="region_path", unit="pk", body=None)).exists()
    assert not scope.covers(other) and not scope.supervises(other)
    # people without the role get nothing from it
    assert fresh(world.people.head).assigned_units == ()


def test_scope_asks_no_source_when_none_is_registered(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope_module, "_SOURCES", [])
    assert fresh(world.people.expert).assigned_units == ()


# -- the audit page's per-type rules ------------------------------------------------------------


def test_audit_visibility_rules_are_registered_by_the_owning_apps() -> None:
    assert {"organizations.unit", "assessments.selfassessment"} <= set(audit_visible_types())


# -- job results ---------------------------------------------------------------------------------


def test_job_results_follow_the_owner_and_the_unit(world: SimpleNamespace) -> None:
    """A person moved off a unit no longer fetches the binder they started for it (fixed)."""
    filler, head = world.people.filler, world.people.head
    about_unit = Job.objects.create(kind="k", label="台账", owner=filler, unit=world.s1)
    plain = Job.objects.create(kind="k", label="导出", owner=filler)
    assert set(jobs_visible_to(filler)) == {about_unit, plain}
    assert not jobs_visible_to(head).exists()  # another person's jobs
    assert not jobs_visible_to(AnonymousUser()).exists()
    filler.grants.all().delete()
    fresh(filler)
    assert set(jobs_visible_to(filler)) == {plain}


def test_an_office_unit_made_later_is_seen_at_once(world: SimpleNamespace) -> None:
    """The filter is a query, not a list of ids taken when the scope was built."""
    east = world.people.east_office
    scope_for(east)
    UnitFactory(name="新单位", region=world.town)
    assert "新单位" in names(units_visible_to(east))


def test_assigned_units_are_read_only_for_account_management(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An office that is also an expert manages no accounts of the units it merely reads
    (fixed: the assigned units counted as the office's own)."""
    from wenming.accounts.models import RoleGrant
    from wenming.accounts.services import users_manageable_by

    monkeypatch.setattr(scope_module, "_SOURCES", [])
    west_office = world.people.other_filler  # re-used: make them the west office and an expert
    RoleGrant.objects.filter(user=west_office).delete()
    RoleGrant.objects.create(user=west_office, role=Role.OFFICE, region=world.west)
    RoleGrant.objects.create(user=west_office, role=Role.EXPERT)
    s1 = world.s1
    scope_source_register(lambda user, roles: [s1.pk] if Role.EXPERT in roles else [])
    scope = fresh(west_office)
    assert scope.assigned_units == (s1.pk,)
    assert "江东区第一小学" in names(units_visible_to(west_office))  # reads it
    assert world.people.head not in users_manageable_by(west_office)
