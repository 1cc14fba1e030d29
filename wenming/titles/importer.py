"""历届名单: the lists of earlier title holders, imported from Excel so that "previous title
required" and re-checks work from the first day."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from wenming.accounts.scope import Scope
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.base import Column, Importer, ImportPlan, PlannedChange, register
from wenming.organizations.models import Region, Unit
from wenming.titles.access import titles_visible_to
from wenming.titles.models import LEVEL_LABELS, Title, TitleSource
from wenming.titles.services import title_grant

SHEET = "历届名单"
LEVEL_BY_LABEL = {label: key for key, label in LEVEL_LABELS.items()}


@register
class PastTitleImporter(Importer):
    kind = "titles"
    label = "历届称号名单"
    done_url = "titles:list"
    intro = "每个称号一行,按统一社会信用代码对应单位;同一单位同一创建类型、级别和年度的称号已登记的,不会重复导入。"
    sheets = {
        SHEET: [
            Column("单位名称", "name", required=True),
            Column("统一社会信用代码", "credit_code", required=True),
            Column("称号", "title", required=True),
            Column("创建类型", "kind", required=True),
            Column("级别", "level", required=True),
            Column("年度", "year", required=True),
            Column("有效期(年)", "term", required=True),
            Column("命名机关", "authority", required=True),
        ]
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return bool(scope.region_paths) or scope.is_admin

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        rows = list(self.rows(workbook, SHEET, plan.errors))
        codes = {str(r.values["credit_code"] or "").strip().upper() for r in rows}
        units = {u.credit_code: u for u in Unit.objects.filter(credit_code__in=codes)}
        in_scope = set(
            Unit.objects.filter(scope.units_q(assigned=False), credit_code__in=codes).values_list(
                "pk", flat=True
            )
        )
        regions: dict[str, list[Region]] = {}
        for region in Region.objects.only("id", "name", "code", "path"):
            regions.setdefault(region.name, []).append(region)
            regions.setdefault(region.code, []).append(region)
        seen: set[tuple[int, str, str, int]] = set()
        for row in rows:
            v = row.values
            code = str(v["credit_code"] or "").strip().upper()
            unit = units.get(code)
            if unit is None:
                plan.errors.append(
                    row.error("credit_code", f"统一社会信用代码“{code}”没有对应的单位")
                )
                continue
            if unit.pk not in in_scope:
                plan.errors.append(row.error("credit_code", f"{unit.name}不在您管辖的地区内"))
                continue
            if str(v["name"]).strip() != unit.name:
                plan.errors.append(
                    row.error("name", f"单位名称“{v['name']}”与信用代码对应的“{unit.name}”不一致")
                )
                continue
            level = LEVEL_BY_LABEL.get(str(v["level"]).strip())
            if level is None:
                plan.errors.append(row.error("level", f"级别应为{'、'.join(LEVEL_BY_LABEL)}之一"))
                continue
            try:
                year, term = int(v["year"]), int(v["term"])
            except (TypeError, ValueError):
                plan.errors.append(row.error("year", "年度和有效期应为整数,如2023和3"))
                continue
            if not 1990 <= year <= 2100 or not 1 <= term <= 10:
                plan.errors.append(row.error("year", "年度应在1990–2100之间,有效期1–10年"))
                continue
            found = regions.get(str(v["authority"]).strip(), [])
            if len(found) != 1:
                plan.errors.append(
                    row.error(
                        "authority",
                        f"命名机关“{v['authority']}”"
                        + ("不存在" if not found else "有重名,请填写行政区划代码"),
                    )
                )
                continue
            kind = str(v["kind"]).strip()
            key = (unit.pk, kind, level, year)
            if key in seen:
                plan.errors.append(row.error("title", "与前面的行重复"))
                continue
            seen.add(key)
            exists = Title.objects.filter(unit=unit, kind=kind, level=level, year=year).exists()
            plan.changes.append(
                PlannedChange(
                    SHEET,
                    row.number,
                    unit.credit_code,
                    f"{unit.name} {v['title']}",
                    "无变化" if exists else "新增",
                    {},
                    {
                        "unit": unit,
                        "name": str(v["title"]).strip(),
                        "kind": kind,
                        "level": level,
                        "year": year,
                        "term": term,
                        "authority": found[0],
                    },
                )
            )
        return plan

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        for change in plan.changes:
            if change.action != "新增":
                continue
            d = change.data
            title_grant(
                actor=actor,
                unit=d["unit"],
                name=d["name"],
                kind=d["kind"],
                level=d["level"],
                year=d["year"],
                term_years=d["term"],
                naming_authority=d["authority"],
                source=TitleSource.IMPORTED,
            )

    def export(self, *, scope: Scope) -> bytes:
        wb = new_workbook(write_only=True)
        sheet = wb.create_sheet(SHEET)
        sheet.append([c.header for c in self.sheets[SHEET]])
        assert self.user is not None
        for t in titles_visible_to(self.user).select_related("unit", "naming_authority")[:100_000]:
            sheet.append(
                [t.unit.name, t.unit.credit_code, t.name, t.kind, t.level_label, t.year,
                 t.term_years, t.naming_authority.name]
            )  # fmt: skip
        return workbook_bytes(wb)
