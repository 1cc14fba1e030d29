"""Who sees which dashboard, and the filters that pick its figures.

An office sees its region and every region below it; a supervising body sees the units it
supervises; unit staff and experts have no dashboard. The region a person picks must be inside
what they may see (the choices only offer those), and every figure is read for that region's or
body's keys only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wenming.accounts.models import Role
from wenming.accounts.scope import path_prefix_q, regions_visible_to, scope_for, scope_key
from wenming.campaigns.access import campaigns_visible_to
from wenming.campaigns.models import Campaign, Level
from wenming.dashboards.models import TallyKind
from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
from wenming.web.cache import kept_until_changed
from wenming.web.params import id_or_none

NOT_ALLOWED = "统计看板仅向测评办公室和主管部门开放"


@dataclass(frozen=True)
class Focus:
    """What one dashboard is about: a campaign, whose tallies (keys), which unit type."""

    campaign: Campaign
    kind: str  # TallyKind
    keys: tuple[int, ...]
    label: str  # "江东区(含下级)" / "江东区教育局所属单位"
    unit_type_id: int | None
    region_paths: tuple[str, ...] = ()  # for reading single applications (kind region)

    def entries_q(self, prefix: str = "", *, by_region_index: bool = True) -> Q:
        """The applications this focus covers, on a model with region_path / supervisor_id.
        ``by_region_index=False`` writes the region test so that no index serves it (a
        prefix LIKE): the database then walks another index (e.g. by score) and tests each
        row, which is faster when the region holds most of the rows."""
        if self.kind == TallyKind.REGION:
            q = Q(pk__in=[])
            for path in self.region_paths:
                q |= (
                    path_prefix_q(f"{prefix}region_path", path)
                    if by_region_index
                    else Q(**{f"{prefix}region_path__startswith": path})
                )
        else:
            q = Q(**{f"{prefix}supervisor_id__in": self.keys})
        if self.unit_type_id:
            q &= Q(**{f"{prefix}unit_type_id": self.unit_type_id})
        return q


def dashboard_allowed(user: User | AnonymousUser) -> bool:
    scope = scope_for(user)
    return scope.has(Role.OFFICE) or Role.SUPERVISOR in scope.roles


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    level = forms.ChoiceField(label="级别", required=False)
    campaign = forms.TypedChoiceField(label="活动", coerce=int, required=False, empty_value=None)
    region = forms.TypedChoiceField(
        label="地区(含下级)", coerce=int, required=False, empty_value=None
    )
    unit_type = forms.TypedChoiceField(
        label="单位类型", coerce=int, required=False, empty_value=None
    )

    def __init__(self, data: dict[str, str], *, user: User) -> None:
        scope = scope_for(user)
        self.by_region = scope.has(Role.OFFICE)
        # what the filters offer changes only with audited changes (campaigns, regions, types):
        # kept per scope until one commits (three queries, the campaigns' the dearest)
        campaigns, regions, self.type_names = kept_until_changed(
            f"dashboard-filters:{scope_key(scope)}", lambda: _offered(user, self.by_region)
        )
        years = sorted({c.year for c in campaigns}, reverse=True)
        if "year" not in data and years:
            data = {**data, "year": str(years[0])}  # the latest year by default
        super().__init__(data)
        self.options: dict[str, list[tuple[Any, str]]] = {}
        self.user = user
        self.campaigns = {c.pk: c for c in campaigns}
        self._offer("year", [("", "全部年度")] + [(y, f"{y}年") for y in years])
        self._offer("level", [("", "全部级别"), *Level.choices])
        year, level = _int(data.get("year")), data.get("level") or ""
        offered = [
            c
            for c in campaigns
            if (year is None or c.year == year) and (not level or c.level == level)
        ]
        self._offer("campaign", [(c.pk, c.name) for c in offered])
        self.offered = offered
        if self.by_region:
            self.regions = {pk: (pk, name, path) for pk, name, path in regions}
            self.paths: set[str] = {path for _, _, path in self.regions.values()}
            self._offer(
                "region",
                [("", "本辖区全部")]
                + [
                    (pk, "\u3000" * max(0, path.count("/") - 2) + name)
                    for pk, name, path in self.regions.values()
                ],
            )
        else:
            self.regions = {}
            self.paths = set()
            del self.fields["region"]
        self._offer("unit_type", [("", "全部类型"), *self.type_names.items()])

    def controls(self) -> list[dict[str, object]]:
        """Each filter as a label and its <select>'s options, built here: a hundred regions
        through the widget templates would cost more than every figure on the page."""
        controls: list[dict[str, object]] = []
        for name, field in self.fields.items():
            chosen = str(self.data.get(name, ""))
            options = "".join(
                f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
                f"{escape(label)}</option>"
                for value, label in self.options[name]
            )
            controls.append(
                {
                    "name": name,
                    "label": field.label,
                    "options": mark_safe(options),  # every value and label escaped
                    "errors": self.errors.get(name, []),
                }
            )
        return controls

    def _offer(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.options[name] = choices

    def focus(self) -> Focus | None:
        """The dashboard's subject, or None when there is no campaign to show."""
        self.is_valid()  # a value that is not offered (e.g. a region outside the scope) is dropped
        values = self.cleaned_data
        campaign = self.campaigns.get(values.get("campaign") or 0)
        if campaign is None or campaign not in self.offered:
            campaign = self.offered[0] if self.offered else None
        if campaign is None:
            return None
        unit_type = values.get("unit_type")
        scope = scope_for(self.user)
        if self.by_region:
            region = self.regions.get(values.get("region") or 0)
            if region is not None:
                chosen = [region]
            elif not scope.is_admin and all(
                path in self.paths for path in scope.region_paths
            ):  # the offices' own regions, already read for the filter (in path order)
                chosen = [r for r in self.regions.values() if r[2] in scope.region_paths]
            else:
                tops = Region.objects.filter(
                    Q(parent=None) if scope.is_admin else Q(path__in=scope.region_paths)
                )
                chosen = list(tops.values_list("pk", "name", "path"))
            return Focus(
                campaign=campaign,
                kind=TallyKind.REGION,
                keys=tuple(pk for pk, _, _ in chosen),
                label="、".join(name for _, name, _ in chosen) + "(含下级)",
                unit_type_id=unit_type,
                region_paths=tuple(path for _, _, path in chosen),
            )
        bodies = list(Unit.objects.filter(pk__in=scope.supervised_by).order_by("pk"))
        return Focus(
            campaign=campaign,
            kind=TallyKind.BODY,
            keys=tuple(b.pk for b in bodies),
            label="、".join(b.name for b in bodies) + "所属单位",
            unit_type_id=unit_type,
        )


def _offered(
    user: User, by_region: bool
) -> tuple[list[Campaign], list[tuple[int, str, str]], dict[int, str]]:
    """The campaigns the person sees (latest first), the regions an office may pick (down to
    townships, in path order) and the unit types."""
    campaigns = list(campaigns_visible_to(user).order_by("-year", "-id"))
    regions = (
        list(
            regions_visible_to(user)
            .filter(level__lte=RegionLevel.TOWNSHIP)
            .order_by("path")
            .values_list("pk", "name", "path")
        )
        if by_region
        else []
    )
    types = dict(UnitType.objects.order_by("id").values_list("pk", "name"))
    return campaigns, regions, types


def filter_form(user: User, data: dict[str, str]) -> FilterForm:
    if not dashboard_allowed(user):
        raise PermissionDenied(NOT_ALLOWED)
    return FilterForm(data, user=user)


def _int(raw: str | None) -> int | None:
    """The year as offered (a loose value: the form itself checks it against the choices)."""
    return id_or_none(raw)
