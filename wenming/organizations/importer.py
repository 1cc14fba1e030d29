"""The regions-and-units sheet: import with preview, re-import updates by credit code, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from wenming.accounts.models import Role
from wenming.accounts.scope import Scope
from wenming.core.credit_code import credit_code_problem, normalize
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.base import (
    CellError,
    Column,
    Importer,
    ImportPlan,
    PlannedChange,
    Row,
    register,
)
from wenming.organizations.models import (
    Department,
    Region,
    RegionLevel,
    SchoolStage,
    Unit,
    UnitType,
)
from wenming.organizations.services import region_upsert, unit_changes, unit_upsert

REGIONS, UNITS = "地区", "单位"
LEVELS = {label: value for value, label in RegionLevel.choices}
FIELD_LABELS = {
    "name": "名称",
    "unit_type": "单位类型",
    "region": "所属地区",
    "supervisor": "主管部门",
    "address": "地址",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "headcount": "职工人数",
    "party_members": "党员人数",
    "stage": "学段",
    "enrolment_primary": "小学在校生",
    "enrolment_junior": "初中在校生",
    "enrolment_senior": "高中在校生",
    "departments": "科室",
    "level": "层级",
    "parent": "上级",
}
INT_FIELDS = (
    "headcount",
    "party_members",
    "enrolment_primary",
    "enrolment_junior",
    "enrolment_senior",
)


@register
class UnitSheetImporter(Importer):
    kind = "units"
    label = "地区与单位"
    intro = "已有地区按行政区划代码、已有单位按统一社会信用代码更新,不会重复。"
    sheets = {
        REGIONS: [
            Column("行政区划代码", "code", required=True),
            Column("名称", "name", required=True),
            Column("层级", "level", required=True),
            Column("上级代码", "parent"),
        ],
        UNITS: [
            Column("统一社会信用代码", "credit_code", required=True),
            Column("单位名称", "name", required=True),
            Column("单位类型", "unit_type", required=True),
            Column("所属地区代码", "region", required=True),
            Column("主管部门信用代码", "supervisor"),
            Column("地址", "address"),
            Column("联系人", "contact_name"),
            Column("联系电话", "contact_phone"),
            Column("职工人数", "headcount"),
            Column("党员人数", "party_members"),
            Column("科室", "departments"),
            Column("学段", "stage"),
            Column("小学在校生", "enrolment_primary"),
            Column("初中在校生", "enrolment_junior"),
            Column("高中在校生", "enrolment_senior"),
        ],
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.has(Role.OFFICE)

    # -- plan ------------------------------------------------------------------------------

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        errors = plan.errors
        region_rows = (
            list(self.rows(workbook, REGIONS, errors)) if REGIONS in workbook.sheetnames else []
        )
        unit_rows = list(self.rows(workbook, UNITS, errors))
        known_regions = {
            r.code: r
            for r in Region.objects.only("id", "code", "name", "level", "parent_id", "path")
        }
        code_of = {r.pk: code for code, r in known_regions.items()}
        in_scope = scope.covers_region
        sheet_regions: dict[str, str] = {}  # code → parent code ("" for a root)
        for row in region_rows:
            code, name = _text(row.values["code"]), _text(row.values["name"])
            level = LEVELS.get(_text(row.values["level"]))
            parent_code = _text(row.values.get("parent"))
            if not code or not name:
                continue
            if level is None:
                errors.append(row.error("level", f"层级应为{'、'.join(LEVELS)}之一"))
                continue
            if code in sheet_regions:
                errors.append(row.error("code", f"行政区划代码“{code}”重复"))
                continue
            if (
                parent_code
                and parent_code not in sheet_regions
                and parent_code not in known_regions
            ):
                errors.append(
                    row.error("parent", f"上级代码“{parent_code}”不存在(上级须已存在或写在前面)")
                )
                continue
            existing = known_regions.get(code)
            if (
                existing is not None
                and parent_code in known_regions
                and known_regions[parent_code].path.startswith(existing.path)
            ):
                errors.append(row.error("parent", "上级地区不能是本地区或其下级"))
                continue
            if existing is not None:
                allowed = in_scope(existing)
            elif parent_code in known_regions:
                allowed = in_scope(known_regions[parent_code])
            else:  # a new root, or under a new region of this sheet that was itself allowed
                allowed = scope.is_admin or bool(parent_code)
            if not allowed:
                errors.append(row.error("code", "超出本人管理的地区范围"))
                continue
            sheet_regions[code] = parent_code
            changes: dict[str, tuple[str, str]] = {}
            if existing is None:
                action = "新增"
                changes = {"name": ("", name), "level": ("", _text(row.values["level"]))}
            else:
                old_parent = code_of.get(existing.parent_id or 0, "")
                for key, old, new in (
                    ("name", existing.name, name),
                    ("level", RegionLevel(existing.level).label, _text(row.values["level"])),
                    ("parent", old_parent, parent_code),
                ):
                    if old != new:
                        changes[key] = (old, new)
                action = "更新" if changes else "无变化"
            plan.changes.append(
                PlannedChange(
                    REGIONS,
                    row.number,
                    code,
                    name,
                    action,
                    _labelled(changes),
                    {"code": code, "name": name, "level": level, "parent": parent_code},
                )
            )
        self._plan_units(plan, unit_rows, known_regions, sheet_regions, scope, in_scope)
        return plan

    def _plan_units(
        self,
        plan: ImportPlan,
        rows: list[Row],
        known_regions: dict[str, Region],
        sheet_regions: dict[str, str],
        scope: Scope,
        in_scope: Callable[[Region], bool],
    ) -> None:
        errors = plan.errors
        codes = [
            normalize(str(r.values["credit_code"])) for r in rows if r.values.get("credit_code")
        ]
        sup_codes = [
            normalize(str(r.values["supervisor"])) for r in rows if r.values.get("supervisor")
        ]
        existing = {
            u.credit_code: u
            for u in Unit.objects.filter(
                credit_code__in=set(codes) | set(sup_codes)
            ).select_related("unit_type", "region", "supervisor")
        }
        departments: dict[int, list[str]] = {}
        for unit_id, name in Department.objects.filter(unit__credit_code__in=codes).values_list(
            "unit_id", "name"
        ):
            departments.setdefault(unit_id, []).append(name)
        types = {t.name: t for t in UnitType.objects.all()}
        sheet_codes: set[str] = set()
        all_sheet_codes = set(codes)
        for row in rows:
            v = row.values
            if not v.get("credit_code") or not v.get("name"):
                continue
            code = normalize(str(v["credit_code"]))
            problem = credit_code_problem(code)
            if problem:
                errors.append(row.error("credit_code", problem))
                continue
            if code in sheet_codes:
                errors.append(row.error("credit_code", f"统一社会信用代码“{code}”在表中重复"))
                continue
            sheet_codes.add(code)
            values: dict[str, Any] = {"name": _text(v["name"])}
            unit_type = types.get(_text(v.get("unit_type")))
            if unit_type is None:
                errors.append(
                    row.error(
                        "unit_type",
                        f"未知的单位类型“{_text(v.get('unit_type'))}”,可用:{'、'.join(types)}",
                    )
                )
                continue
            values["unit_type"] = unit_type
            region_code = _text(v.get("region"))
            region = known_regions.get(region_code)
            if region is None and region_code not in sheet_regions:
                errors.append(row.error("region", f"地区代码“{region_code}”不存在"))
                continue
            if region is not None and not scope.is_admin and not in_scope(region):
                errors.append(row.error("region", "超出本人管理的地区范围"))
                continue
            values["region"] = region if region is not None else region_code
            current = existing.get(code)
            if current is not None and not scope.is_admin and not in_scope(current.region):
                errors.append(row.error("credit_code", "该单位不在本人管理的地区范围内,不能修改"))
                continue
            sup = _text(v.get("supervisor"))
            if sup:
                sup = normalize(sup)
                if sup == code:
                    errors.append(row.error("supervisor", "主管部门不能是本单位"))
                    continue
                if sup not in existing and sup not in all_sheet_codes:
                    errors.append(row.error("supervisor", f"主管部门“{sup}”不存在"))
                    continue
                values["supervisor"] = existing.get(sup, sup)
            else:
                values["supervisor"] = None
            for key in ("address", "contact_name", "contact_phone"):
                values[key] = _text(v.get(key))
            bad = False
            for key in INT_FIELDS:
                raw = v.get(key)
                if raw is None:
                    values[key] = 0
                    continue
                number = _int(raw)
                if number is None:
                    errors.append(row.error(key, f"应为非负整数,不能是“{raw}”"))
                    bad = True
                else:
                    values[key] = number
            stage = _text(v.get("stage"))
            if stage and stage not in SchoolStage.values:
                errors.append(row.error("stage", f"学段应为{'、'.join(SchoolStage.values)}之一"))
                bad = True
            elif stage and not unit_type.is_school:
                errors.append(row.error("stage", "只有学校填写学段"))
                bad = True
            values["stage"] = stage
            if bad:
                continue
            depts = [
                d.strip()
                for d in _text(v.get("departments")).replace("\n", "、").split("、")
                if d.strip()
            ]
            changes = {
                k: (_show(old), _show(new))
                for k, (old, new) in unit_changes(current, values).items()
                if _show(old) != _show(new)
            }
            if current is not None:
                have = departments.get(current.pk, [])
                if [d for d in depts if d not in have]:
                    changes["departments"] = (
                        "、".join(have),
                        "、".join(dict.fromkeys(have + depts)),
                    )
            elif depts:
                changes["departments"] = ("", "、".join(depts))
            action = "新增" if current is None else ("更新" if changes else "无变化")
            plan.changes.append(
                PlannedChange(
                    UNITS,
                    row.number,
                    code,
                    values["name"],
                    action,
                    _labelled(changes),
                    {"values": values, "departments": depts},
                )
            )

    # -- apply -----------------------------------------------------------------------------

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        regions = {r.code: r for r in Region.objects.all()}
        for change in plan.changes:
            if change.sheet != REGIONS or change.action == "无变化":
                continue
            d = change.data
            parent = regions.get(d["parent"]) if d["parent"] else None
            regions[d["code"]], _ = region_upsert(
                code=d["code"], name=d["name"], level=d["level"], parent=parent, actor=actor
            )
        units: dict[str, Unit] = {}
        later: list[tuple[str, str]] = []
        for change in plan.changes:
            if change.sheet != UNITS:
                continue
            values = dict(change.data["values"])
            if isinstance(values["region"], str):
                values["region"] = regions[values["region"]]
            sup = values.pop("supervisor")
            if isinstance(sup, str):
                later.append((change.key, sup))
            else:
                values["supervisor"] = sup
            if change.action == "无变化" and not isinstance(sup, str):
                continue
            units[change.key], _ = unit_upsert(
                credit_code=change.key,
                values=values,
                departments=change.data["departments"],
                actor=actor,
            )
        for code, sup_code in later:
            supervisor = units.get(sup_code) or Unit.objects.get(credit_code=sup_code)
            unit_upsert(credit_code=code, values={"supervisor": supervisor}, actor=actor)

    # -- export ----------------------------------------------------------------------------

    def export(self, *, scope: Scope) -> bytes:
        wb = new_workbook(write_only=True)
        regions = wb.create_sheet(REGIONS)
        regions.append([c.header for c in self.sheets[REGIONS]])
        visible_regions = (
            Region.objects.filter(scope.regions_q()).select_related("parent").order_by("path")
        )
        for r in visible_regions.iterator(chunk_size=2000):
            regions.append(
                [r.code, r.name, RegionLevel(r.level).label, r.parent.code if r.parent else None]
            )
        units = wb.create_sheet(UNITS)
        units.append([c.header for c in self.sheets[UNITS]])
        qs = (
            Unit.objects.filter(scope.units_q())
            .select_related("unit_type", "region", "supervisor")
            .order_by("region__path", "name", "id")
        )
        names: dict[int, list[str]] = {}
        for unit_id, name in Department.objects.filter(unit__in=qs).values_list("unit_id", "name"):
            names.setdefault(unit_id, []).append(name)
        for u in qs.iterator(chunk_size=2000):
            units.append(
                [
                    u.credit_code,
                    u.name,
                    u.unit_type.name,
                    u.region.code,
                    u.supervisor.credit_code if u.supervisor else None,
                    u.address or None,
                    u.contact_name or None,
                    u.contact_phone or None,
                    u.headcount,
                    u.party_members,
                    "、".join(names.get(u.pk, [])) or None,
                    u.stage or None,
                    u.enrolment_primary or None,
                    u.enrolment_junior or None,
                    u.enrolment_senior or None,
                ]
            )
        return workbook_bytes(wb)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.name
    if isinstance(value, Region):
        return value.name
    return str(value)


def _labelled(changes: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {FIELD_LABELS.get(k, k): v for k, v in changes.items()}


__all__ = ["CellError", "UnitSheetImporter"]
