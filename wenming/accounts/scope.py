"""What a person may see and act on: the one access layer every page, export and job asks.

A person's scope is the union of their role grants: a system administrator sees everything;
an office (文明办, 督导室 …) sees its region and everything below it; a supervising-body reviewer
sees the units its body supervises; unit heads, administrators and fillers see their own unit;
an expert sees only the units their on-site team is assigned to (registered by
``wenming.onsite``), to read.

Three kinds of question, each answered here and nowhere else:

* **Which rows?** ``scope.q(path=…, unit=…, body=…)`` turns the scope into a filter for any model,
  given the names of that model's columns (see :meth:`Scope.q`). Each app's
  ``<thing>s_visible_to(user)`` is one line on top of it, and ``<thing>_get_for_user(user, pk)``
  is ``scoped_get(<thing>s_visible_to(user), pk, missing=…)`` (404 outside the scope).
* **Is this office over that unit or region?** ``scope.covers(unit)``,
  ``scope.covers_region(region_or_path, level=…)``; and ``scope.supervises(unit)`` adds the
  unit's supervising body.
* **What role does the person hold for this unit?** ``scope.holds(role, unit_id)``.

Apps above this one add to a scope through registered sources (:func:`scope_source_register`)
instead of being imported here: the on-site assignments reach the scope that way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from wenming.accounts.models import UNIT_ROLES, Role, RoleGrant
from wenming.organizations.models import Region, Unit
from wenming.web.db.prepared import Prepared

NOTHING = Q(pk__in=[])

M = TypeVar("M", bound=Model)


def path_prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range both databases answer from a plain index.

    Region paths are digits and slashes ending in "/", so every path below "/3/17/" sorts in
    ["/3/17/", "/3/170") — unlike LIKE, which SQLite will not serve from an index.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def ancestor_paths(path: str) -> list[str]:
    """The paths of a region and every region above it: "/3/17/" → ["/3/", "/3/17/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Office(NamedTuple):
    """One office grant: the region's path and its level (``RegionLevel``)."""

    path: str
    level: int


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    offices: tuple[Office, ...] = ()
    supervised_by: tuple[int, ...] = ()
    own_units: tuple[int, ...] = ()
    unit_roles: frozenset[tuple[int, str]] = frozenset()
    assigned_units: tuple[int, ...] = ()  # added by registered sources: read only

    @property
    def is_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles

    @property
    def region_paths(self) -> tuple[str, ...]:
        """The regions of the person's office grants (each with everything below it)."""
        return tuple(office.path for office in self.offices)

    def has(self, *roles: str) -> bool:
        return self.is_admin or any(r in self.roles for r in roles)

    def holds(self, role: str, unit_id: int) -> bool:
        """Does the person hold ``role`` for this very unit (unit head, administrator, filler)?"""
        return (unit_id, role) in self.unit_roles

    # -- which rows ------------------------------------------------------------------------

    def q(
        self, *, path: str | None, unit: str | None, body: str | None, assigned: bool = False
    ) -> Q:
        """The rows of a model this scope reaches, given the model's column names.

        ``path``: the unit's region path (``"region_path"``, ``"unit__region_path"``), reached by
        the person's offices; ``unit``: the unit's id (``"unit_id"``; ``"pk"`` on ``Unit``),
        reached by the unit's own people; ``body``: the id of the unit's supervising body
        (``"supervisor_id"``, ``"unit__supervisor_id"``), reached by that body's reviewers.
        ``None`` for a column the model lacks: nobody reaches its rows that way. ``assigned``:
        also the units registered sources add (an expert's on-site assignments), only for
        reading. A system administrator reaches every row.
        """
        if self.is_admin:
            return Q()
        q = NOTHING
        if path is not None:
            for region_path in self.region_paths:
                q |= path_prefix_q(path, region_path)
        if body is not None and self.supervised_by:
            q |= Q(**{f"{body}__in": self.supervised_by})
        if unit is not None:
            units = self.own_units + (self.assigned_units if assigned else ())
            if units:
                q |= Q(**{f"{unit}__in": units})
        return q

    def via_unit_q(self, field: str = "unit", *, assigned: bool = True) -> Q:
        """The rows of a model that hangs off a unit (``field`` is its foreign key to ``Unit``)
        whose unit the person may see: the unit's own rules, through the join. ``assigned``
        (default) lets an expert read the rows of their assigned units too."""
        return self.q(
            path=f"{field}__region_path",
            unit=f"{field}_id",
            body=f"{field}__supervisor_id",
            assigned=assigned,
        )

    def units_q(self, *, assigned: bool = True) -> Q:
        """The units the person may see: their own, their offices' regions', their body's and
        (``assigned``, the default) the ones registered sources add. Code that *changes*
        something of the unit (imports, accounts) passes ``assigned=False``: those are read only.
        """
        return self.q(path="region_path", unit="pk", body="supervisor_id", assigned=assigned)

    def regions_q(self, path: str = "path") -> Q:
        """The regions of the person's offices and everything below them."""
        return self.q(path=path, unit=None, body=None)

    # -- is this office over that unit -----------------------------------------------------

    def covers_region(self, region: Region | str, *, level: int | None = None) -> bool:
        """Is one of the person's offices (of ``level``, if given) over this region or path?

        A system administrator covers everything."""
        if self.is_admin:
            return True
        path = region if isinstance(region, str) else region.path
        return any(
            path.startswith(office.path) and (level is None or office.level == level)
            for office in self.offices
        )

    def covers(self, unit: Unit) -> bool:
        """Is one of the person's offices over the unit's region (or are they an administrator)?"""
        return self.covers_region(unit.region_path)

    def supervises(self, unit: Unit) -> bool:
        """An administrator, an office over the unit's region, or its supervising body's
        reviewer: the side that accepts, verifies, sends back and chases a unit's work."""
        return self.covers(unit) or (
            unit.supervisor_id is not None and unit.supervisor_id in self.supervised_by
        )

    def supervises_body(self, body_id: int | None) -> bool:
        """Is the person a reviewer of this supervising body?"""
        return body_id is not None and body_id in self.supervised_by


# -- sources that other apps register ----------------------------------------------------------

ScopeSource = Callable[[User, frozenset[str]], Iterable[int]]
"""(user, roles) → ids of units the person may additionally read (read only)."""

_SOURCES: list[ScopeSource] = []


def scope_source_register(source: ScopeSource) -> ScopeSource:
    """Register what an app adds to every scope (call in the app's ``AppConfig.ready()``).

    The source gets the user and their roles and returns the ids of the units the person may
    additionally read; ``Scope.q(..., assigned=True)`` (so ``units_visible_to``) lets them in,
    nothing else does. Registering the same function twice keeps one."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def scope_sources() -> tuple[ScopeSource, ...]:
    return tuple(_SOURCES)


# every page reads the person's grants (role, unit, office's region path and level): written by
# the ORM once per process (wenming.web.db.prepared)
_GRANTS = Prepared(
    lambda who: list(
        RoleGrant.objects.filter(user_id=who)
        .order_by("pk")
        .values_list("role", "unit_id", "region__path", "region__level")
    )
)


def scope_for(user: User | AnonymousUser) -> Scope:
    """The user's scope, computed once per request object (cached on the user)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Scope(frozenset())
    cached: Scope | None = getattr(user, "_wenming_scope", None)
    if cached is not None:
        return cached
    grants: list[tuple[str, int | None, str | None, int | None]] = _GRANTS.rows(user.pk)
    roles = {role for role, _, _, _ in grants}
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
    frozen = frozenset(roles)
    assigned = dict.fromkeys(unit_id for source in _SOURCES for unit_id in source(user, frozen))
    scope = Scope(
        roles=frozen,
        offices=tuple(
            Office(path, level)
            for role, _, path, level in grants
            if role == Role.OFFICE and path is not None and level is not None
        ),
        supervised_by=tuple(
            unit for role, unit, _, _ in grants if role == Role.SUPERVISOR and unit
        ),
        own_units=tuple(unit for role, unit, _, _ in grants if role in UNIT_ROLES and unit),
        unit_roles=frozenset((unit, role) for role, unit, _, _ in grants if unit),
        assigned_units=tuple(assigned),
    )
    setattr(user, "_wenming_scope", scope)  # noqa: B010 (cached on the request's user)
    return scope


def scope_key(scope: Scope) -> str:
    """A short name of a scope, the same in every process: for the keys of values computed
    from what the scope sees (``wenming.web.cache.kept_until_changed``)."""
    canonical = repr(
        (
            sorted(scope.roles),
            scope.offices,
            scope.supervised_by,
            scope.own_units,
            sorted(scope.unit_roles),
            scope.assigned_units,
        )
    )
    return hashlib.blake2b(canonical.encode(), digest_size=12).hexdigest()


def scoped_get(rows: QuerySet[M], pk: int, *, missing: str) -> M:
    """The row ``pk`` of an already scoped query set; otherwise 404 with ``missing`` — the same
    answer whether the row does not exist or lies outside the scope (never reveal which)."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404(missing)
    return found


def units_visible_to(user: User | AnonymousUser) -> QuerySet[Unit]:
    return Unit.objects.filter(scope_for(user).units_q())


def regions_visible_to(user: User | AnonymousUser) -> QuerySet[Region]:
    return Region.objects.filter(scope_for(user).regions_q())


def unit_get_for_user(user: User | AnonymousUser, pk: int) -> Unit:
    """The unit if the user may see it; otherwise 404 (never reveal that it exists)."""
    return scoped_get(
        units_visible_to(user).select_related("unit_type", "region", "supervisor"),
        pk,
        missing="单位不存在或无权查看",
    )
