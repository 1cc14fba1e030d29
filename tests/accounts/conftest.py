from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import UnitFactory, UnitTypeFactory, person, region
from wenming.accounts.models import Role
from wenming.organizations.models import RegionLevel


@pytest.fixture
def world(db):
    """A city with two districts, a township, an education bureau and its schools, and people."""
    city = region("江城市", RegionLevel.CITY, code="420100")
    east = region("江东区", RegionLevel.COUNTY, city, code="420102")
    west = region("江西区", RegionLevel.COUNTY, city, code="420103")
    town = region("临江街道", RegionLevel.TOWNSHIP, east, code="420102001")
    agency = UnitTypeFactory(name="机关")
    school = UnitTypeFactory(name="学校", is_school=True)
    bureau = UnitFactory(name="江东区教育局", unit_type=agency, region=east)
    s1 = UnitFactory(
        name="江东区第一小学", unit_type=school, region=town, supervisor=bureau, stage="小学"
    )
    s2 = UnitFactory(
        name="江东区实验中学", unit_type=school, region=east, supervisor=bureau, stage="初中"
    )
    other = UnitFactory(name="江西区人民医院", unit_type=UnitTypeFactory(name="医院"), region=west)
    people = SimpleNamespace(
        admin=person("admin", Role.SYSTEM_ADMIN),
        city_office=person("city_office", Role.OFFICE, region_=city),
        east_office=person("east_office", Role.OFFICE, region_=east),
        supervisor=person("supervisor", Role.SUPERVISOR, unit=bureau),
        head=person("head", Role.UNIT_HEAD, unit=s1),
        unit_admin=person("unit_admin", Role.UNIT_ADMIN, unit=s1),
        filler=person("filler", Role.UNIT_FILLER, unit=s1),
        other_filler=person("other_filler", Role.UNIT_FILLER, unit=other),
        expert=person("expert", Role.EXPERT),
    )
    return SimpleNamespace(
        city=city,
        east=east,
        west=west,
        town=town,
        bureau=bureau,
        s1=s1,
        s2=s2,
        other=other,
        people=people,
        types=SimpleNamespace(agency=agency, school=school),
    )
