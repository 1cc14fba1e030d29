"""Accounts: bulk creation for units, password resets (login throttling: throttle.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import QuerySet

from wenming.accounts.models import AccountState, LoginThrottle, Role, RoleGrant
from wenming.accounts.scope import scope_for, units_visible_to
from wenming.accounts.throttle import login_throttles_clear
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.organizations.models import Unit

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AccountRefused(ActionRefused):
    """An account change that is not allowed; the message says why in Chinese."""


def initial_password() -> str:
    """12 characters without look-alikes (no 0/O, 1/l/I), easy to read off a printed sheet."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


@dataclass(frozen=True)
class IssuedAccount:
    unit: Unit
    username: str
    password: str


def units_without_admin(*, actor: User | AnonymousUser) -> QuerySet[Unit]:
    has_admin = RoleGrant.objects.filter(role=Role.UNIT_ADMIN).values("unit_id")
    return units_visible_to(actor).exclude(pk__in=has_admin)


@transaction.atomic
def accounts_create_for_units(*, actor: User, units: QuerySet[Unit]) -> list[IssuedAccount]:
    """Give each unit a unit-administrator account with an initial password to change at first login."""
    if not scope_for(actor).has(Role.OFFICE):
        raise AccountRefused("只有测评办公室人员可以批量创建账号")
    issued = []
    for unit in units.filter(scope_for(actor).units_q(assigned=False)).order_by("name", "id"):
        username = unit.credit_code.lower()
        if User.objects.filter(username=username).exists():
            continue
        password = initial_password()
        user = User.objects.create_user(
            username=username, password=password, first_name=unit.name[:150]
        )
        AccountState.objects.create(user=user, must_change_password=True)
        RoleGrant.objects.create(user=user, role=Role.UNIT_ADMIN, unit=unit)
        audit_record(
            actor=actor,
            action="account.create",
            obj=user,
            new=f"{Role.UNIT_ADMIN.label} {unit.name}",
        )
        issued.append(IssuedAccount(unit, username, password))
    return issued


def people() -> QuerySet[User]:
    """Every account a person uses: not the system accounts (the citizen intake, the holders
    of API service tokens). The account list, its edits and any picker of people start here."""
    return User.objects.exclude(account__system=True)


def system_account_mark(user: User) -> None:
    """Mark an account that no person uses (see :func:`people`)."""
    AccountState.objects.update_or_create(user=user, defaults={"system": True})


def users_manageable_by(actor: User | AnonymousUser) -> QuerySet[User]:
    """People whose every unit or region grant lies inside the actor's scope (never a system
    account: :func:`people`)."""
    scope = scope_for(actor)
    if scope.is_admin:
        return people()
    if not scope.has(Role.OFFICE):
        return User.objects.none()
    inside_units = Unit.objects.filter(scope.units_q(assigned=False)).values("pk")
    granted = RoleGrant.objects.filter(unit__in=inside_units).values("user_id")
    for path in scope.region_paths:
        granted = granted.union(
            RoleGrant.objects.filter(region__path__startswith=path)
            .exclude(region__path=path)
            .values("user_id")
        )
    return people().filter(pk__in=granted, is_superuser=False)


@transaction.atomic
def password_reset(*, actor: User, user_id: int) -> tuple[User, str]:
    user = users_manageable_by(actor).filter(pk=user_id).first()
    if user is None:
        raise AccountRefused("该账号不存在或不在本人管理范围内")
    if AccountState.objects.filter(user=user).exclude(directory="").exists():
        raise AccountRefused("该账号通过单位目录或统一身份认证登录,密码由目录管理,不能在本系统重置")
    password = initial_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    AccountState.objects.update_or_create(user=user, defaults={"must_change_password": True})
    login_throttles_clear(username=user.username)
    audit_record(actor=actor, action="account.password_reset", obj=user)
    return user, password


def password_changed(*, user: User) -> None:
    AccountState.objects.filter(user=user).update(must_change_password=False)
    audit_record(actor=user, action="account.password_change", obj=user)


# -- the office's page of login delays (the mechanism is throttle.py) ------------------------


def throttles_visible_to(actor: User | AnonymousUser) -> QuerySet[LoginThrottle]:
    """Rows with failures: all for the system administrator, the region's accounts for an office."""
    rows = LoginThrottle.objects.filter(failures__gt=0)
    if scope_for(actor).is_admin:
        return rows
    return rows.filter(username__in=users_manageable_by(actor).values("username"))


class ThrottleNotFound(Exception):
    pass


@transaction.atomic
def login_throttle_clear(*, actor: User, pk: int) -> LoginThrottle:
    row = throttles_visible_to(actor).select_for_update().filter(pk=pk).first()
    if row is None:
        raise ThrottleNotFound("该记录不存在或不在本人管理范围内")
    old = f"失败{row.failures}次"
    row.failures = row.refused = 0
    row.save(update_fields=["failures", "refused"])
    audit_record(actor=actor, action="login.throttle_clear", obj=row, old=old, new="已清除")
    return row
