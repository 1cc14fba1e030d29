"""Demo data: one city of regions and ~200 units, and a login for every role."""

from __future__ import annotations

import random

from django.contrib.auth.models import User

from wenming.accounts.models import Role, RoleGrant
from wenming.core.credit_code import make_credit_code
from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
from wenming.organizations.services import region_upsert, unit_upsert

DEMO_PASSWORD = "Wenming@2026"
UNIT_TYPES = [
    ("机关", False),
    ("事业单位", False),
    ("学校", True),
    ("医院", False),
    ("企业", False),
    ("乡镇街道", False),
    ("社区", False),
]
DISTRICTS = [("420102", "江东区"), ("420103", "江西区"), ("420104", "江南区"), ("420105", "江北区")]
TOWNS = ["街道", "镇", "乡"]
SCHOOL_STAGES = ["小学", "小学", "小学", "初中", "初中", "九年一贯制", "完全中学"]


def person(
    username: str,
    name: str,
    role: Role | None,
    *,
    region: Region | None = None,
    unit: Unit | None = None,
) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = user.is_staff = role == Role.SYSTEM_ADMIN
        user.save()
    if role not in (None, Role.SYSTEM_ADMIN):
        RoleGrant.objects.get_or_create(user=user, role=role, region=region, unit=unit)
    return user


def city_load() -> dict[str, User]:
    rng = random.Random(2026)
    types = {
        name: UnitType.objects.get_or_create(name=name, defaults={"is_school": school})[0]
        for name, school in UNIT_TYPES
    }
    province = region_upsert(code="420000", name="江楚省", level=RegionLevel.PROVINCE, parent=None)[
        0
    ]
    city = region_upsert(code="420100", name="江城市", level=RegionLevel.CITY, parent=province)[0]
    serial = 1000
    units: dict[str, Unit] = {}

    def unit(
        name: str, kind: str, region: Region, supervisor: Unit | None = None, **extra: object
    ) -> Unit:
        nonlocal serial
        serial += 1
        values = {
            "name": name,
            "unit_type": types[kind],
            "region": region,
            "supervisor": supervisor,
            "headcount": rng.randint(15, 260),
            "party_members": rng.randint(3, 80),
            "address": f"{region.name}{rng.randint(1, 300)}号",
            **extra,
        }
        category = "11" if kind == "机关" else ("91" if kind == "企业" else "12")
        made, _ = unit_upsert(
            credit_code=make_credit_code(category=category, region="420100", serial=serial),
            values=values,
            departments=["办公室", "综合科", "业务科"],
        )
        units[name] = made
        return made

    unit("江城市文明办", "机关", city)
    for code, name in DISTRICTS:
        district = region_upsert(code=code, name=name, level=RegionLevel.COUNTY, parent=city)[0]
        office = unit(f"{name}文明办", "机关", district)
        education = unit(f"{name}教育局", "机关", district)
        health = unit(f"{name}卫生健康局", "机关", district)
        for agency in ("民政局", "财政局", "司法局", "文化旅游局"):
            unit(f"{name}{agency}", "机关", district, supervisor=office)
        unit(f"{name}人民医院", "医院", district, supervisor=health)
        unit(f"{name}中医医院", "医院", district, supervisor=health)
        unit(f"{name}图书馆", "事业单位", district)
        unit(f"{name}档案馆", "事业单位", district)
        if name == "江东区":
            unit(
                "江东区九年一贯制学校",
                "学校",
                district,
                supervisor=education,
                stage="九年一贯制",
                enrolment_primary=900,
                enrolment_junior=600,
            )
        for t in range(3):
            town = region_upsert(
                code=f"{code}{t + 1:03d}",
                name=f"{name[:2]}{'东西南北中'[t]}{TOWNS[t]}",
                level=RegionLevel.TOWNSHIP,
                parent=district,
            )[0]
            unit(f"{town.name}办事处", "乡镇街道", town)
            for c in range(2):
                community = region_upsert(
                    code=f"{code}{t + 1:03d}{c + 1:03d}",
                    name=f"{town.name[:3]}第{c + 1}社区",
                    level=RegionLevel.COMMUNITY,
                    parent=town,
                )[0]
                unit(f"{community.name}居委会", "社区", community)
            for s in range(6):
                stage = rng.choice(SCHOOL_STAGES)
                label = {
                    "小学": "小学",
                    "初中": "中学",
                    "九年一贯制": "九年一贯制学校",
                    "完全中学": "完全中学",
                }[stage]
                unit(
                    f"{town.name[:3]}第{s + 1}{label}",
                    "学校",
                    town,
                    supervisor=education,
                    stage=stage,
                    enrolment_primary=rng.randint(300, 1500)
                    if stage in ("小学", "九年一贯制")
                    else 0,
                    enrolment_junior=rng.randint(300, 1200) if stage != "小学" else 0,
                    enrolment_senior=rng.randint(300, 1200) if stage == "完全中学" else 0,
                )
            unit(f"{town.name[:3]}卫生院", "医院", town, supervisor=health)
            unit(f"{town.name[:3]}商贸公司", "企业", town)
            unit(f"{town.name[:3]}建材公司", "企业", town)
            unit(f"{town.name[:3]}文化站", "事业单位", town)
    east = Region.objects.get(code="420102")
    school = units["江东区九年一贯制学校"]
    return {
        "admin": person("admin", "系统管理员", Role.SYSTEM_ADMIN),
        "city_office": person("city_office", "市文明办 王主任", Role.OFFICE, region=city),
        "district_office": person(
            "district_office", "江东区文明办 李科长", Role.OFFICE, region=east
        ),
        "supervisor": person(
            "supervisor", "江东区教育局 赵科长", Role.SUPERVISOR, unit=units["江东区教育局"]
        ),
        "head": person("head", "校长 陈明", Role.UNIT_HEAD, unit=school),
        "unit_admin": person("unit_admin", "办公室 周老师", Role.UNIT_ADMIN, unit=school),
        "filler": person("filler", "教务处 吴老师", Role.UNIT_FILLER, unit=school),
        "filler2": person("filler2", "民政局 郑干事", Role.UNIT_FILLER, unit=units["江东区民政局"]),
        "expert": person("expert", "测评专家 孙教授", Role.EXPERT),
    }
