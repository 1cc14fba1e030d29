"""The paper score sheet (评分表): exported blank per unit, imported back as an evaluation result.

The imported values go through the same results format and engine as every other score, so a
paper result and an on-site result of the same values are the same result.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl.styles import Alignment, Font, PatternFill

from wenming.accounts.scope import Scope
from wenming.assessments.inputs import InputSpec, input_spec, na_note
from wenming.assessments.scoring import unit_profile
from wenming.campaigns.access import applications_visible_to, can_act_on_step
from wenming.campaigns.models import Application, State
from wenming.campaigns.services import Refused, evaluation_record
from wenming.core.framework import Framework
from wenming.core.points import fmt_decimal
from wenming.core.styles import NA_TEXT, InputError
from wenming.core.xlsx_guard import sheet_rows
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.frameworks.selectors import engine_of, framework_of
from wenming.imports.base import CellError, Column, Importer, ImportPlan, PlannedChange, register
from wenming.imports.services import ImportRefused
from wenming.web.params import id_or_none

SHEET = "评分表"
EVENTS = "否决与负面清单"
COMPONENTS = "分项得分"


def score_sheet_blank(application: Application) -> bytes:
    """Every leaf with its points, method and requirement; 得分 and 扣分理由 left for the team."""
    framework = framework_of(application.campaign.edition)
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([f"{application.campaign.name} 评分表 — {application.unit.name}"])
    sheet.append([h.header for h in ScoreSheetImporter.sheets[SHEET]])
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    engine = engine_of(application.campaign.edition)
    profile = unit_profile(application.unit, engine)
    for node in framework.leaves(bonus=True):
        if not engine.applies(node.code, profile):
            continue  # limited to other unit types or stages: not scored, so not on the sheet
        spec = input_spec(engine.styles[node.code], framework)
        sheet.append(
            [
                node.code,
                node.name,
                float(node.points),
                "、".join(node.methods),
                node.requirement,
                None,
                None,
                spec.rule,
                how_to_fill(spec, framework),
            ]
        )
    widths = (10, 36, 8, 14, 50, 14, 40, 50, 40)
    for column, width in zip("ABCDEFGHI", widths, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in (row[4], row[7], row[8]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    events = workbook.create_sheet(EVENTS)
    events.append([h.header for h in ScoreSheetImporter.sheets[EVENTS]])
    for cell in events[1]:
        cell.font = bold
    for veto in framework.vetoes:
        state = "状态类:填开始日期;已消除的填消除日期" if veto.kind == "state" else None
        events.append([veto.code, veto.name, "否", None, state, None])
    for entry in framework.negative_list:
        events.append([entry.code, entry.name, "否", None, None, None])
    events.column_dimensions["B"].width = 50
    if framework.components:
        parts = workbook.create_sheet(COMPONENTS)
        parts.append([h.header for h in ScoreSheetImporter.sheets[COMPONENTS]])
        for cell in parts[1]:
            cell.font = bold
        for component in framework.components:
            parts.append(
                [
                    component.code,
                    component.name,
                    float(component.points),
                    float(component.threshold),
                    float(component.weight),
                    None,
                ]
            )
        parts.column_dimensions["B"].width = 40
    return workbook_bytes(workbook)


def how_to_fill(spec: InputSpec, framework: Framework) -> str:
    """What the 得分/评价 cell takes for this item, in the words of the sheet."""
    if spec.key == "tiered":
        bands = ";".join(f"{b.reach}得{b.points}分" for b in spec.bands)
        text = f"填{spec.prompt}的实测值({bands})"
    elif spec.counts:
        what = "问题处数" if spec.key == "findings" else "表彰项数"
        example = "、".join(f"{k.name}{i % 2}" for i, k in enumerate(spec.kinds))
        amounts = ";".join(f"{k.name}{k.amount}" for k in spec.kinds)
        text = f"填各类{what},如“{example}”,没有填0({amounts})"
    elif spec.key == "yesno":
        text = "填“是”或“否”"
    elif spec.key == "letter":
        text = "填等级"
    elif spec.key == "deduction":
        text = "填发现问题的处数"
    elif spec.key == "measured":
        text = "填实测值"
    else:
        text = "填得分"
    if spec.allow_na:
        text += f";不适用的填“{NA_TEXT}”({na_note(framework)})"
    return text


@register
class ScoreSheetImporter(Importer):
    kind = "score_sheet"
    label = "评分表"
    context_keys = ("application",)
    intro = (
        "上传从申报页面下载的本单位空白评分表(填写后)。按指标编码对应测评内容;"
        "“得分/评价”一列按每项的评分方式填写:等级制填等级,是否制填“是”或“否”,"
        "扣分制填发现问题的处数,其余填得分或测得的数值。测评体系有分项测评的"
        "(如未成年人思想道德建设测评),在“分项得分”工作表填写分项得分。导入即记录本环节的测评结果。"
    )

    def done_target(self) -> str:
        return reverse("campaigns:application", args=[self.context["application"]])

    sheets = {
        SHEET: [
            Column("指标编码", "code", required=True),
            Column("测评内容", "name"),
            Column("分值", "points"),
            Column("测评方法", "methods"),
            Column("测评要求", "requirement"),
            Column("得分/评价", "value"),
            Column("扣分理由", "reason"),
            # added later, at the end, so sheets exported before them still import
            Column("评分标准", "rule"),
            Column("填写说明", "how"),
        ],
        EVENTS: [
            Column("编码", "code", required=True),
            Column("名称", "name"),
            Column("是否发生", "happened"),
            Column("日期", "day"),
            Column("说明", "note"),
            Column("消除日期", "until"),
        ],
        # a separately scored component (e.g. 未成年人思想道德建设测评): its own score, which must
        # reach its threshold and counts with its weight
        COMPONENTS: [
            Column("编码", "code", required=True),
            Column("分项名称", "name"),
            Column("满分", "points"),
            Column("达标线", "threshold"),
            Column("权重(%)", "weight"),
            Column("得分", "value"),
        ],
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return bool(scope.region_paths) or scope.is_admin

    def check_context(self) -> None:

        raw = self.context.get("application", "")
        application = (
            applications_visible_to(self.user)
            .select_related("campaign", "unit", "campaign__edition")
            .filter(pk=id_or_none(raw) or 0)
            .first()
            if self.user
            else None
        )
        if application is None:
            raise ImportRefused("请从申报页面进入评分表导入")
        step = application.campaign.step(application.step)
        if application.state != State.IN_REVIEW or not step or not step.get("result"):
            raise ImportRefused("该申报当前不在录入测评结果的环节")
        if self.user is not None and not can_act_on_step(self.user, application, step):
            raise ImportRefused("您不是该环节的审核人")
        self.application = application

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        engine = engine_of(self.application.campaign.edition)
        framework = engine.framework
        unit = self.application.unit
        profile = unit_profile(unit, engine)
        leaves = {n.code: n for n in framework.leaves(bonus=True)}
        required = {
            n.code for n in framework.leaves(bonus=False) if engine.applies(n.code, profile)
        }
        items: dict[str, dict[str, Any]] = {}
        for row in self._rows_after_title(workbook, plan):
            code = str(row.values["code"] or "").strip()
            if code not in leaves:
                plan.errors.append(row.error("code", f"指标编码“{code}”不在测评体系中"))
                continue
            if code in items:
                plan.errors.append(row.error("code", f"指标“{code}”重复"))
                continue
            raw = row.values.get("value")
            if raw in (None, ""):
                if code in required:
                    plan.errors.append(row.error("value", f"指标“{code}”未评分"))
                continue
            if not engine.applies(code, profile):
                plan.errors.append(
                    row.error("value", f"{code} 不适用于本单位的类型或学段,不应评分")
                )
                continue
            try:
                engine.parse_item(code, raw)
            except InputError as exc:
                plan.errors.append(row.error("value", f"{code}:{exc}"))
                continue
            item: dict[str, Any] = {"value": raw if isinstance(raw, str) else _number(raw)}
            reason = str(row.values.get("reason") or "").strip()
            if reason:
                item["reason"] = reason
            items[code] = item
            plan.changes.append(
                PlannedChange(SHEET, row.number, code, leaves[code].name, "新增", {}, {})
            )
        known_events = {v.code for v in framework.vetoes} | {
            n.code for n in framework.negative_list
        }
        events = []
        for row in (
            self.rows(workbook, EVENTS, plan.errors) if EVENTS in workbook.sheetnames else []
        ):
            code = str(row.values["code"] or "").strip()
            happened = str(row.values.get("happened") or "否").strip()
            if code not in known_events:
                plan.errors.append(row.error("code", f"编码“{code}”不是否决项或负面清单"))
                continue
            if happened not in ("是", "否"):
                plan.errors.append(row.error("happened", "应填写“是”或“否”"))
                continue
            if happened == "否":
                continue
            day = row.values.get("day")
            event: dict[str, Any] = {"code": code}
            if isinstance(day, datetime):
                event["date"] = day.date()
            elif isinstance(day, date):
                event["date"] = day
            elif day not in (None, ""):
                plan.errors.append(row.error("day", f"日期“{day}”应为日期,如2026-06-30"))
                continue
            until = _date_of(row.values.get("until"))
            if until is not None:
                veto = engine.vetoes.get(code)
                if veto is None or veto.kind != "state":
                    plan.errors.append(
                        row.error("until", f"{code} 不是状态类否决项,不能填写消除日期")
                    )
                    continue
                if not isinstance(until, date):
                    plan.errors.append(row.error("until", f"日期“{until}”应为日期,如2026-06-30"))
                    continue
                if "date" in event and until <= event["date"]:
                    plan.errors.append(row.error("until", f"{code} 的消除日期应晚于开始日期"))
                    continue
                event["until"] = until
            if row.values.get("note"):
                event["note"] = str(row.values["note"])
            events.append(event)
        components = self._components(workbook, framework, plan)
        if not plan.errors:
            missing = sorted(required - set(items))
            if missing:
                plan.errors.append(
                    _sheet_error(f"缺少{len(missing)}项指标的评分:{'、'.join(missing[:10])}")
                )
        self.data = {
            "framework": framework.id,
            "edition": framework.edition,
            "unit": unit.name,
            "as_of": self.application.campaign.evaluate_until or date.today(),
            "items": items,
            "events": events,
            "components": components,
        }
        if unit.stage:
            self.data["stage"] = unit.stage
        if profile.unit_type:
            self.data["unit_type"] = profile.unit_type
        if unit.enrolment:
            self.data["enrolment"] = dict(unit.enrolment)
        return plan

    def _components(self, workbook: Any, framework: Framework, plan: ImportPlan) -> dict[str, Any]:
        """Each component's score from its sheet: every component of the framework must have
        one, between 0 and its points (the engine checks the range again)."""
        known = {c.code: c for c in framework.components}
        if not known:
            return {}
        found: dict[str, Any] = {}
        rows = (
            self.rows(workbook, COMPONENTS, plan.errors)
            if COMPONENTS in workbook.sheetnames
            else []
        )
        for row in rows:
            code = str(row.values["code"] or "").strip()
            if code not in known:
                plan.errors.append(row.error("code", f"编码“{code}”不是本测评体系的分项"))
                continue
            value = row.values.get("value")
            if value in (None, ""):
                plan.errors.append(row.error("value", f"请填写分项“{known[code].name}”的得分"))
                continue
            try:
                score = Decimal(str(value).strip())
            except InvalidOperation:
                plan.errors.append(row.error("value", f"得分“{value}”应为数字"))
                continue
            if not 0 <= score <= known[code].points:
                plan.errors.append(
                    row.error("value", f"得分应在0到{fmt_decimal(known[code].points)}之间")
                )
                continue
            found[code] = str(score)
        missing = [c.name for code, c in known.items() if code not in found]
        if missing and not any(e.sheet == COMPONENTS for e in plan.errors):
            plan.errors.append(
                CellError(
                    COMPONENTS, 1, 0, "", f"缺少分项得分:{'、'.join(missing)}(请用最新的空白评分表)"
                )
            )
        return found

    def _rows_after_title(self, workbook: Any, plan: ImportPlan) -> Any:
        """The sheet has a title line above the header; skip it when it is there."""
        if SHEET in workbook.sheetnames:
            first = next(sheet_rows(workbook[SHEET]), ())
            if first and first[0] and str(first[0]).strip() != "指标编码":
                return self.rows(workbook, SHEET, plan.errors, header_row=2)
        return self.rows(workbook, SHEET, plan.errors)

    def apply(self, plan: ImportPlan, *, actor: User) -> None:

        try:
            evaluation_record(
                actor=actor, application=self.application, data=self.data, source="paper"
            )
        except Refused as exc:
            raise ImportRefused(str(exc)) from None

    def export(self, *, scope: Scope) -> bytes:
        return score_sheet_blank(self.application)


def _date_of(value: Any) -> Any:
    """A cell's date (Excel date, datetime or ISO text); None when empty; else the raw value."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return value


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sheet_error(message: str) -> Any:

    return CellError(SHEET, 1, 0, "", message)
