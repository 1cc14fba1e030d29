"""factory_boy factories for regions, units, people and their roles."""

from __future__ import annotations

import itertools

import factory
from django.contrib.auth.models import User

from wenming.accounts.models import Role, RoleGrant
from wenming.core.credit_code import make_credit_code
from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
from wenming.organizations.services import region_upsert

_serial = itertools.count(1)


def region(
    name: str,
    level: int = RegionLevel.COUNTY,
    parent: Region | None = None,
    code: str | None = None,
) -> Region:
    return region_upsert(
        code=code or f"R{next(_serial):06d}", name=name, level=level, parent=parent
    )[0]


class UnitTypeFactory(factory.django.DjangoModelFactory[UnitType]):
    class Meta:
        model = UnitType
        django_get_or_create = ("name",)

    name = "机关"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    credit_code = factory.LazyFunction(lambda: make_credit_code(serial=next(_serial)))
    unit_type = factory.SubFactory(UnitTypeFactory)
    region = factory.LazyFunction(lambda: region("默认区"))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Strong-pass-2026")


def person(
    username: str,
    role: Role | None = None,
    *,
    region_: Region | None = None,
    unit: Unit | None = None,
) -> User:
    user = UserFactory.create(username=username)
    if role == Role.SYSTEM_ADMIN:
        user.is_superuser = True
        user.save()
    elif role is not None:
        RoleGrant.objects.create(user=user, role=role, region=region_, unit=unit)
    return user
