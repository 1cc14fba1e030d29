"""Single sign-on accounts: the mapping rules and the grants they give at each login.

A directory (LDAP/AD) or an identity provider (OIDC) says who a person is and which groups or
claim values they carry; :class:`~wenming.accounts.models.DirectoryRule` rows, edited by the
system administrator, say which role and scope each group or value gives. At every login
:func:`directory_login` recomputes the account's grants from the rules, so a person never holds
more than the rules say today: a grant no rule gives any more is withdrawn, and every grant added
or withdrawn is audited. No matching rule, no role: the person reaches only the page that says to
ask the administrator (``accounts:no_role``).

Directory accounts are kept apart from local ones: an account is found by its directory and the
directory's identifier (``AccountState.directory`` / ``external_id``), never by a matching local
user name, so signing in through a directory can never take over a local account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from wenming.accounts.models import AccountState, Directory, DirectoryRule, Role, RoleGrant
from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.organizations.models import Region, Unit

GrantKey = tuple[str, int | None, int | None]  # role, region id, unit id

PLAIN_ROLES = (Role.SYSTEM_ADMIN, Role.EXPERT)
UNIT_SCOPED = (Role.UNIT_HEAD, Role.UNIT_ADMIN, Role.UNIT_FILLER, Role.SUPERVISOR)


class RuleRefused(ActionRefused):
    """A mapping rule that cannot be saved; the message names the field in Chinese."""


def normalized(value: str) -> str:
    """Group names, DNs and claim values compare without case and outer spaces."""
    return " ".join(value.split()).casefold()


MAX_VALUES = 500


def normalized_values(values: Iterable[str]) -> list[str]:
    """The groups or claim values worth keeping: normalized, bounded, sorted."""
    keys = {normalized(v) for v in values if isinstance(v, str) and v and len(v) <= 1000}
    return sorted(k for k in keys if len(k) <= 255)[:MAX_VALUES]


def rules_grants(*, source: str, values: Iterable[str]) -> set[GrantKey]:
    """The grants the rules give to someone carrying ``values`` (groups or claim values)."""
    keys = normalized_values(values)
    if not keys:
        return set()
    rules = DirectoryRule.objects.filter(source=source, value__in=keys)
    return {(r.role, r.region_id, r.unit_id) for r in rules}


def _free_username(wanted: str, *, source: str, external_id: str) -> str:
    """The wanted name if nobody has it, else one derived from the directory identifier."""
    wanted = wanted.strip()[:150]
    if wanted and not User.objects.filter(username__iexact=wanted).exists():
        return wanted
    digest = hashlib.sha256(f"{source}:{external_id}".encode()).hexdigest()[:12]
    return f"{source}-{digest}"


def directory_account(*, source: str, external_id: str) -> User | None:
    state = (
        AccountState.objects.filter(directory=source, external_id=external_id)
        .select_related("user")
        .first()
    )
    return state.user if state else None


def _label(key: GrantKey, regions: dict[int, Region], units: dict[int, Unit]) -> str:
    role, region_id, unit_id = key
    scope = regions[region_id].name if region_id else units[unit_id].name if unit_id else ""
    return f"{Role(role).label} {scope}".strip()


@transaction.atomic
def directory_login(
    *,
    source: str,
    external_id: str,
    values: Iterable[str],
    username: str = "",
    full_name: str = "",
    email: str = "",
    user: User | None = None,
) -> User:
    """Find or create the account of a person the directory vouches for; set its grants.

    ``user`` is an account the LDAP backend has just created for this person (it creates the
    row itself); otherwise the account is found by ``(source, external_id)`` or created here.
    """
    external_id = external_id.strip()[:255]
    seen = normalized_values(values)
    state = (
        AccountState.objects.select_for_update()
        .filter(directory=source, external_id=external_id)
        .select_related("user")
        .first()
    )
    if state is not None:
        user = state.user
    else:
        if user is None:
            user = User(username=_free_username(username, source=source, external_id=external_id))
            user.set_unusable_password()
            user.save()
        state, _ = AccountState.objects.update_or_create(
            user=user,
            defaults={"directory": source, "external_id": external_id},
        )
        audit_record(
            actor=None, action="account.directory_create", obj=user, new=_source_label(source)
        )
    changed = []
    if full_name and user.first_name != full_name[:150]:
        user.first_name = full_name[:150]
        changed.append("first_name")
    if email and user.email != email[:254]:
        user.email = email[:254]
        changed.append("email")
    if changed:
        user.save(update_fields=changed)
    if state.directory_values != seen:
        state.directory_values = seen
        state.save(update_fields=["directory_values"])
    _grants_sync(user=user, wanted=rules_grants(source=source, values=seen), source=source)
    return user


def _resync(*, source: str, value: str) -> None:
    """Recompute the grants of the people who carried ``value`` at their last login."""
    states = AccountState.objects.filter(directory=source).select_related("user")
    for state in states.iterator():
        if value in state.directory_values:
            wanted = rules_grants(source=source, values=state.directory_values)
            _grants_sync(user=state.user, wanted=wanted, source=source)


def _source_label(source: str) -> str:
    return Directory(source).label


def _grants_sync(*, user: User, wanted: set[GrantKey], source: str) -> None:
    """Make the account's grants exactly ``wanted``; audit each one added or withdrawn."""
    current = {(g.role, g.region_id, g.unit_id): g for g in RoleGrant.objects.filter(user=user)}
    added = wanted - current.keys()
    removed = current.keys() - wanted
    if not added and not removed:
        return
    keys = added | removed
    regions = Region.objects.in_bulk([r for _, r, _ in keys if r])
    units = Unit.objects.in_bulk([u for _, _, u in keys if u])
    comment = f"按{_source_label(source)}角色映射规则"
    for key in sorted(removed, key=str):
        audit_record(
            actor=None,
            action="account.directory_revoke",
            obj=user,
            old=_label(key, regions, units),
            comment=comment,
        )
        current[key].delete()
    for key in sorted(added, key=str):
        role, region_id, unit_id = key
        RoleGrant.objects.create(user=user, role=role, region_id=region_id, unit_id=unit_id)
        audit_record(
            actor=None,
            action="account.directory_grant",
            obj=user,
            new=_label(key, regions, units),
            comment=comment,
        )
    if hasattr(user, "_wenming_scope"):
        delattr(user, "_wenming_scope")


# -- the administrator's rules -----------------------------------------------------------------


def rules_list() -> QuerySet[DirectoryRule]:
    return DirectoryRule.objects.select_related("region", "unit").order_by(
        "source", "value", "role", "id"
    )


@transaction.atomic
def rule_create(
    *,
    actor: User,
    source: str,
    value: str,
    role: str,
    region: Region | None,
    unit: Unit | None,
    note: str = "",
) -> DirectoryRule:
    """Add a rule (system administrator only); takes effect at each person's next login."""
    if not scope_for(actor).is_admin:
        raise RuleRefused("只有系统管理员可以设置角色映射规则")
    key = normalized(value)
    if not key:
        raise RuleRefused("目录组或声明值:请填写")
    if role == Role.OFFICE and (region is None or unit is not None):
        raise RuleRefused("范围:测评办公室人员须填写地区代码")
    if role in UNIT_SCOPED and (unit is None or region is not None):
        raise RuleRefused("范围:该角色须填写单位的统一社会信用代码")
    if role in PLAIN_ROLES and (unit is not None or region is not None):
        raise RuleRefused("范围:该角色不需要地区或单位")
    if DirectoryRule.objects.filter(
        source=source, value=key, role=role, region=region, unit=unit
    ).exists():
        raise RuleRefused("已有相同的规则")
    rule = DirectoryRule.objects.create(
        source=source,
        value=key,
        role=role,
        region=region,
        unit=unit,
        note=note,
        created_by=actor,
    )
    audit_record(actor=actor, action="account.directory_rule_add", obj=rule, new=str(rule))
    _resync(source=source, value=key)
    return rule


@transaction.atomic
def rule_remove(*, actor: User, pk: int) -> DirectoryRule | None:
    rule = DirectoryRule.objects.select_for_update().filter(pk=pk).first()
    if rule is None:
        return None
    audit_record(actor=actor, action="account.directory_rule_remove", obj=rule, old=str(rule))
    rule.delete()
    _resync(source=rule.source, value=rule.value)
    return rule
