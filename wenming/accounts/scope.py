"""What a person may see: every page and API reaches units through these helpers.

A person's scope is the union of their role grants: a system administrator sees everything;
an office (文明办, 督导室 …) sees its region and everything below it; a supervising-body reviewer
sees the units its body supervises; unit heads, administrators and fillers see their own unit;
an expert sees only the units their on-site team is assigned to (``wenming.onsite``), to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from wenming.accounts.models import UNIT_ROLES, Role, RoleGrant
from wenming.organizations.models import Region, Unit

NOTHING = Q(pk__in=[])


def path_prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range both databases answer from a plain index.

    Region paths are digits and slashes ending in "/", so every path below "/3/17/" sorts in
    ["/3/17/", "/3/170") — unlike LIKE, which SQLite will not serve from an index.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    region_paths: tuple[str, ...] = ()
    supervised_by: tuple[int, ...] = ()
    own_units: tuple[int, ...] = ()
    unit_roles: frozenset[tuple[int, str]] = frozenset()
    assigned_units: tuple[int, ...] = ()  # an expert's on-site assignments (read only)

    @property
    def is_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles

    def has(self, *roles: str) -> bool:
        return self.is_admin or any(r in self.roles for r in roles)

    def holds(self, role: str, unit_id: int) -> bool:
        """Does the person hold ``role`` for this very unit (unit head, administrator, filler)?"""
        return (unit_id, role) in self.unit_roles

    def units_q(self) -> Q:
        if self.is_admin:
            return Q()
        q = NOTHING
        for path in self.region_paths:
            q |= path_prefix_q("region_path", path)
        if self.supervised_by:
            q |= Q(supervisor_id__in=self.supervised_by)
        if self.own_units:
            q |= Q(pk__in=self.own_units)
        if self.assigned_units:
            q |= Q(pk__in=self.assigned_units)
        return q

    def regions_q(self) -> Q:
        if self.is_admin:
            return Q()
        q = NOTHING
        for path in self.region_paths:
            q |= path_prefix_q("path", path)
        return q


def scope_for(user: User | AnonymousUser) -> Scope:
    """The user's scope, computed once per request object."""
    if not user.is_authenticated:
        return Scope(frozenset())
    cached: Scope | None = getattr(user, "_wenming_scope", None)
    if cached is not None:
        return cached
    grants = list(
        RoleGrant.objects.filter(user=user)
        .select_related("region")
        .only("role", "unit_id", "region__path")
    )
    roles = {g.role for g in grants}
    if getattr(user, "is_superuser", False):
        roles.add(Role.SYSTEM_ADMIN)
    scope = Scope(
        roles=frozenset(roles),
        region_paths=tuple(g.region.path for g in grants if g.role == Role.OFFICE and g.region),
        supervised_by=tuple(g.unit_id for g in grants if g.role == Role.SUPERVISOR and g.unit_id),
        own_units=tuple(g.unit_id for g in grants if g.role in UNIT_ROLES and g.unit_id),
        unit_roles=frozenset((g.unit_id, g.role) for g in grants if g.unit_id),
        assigned_units=_assigned_units(user) if Role.EXPERT in roles else (),
    )
    setattr(user, "_wenming_scope", scope)  # noqa: B010 (cached on the request's user)
    return scope


def _assigned_units(user: User) -> tuple[int, ...]:
    # imported here: on-site evaluation builds on accounts, not the other way round
    from wenming.onsite.selectors import assigned_unit_ids

    return tuple(assigned_unit_ids(user))


def units_visible_to(user: User | AnonymousUser) -> QuerySet[Unit]:
    return Unit.objects.filter(scope_for(user).units_q())


def regions_visible_to(user: User | AnonymousUser) -> QuerySet[Region]:
    return Region.objects.filter(scope_for(user).regions_q())


def unit_get_for_user(user: User | AnonymousUser, pk: int) -> Unit:
    """The unit if the user may see it; otherwise 404 (never reveal that it exists)."""
    unit = (
        units_visible_to(user)
        .select_related("unit_type", "region", "supervisor")
        .filter(pk=pk)
        .first()
    )
    if unit is None:
        raise Http404("单位不存在或无权查看")
    return unit
