"""Who sees which units: every role, exactly."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wenming.accounts.scope import units_visible_to


def names(qs):
    return {u.name for u in qs}


def test_each_role_sees_exactly_its_units(world):
    p, all_units = (
        world.people,
        {"江东区教育局", "江东区第一小学", "江东区实验中学", "江西区人民医院"},
    )
    assert names(units_visible_to(p.admin)) == all_units
    assert names(units_visible_to(p.city_office)) == all_units
    assert names(units_visible_to(p.east_office)) == {
        "江东区教育局",
        "江东区第一小学",
        "江东区实验中学",
    }
    assert names(units_visible_to(p.supervisor)) == {"江东区第一小学", "江东区实验中学"}
    for unit_person in (p.head, p.unit_admin, p.filler):
        assert names(units_visible_to(unit_person)) == {"江东区第一小学"}
    assert names(units_visible_to(p.other_filler)) == {"江西区人民医院"}
    assert names(units_visible_to(p.expert)) == set()


def test_one_person_may_hold_several_roles(world):
    from wenming.accounts.models import Role, RoleGrant

    RoleGrant.objects.create(user=world.people.filler, role=Role.SUPERVISOR, unit=world.bureau)
    world.people.filler.refresh_from_db()
    assert names(units_visible_to(world.people.filler)) == {"江东区第一小学", "江东区实验中学"}


def test_a_unit_filler_cannot_open_another_units_page(client, world):
    client.force_login(world.people.filler)
    assert client.get(reverse("units:detail", args=[world.s1.pk])).status_code == 200
    response = client.get(reverse("units:detail", args=[world.other.pk]))
    assert response.status_code == 404
    assert "江西区人民医院" not in response.content.decode()


@pytest.mark.parametrize("who", ["east_office", "supervisor"])
def test_other_district_is_hidden_from_district_staff(client, world, who):
    client.force_login(getattr(world.people, who))
    assert client.get(reverse("units:detail", args=[world.other.pk])).status_code == 404
    html = client.get(reverse("units:list")).content.decode()
    assert "江西区人民医院" not in html and "江东区第一小学" in html
