from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.organizations.models import Region, Unit


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    OFFICE = "office", "测评办公室人员"
    UNIT_HEAD = "unit_head", "单位负责人"
    SUPERVISOR = "supervisor", "主管部门审核人"
    UNIT_ADMIN = "unit_admin", "单位管理员"
    UNIT_FILLER = "unit_filler", "单位填报员"
    EXPERT = "expert", "测评专家"


UNIT_ROLES = (Role.UNIT_HEAD, Role.UNIT_ADMIN, Role.UNIT_FILLER)


class RoleGrant(models.Model):
    """One role a person holds, with its scope: a region (office) or a unit (the others).

    A supervisor's ``unit`` is the supervising body; an expert's scope comes from assignments.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "unit"], name="role_grant_unique"
            ),
            models.CheckConstraint(
                condition=~Q(role="office") | Q(region__isnull=False, unit__isnull=True),
                name="office_grant_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["unit_head", "unit_admin", "unit_filler", "supervisor"])
                | Q(unit__isnull=False, region__isnull=True),
                name="unit_grant_has_unit",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.unit
        return grant_label(self.get_role_display(), str(scope) if scope else "")


def grant_label(role: str, where: str | None) -> str:
    """A grant as people read it: its role and the region or unit it covers ("测评办公室人员 江东区")."""
    return f"{role} {where or ''}".strip()


class AccountState(models.Model):
    """Per-account flags the login flow needs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    must_change_password = models.BooleanField(default=False)
    # a single-sign-on account: its grants follow the DirectoryRule rows at every login
    directory = models.CharField("账号来源", max_length=10, blank=True, default="")
    external_id = models.CharField("目录中的标识", max_length=255, blank=True, default="")
    # the groups / claim values seen at the last login (normalized), so that a changed rule
    # takes effect at once for the people it concerns
    directory_values = models.JSONField("最近一次登录时的目录组", default=list, blank=True)
    # an account no person uses (the citizen intake, an API service token's holder): kept out
    # of the account list and every picker, never edited there (accounts.services.people)
    system = models.BooleanField("系统账号", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["directory", "external_id"],
                condition=~Q(directory=""),
                name="account_directory_identity_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}"


class LoginThrottle(models.Model):
    """Failed logins of one account name from one address, or (``address=""``) from all of them.

    The counts feed the delays of ``wenming.accounts.throttle``; a row is locked while an
    attempt is counted, so parallel guesses are counted one by one.
    """

    ALL_ADDRESSES = ""

    username = models.CharField("用户名", max_length=150)
    address = models.CharField("地址", max_length=45, blank=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    refused = models.PositiveIntegerField("等待期内被拒次数", default=0)
    last_failure_at = models.DateTimeField("最近失败", null=True, blank=True)
    last_success_at = models.DateTimeField("最近成功登录", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_throttle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address or '全部地址'}"


class AddressAllowance(models.Model):
    """A larger per-address limit for an address or range many people share (NAT, proxy)."""

    network = models.CharField("地址或网段", max_length=49, unique=True)
    login_failures_per_hour = models.PositiveIntegerField("每小时登录失败上限")
    posts_per_hour = models.PositiveIntegerField("每小时公开表单提交上限")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.network}"


class Directory(models.TextChoices):
    """Where a single-sign-on account comes from (an empty value: a local account)."""

    LDAP = "ldap", "目录服务(LDAP/AD)"
    OIDC = "oidc", "统一身份认证(OIDC)"


class DirectoryRule(models.Model):
    """One mapping rule: members of a directory group (or holders of a claim value) get a role.

    Rules are the whole truth for a directory account: its grants are recomputed from them at
    every login (``wenming.accounts.directory``). ``value`` is kept case-folded.
    """

    source = models.CharField("来源", max_length=10, choices=Directory.choices)
    value = models.CharField("目录组或声明值", max_length=255)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="地区"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name="单位"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "value", "role", "region", "unit"],
                name="directory_rule_unique",
            ),
            models.CheckConstraint(
                condition=~Q(role="office") | Q(region__isnull=False, unit__isnull=True),
                name="directory_rule_office_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["unit_head", "unit_admin", "unit_filler", "supervisor"])
                | Q(unit__isnull=False, region__isnull=True),
                name="directory_rule_unit_role_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["system_admin", "expert"])
                | Q(unit__isnull=True, region__isnull=True),
                name="directory_rule_plain_role_has_no_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.unit or ""
        return f"{self.value} → {self.get_role_display()} {scope}".strip()
