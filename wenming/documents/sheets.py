"""A campaign's spreadsheets: the final score sheet (评分表) of one application — every item with
the unit's self score, the evaluation's score and the deduction reasons — and the ranking (排名).

Scores come from the one scoring engine: the self score from the unit's submitted
self-assessment, the final score from the newest evaluation recorded on the application.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from wenming.assessments.scoring import scorecard_of
from wenming.campaigns.models import Application, Campaign
from wenming.campaigns.services import score_result
from wenming.core.engine import Scorecard
from wenming.core.points import fmt, fmt_decimal, to_centi, to_decimal
from wenming.core.styles import NA_TEXT
from wenming.core.xlsx_safe import SafeWorkbook, new_workbook, workbook_bytes
from wenming.documents.campaign_docs import ranking
from wenming.frameworks.selectors import framework_of

SHEET = "评分表"
EXPLAIN = "扣分说明"
HEADERS = ("指标编码", "测评内容", "分值", "自评得分", "自评说明", "测评得分", "扣分", "扣分理由")
RANK_HEADERS = (
    "名次",
    "单位名称",
    "所在地区",
    "单位类型",
    "主管部门",
    "自评得分",
    "测评得分",
    "等级",
    "当前状态",
)
HEAD_FILL = PatternFill("solid", fgColor="EEF1F5")
BOLD = Font(bold=True)


class SheetUnavailable(Exception):
    """The application has no evaluation to print (the message says so in Chinese)."""


def _points(centi: int | None) -> float | None:
    return None if centi is None else float(to_decimal(centi))


def _header(sheet: Worksheet, row: int, labels: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for column, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width


def _save(workbook: SafeWorkbook) -> bytes:
    for sheet in workbook.worksheets:  # print on A4 landscape, one page wide
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    return workbook_bytes(workbook)


def self_card(application: Application) -> Scorecard | None:
    assessment = application.assessment
    card, _ = scorecard_of(assessment, assessment.entries.all())
    return card


def final_card(application: Application) -> Scorecard:
    evaluation = application.evaluations.first()
    if evaluation is None:
        raise SheetUnavailable("尚未录入测评结果")
    card, problems = score_result(application, evaluation.data)
    if card is None:
        raise SheetUnavailable("测评结果无法计分:" + ";".join(problems))
    return card


def score_sheet_rows(application: Application) -> tuple[list[tuple[Any, ...]], Scorecard]:
    """(rows of HEADERS, final card): one row per scored item, bonus items last."""
    final = final_card(application)
    mine = self_card(application)
    engine = final.engine
    rows: list[tuple[Any, ...]] = []
    for index, code, _ in engine.leaves:
        if index in final.excluded:
            continue  # limited to other unit types or stages: not scored, not on the sheet
        node = engine.nodes[index]
        bonus = code in engine.bonus_codes
        got = final.result.items.get(code)
        own = mine.result.items.get(code) if mine else None
        score = final.scores[index]
        lost = 0 if bonus else final.node_max[index] - score  # 不适用: its maximum is 0
        reason = got.reason if got else "未评分"
        if index in final.not_applicable:
            reason = NA_TEXT
        if lost > 0 and got is not None and not reason:
            reason = engine.styles[code].describe(got.value, final.result.profile, score, "")
        rows.append(
            (
                code,
                node.name,
                _points(engine.max_points[index]),
                _points(mine.scores[index]) if mine and own is not None else None,
                own.reason if own else "",
                _points(score),
                _points(lost) if lost > 0 else None,
                reason,
            )
        )
    own_parts = (
        {c.code: c.score for c in mine.components if c.code in mine.result.components}
        if mine
        else {}
    )
    for component, spec in zip(final.components, engine.framework.components, strict=True):
        # separately scored parts, after the items
        rule = f"分项:达标线{fmt(component.threshold)}分,按{fmt_decimal(spec.weight)}%计入总分"
        rows.append(
            (
                component.code,
                component.name,
                _points(to_centi(spec.points)),
                _points(own_parts.get(component.code)),
                "",
                _points(component.score),
                None,
                rule if component.passed else f"{rule};未达到达标线,不具备资格",
            )
        )
    return rows, final


def score_sheet_xlsx(application: Application) -> bytes:
    rows, final = score_sheet_rows(application)
    mine = self_card(application)
    campaign, unit = application.campaign, application.unit
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([f"{campaign.name} 评分表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append([f"单位:{unit.name}", None, None, f"测评体系:{campaign.edition.name}"])
    _header(sheet, 3, HEADERS, (10, 36, 7, 9, 30, 9, 7, 44))
    for row in rows:
        sheet.append(list(row))
    for line in sheet.iter_rows(min_row=4):
        for cell in (line[1], line[4], line[7]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    total_row = sheet.max_row + 1
    sheet.append(
        [
            "合计",
            None,
            None,
            _points(mine.total) if mine else None,
            None,
            _points(final.total),
            None,
            f"等级:{final.grade}",
        ]
    )
    for total_cell in sheet[total_row]:
        total_cell.font = BOLD
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    explain = workbook.create_sheet(EXPLAIN)
    _header(explain, 1, ("序号", "说明"), (6, 100))
    for n, text in enumerate(final.explain() or ["没有扣分项目"], start=1):
        explain.append([n, text])
    return _save(workbook)


def ranking_xlsx(campaign: Campaign) -> bytes:
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "排名"
    sheet.append([f"{campaign.name} 测评结果排名"])
    sheet["A1"].font = Font(bold=True, size=14)
    components = framework_of(campaign.edition).components
    headers = RANK_HEADERS + tuple(f"{c.name}(分项)" for c in components)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    _header(sheet, 2, headers, (6, 30, 12, 12, 20, 9, 9, 10, 16) + (14,) * len(components))
    for r in ranking(campaign):
        sheet.append(
            [
                r.rank,
                r.unit,
                r.region,
                r.unit_type,
                r.supervisor,
                _points(r.self_centi),
                _points(r.result_centi),
                r.verdict,
                r.state,
                *(_points(r.components.get(c.code)) for c in components),
            ]
        )
    sheet.freeze_panes = "C3"
    sheet.print_title_rows = "2:2"
    return _save(workbook)
