"""The balanced-development sheet: one row per school and stage with its indicators.

The eight indicators of basic balance are required; the three that quality balance adds (key
teachers, PE and arts teachers, multimedia classrooms) may be left out of a sheet (the stored ones
stay) or left empty (quality balance then cannot be judged). Values keep the sheet's precision
(up to six decimals). Schools are matched to units by 统一社会信用代码, or by name when the code
is left empty; the school must be in the importing office's region. Re-importing updates the
year's rows.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.models import User

from wenming.accounts.models import Role
from wenming.accounts.scope import Scope, units_visible_to
from wenming.audit.services import audit_record
from wenming.balance.models import VALUE_PLACES, SchoolIndicators, Stage
from wenming.core.balance import INDICATORS, QUALITY_INDICATORS
from wenming.core.credit_code import normalize
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.base import Column, Importer, ImportPlan, PlannedChange, register
from wenming.imports.services import ImportRefused
from wenming.organizations.models import Unit

SHEET = "均衡发展指标"
CODES = [code for code, _ in INDICATORS]
# quality balance's own indicators (the other four of its seven are among the eight)
EXTRA = [(code, label) for code, label in QUALITY_INDICATORS if code not in CODES]
EXTRA_CODES = [code for code, _ in EXTRA]
LABELS = dict(INDICATORS) | dict(EXTRA)
PLACES = Decimal(1).scaleb(-VALUE_PLACES)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fits(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -VALUE_PLACES


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _text(value: Any) -> str:
    """A value for the preview and the audit trail, as the sheet had it (no padding zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}" if not isinstance(value, int) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


@register
class BalanceImporter(Importer):
    kind = "balance"
    label = "义务教育均衡发展学校指标"
    context_keys = ("year",)
    done_url = "balance:index"
    done_query = ("year",)
    intro = (
        "每所学校每个学段一行,按统一社会信用代码(未填时按学校名称)对应本地区已登记的学校;"
        "同一年度已导入的指标按新文件更新。数值按表中精度保存(最多6位小数)。"
        "“骨干教师”“体育、艺术专任教师”“网络多媒体教室”三列用于优质均衡评估,"
        "不含这三列时保留已导入的数值,留空时优质均衡无法判定。"
    )
    sheets = {
        SHEET: [
            Column("统一社会信用代码", "credit_code"),
            Column("学校名称", "name", required=True),
            Column("学段", "stage", required=True),
            Column("在校生数", "enrolment", required=True),
            *[Column(label, code, required=True) for code, label in INDICATORS],
            *[Column(label, code) for code, label in EXTRA],
        ]
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.has(Role.OFFICE)

    def check_context(self) -> None:

        field = forms.IntegerField(min_value=2000, max_value=2100)
        try:
            self.year = field.clean(self.context.get("year", ""))
        except forms.ValidationError:
            raise ImportRefused("请从均衡发展页面选择年度后导入") from None

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        visible = Unit.objects.filter(scope.units_q(assigned=False)).filter(
            unit_type__is_school=True
        )
        by_code = {u.credit_code: u for u in visible.only("id", "name", "credit_code")}
        by_name: dict[str, list[Unit]] = {}
        for unit in by_code.values():
            by_name.setdefault(unit.name, []).append(unit)
        current = {
            (r.unit_id, r.stage): r
            for r in SchoolIndicators.objects.filter(year=self.year, unit__in=visible)
        }
        seen: set[tuple[int, str]] = set()
        for row in self.rows(workbook, SHEET, plan.errors):
            raw_code = normalize(str(row.values.get("credit_code") or ""))
            name = str(row.values.get("name") or "").strip()
            if raw_code:
                found = by_code.get(raw_code)
                if found is None:
                    plan.errors.append(
                        row.error("credit_code", f"信用代码“{raw_code}”不是本地区已登记的学校")
                    )
                    continue
                unit = found
            else:
                matches = by_name.get(name, [])
                if len(matches) != 1:
                    why = (
                        "有多所同名学校,请填写统一社会信用代码"
                        if matches
                        else "不是本地区已登记的学校"
                    )
                    plan.errors.append(row.error("name", f"学校“{name}”{why}"))
                    continue
                unit = matches[0]
            stage = str(row.values.get("stage") or "").strip()
            if stage not in Stage.values:
                plan.errors.append(row.error("stage", f"学段“{stage}”应为“小学”或“初中”"))
                continue
            if (unit.pk, stage) in seen:
                plan.errors.append(row.error("name", f"“{unit.name}”的{stage}重复"))
                continue
            seen.add((unit.pk, stage))
            enrolment = _decimal(row.values.get("enrolment"))
            if enrolment is None or enrolment <= 0 or enrolment != int(enrolment):
                plan.errors.append(row.error("enrolment", "在校生数应为正整数"))
                continue
            data: dict[str, Any] = {"enrolment": int(enrolment)}
            bad = False
            for code in [*CODES, *EXTRA_CODES]:
                if code not in row.values:  # an optional column the sheet does not have
                    continue
                raw = row.values[code]
                value = _decimal(raw)
                if raw is None and code in EXTRA_CODES:
                    data[code] = None  # left empty: quality balance cannot be judged
                elif value is None or value < 0 or value >= Decimal("1e12"):
                    plan.errors.append(row.error(code, f"“{LABELS[code]}”应为不小于0的数字"))
                    bad = True
                else:
                    # the sheet's own precision; only a formula's long tail is cut to 6 decimals
                    data[code] = value if _fits(value) else value.quantize(PLACES)
            if bad:
                continue
            before = current.get((unit.pk, stage))
            changes = {}
            for field, new in data.items():
                old = getattr(before, field) if before else None
                if old is None and new is None:
                    continue
                if old is None or new is None or Decimal(old) != Decimal(new):
                    label = LABELS.get(field, "在校生数")
                    changes[label] = (_text(old), _text(new))
            action = "新增" if before is None else ("更新" if changes else "无变化")
            plan.changes.append(
                PlannedChange(
                    SHEET,
                    row.number,
                    f"{unit.pk}:{stage}",
                    f"{unit.name}({stage})",
                    action,
                    changes if before else {},
                    {"unit": unit, "stage": stage, **data},
                )
            )
        return plan

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        for change in plan.changes:
            if change.action == "无变化":
                continue
            data = dict(change.data)
            unit, stage = data.pop("unit"), data.pop("stage")
            SchoolIndicators.objects.update_or_create(
                unit=unit, year=self.year, stage=stage, defaults=data
            )
            for field, (old, new) in (change.changes or {"全部指标": ("", "新增")}).items():
                audit_record(
                    actor=actor,
                    action="balance.import",
                    obj=unit,
                    field=f"{self.year}年{stage}.{field}",
                    old=old,
                    new=new,
                )

    def export(self, *, scope: Scope) -> bytes:
        wb = new_workbook(write_only=True)
        sheet = wb.create_sheet(SHEET)
        sheet.append([c.header for c in self.sheets[SHEET]])
        rows = (
            SchoolIndicators.objects.filter(year=self.year)
            .filter(unit__in=units_visible_to(self.user) if self.user else Unit.objects.none())
            .select_related("unit")
            .order_by("stage", "unit__name")
        )
        for r in rows:
            sheet.append(
                [r.unit.credit_code, r.unit.name, r.stage, r.enrolment]
                + [float(getattr(r, c)) for c in CODES]
                + [_float(getattr(r, c)) for c in EXTRA_CODES]
            )
        return workbook_bytes(wb)
