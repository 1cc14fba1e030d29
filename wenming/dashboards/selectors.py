"""The dashboard's figures, read from the tallies (never from the score rows).

Definitions (shown on the page too):
- 申报数: applications of the campaign, every state.
- 达标(合格)数: applications on the proposed list or named (拟命名, 已命名) — reached the top grade
  after the whole review chain; 基本达标 units under rectification are not counted until named.
- 平均失分: points lost on an indicator summed over the evaluated applications, divided by the
  number of evaluated applications (those with a grade).
- 目标完成率: 达标数 ÷ the campaign's annual target for the township or supervising body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum

from wenming.campaigns.models import Campaign, State, Target
from wenming.dashboards.models import Entry, LossSum, StateCount, TallyKind
from wenming.dashboards.scope import Focus
from wenming.frameworks.selectors import framework_of
from wenming.organizations.models import Unit

QUALIFIED = (State.LISTED.value, State.NAMED.value)
RANKING_ON_PAGE = 50
WEAKEST_ON_PAGE = 15
TREND_YEARS = 6


@dataclass
class Table:
    """One chart's data: what the page shows under the chart and what the .xlsx holds."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


_STATE_LABELS = {s.value: s.label for s in State}  # for each row of the ranking


def _counts_q(focus: Focus) -> Q:
    q = Q(kind=focus.kind, key__in=focus.keys)
    if focus.unit_type_id:
        q &= Q(unit_type_id=focus.unit_type_id)
    return q


def state_grade_counts(focus: Focus) -> dict[tuple[str, str], int]:
    rows = (
        StateCount.objects.filter(_counts_q(focus), campaign=focus.campaign)
        .values_list("state", "grade")
        .annotate(n=Sum("count"))
    )
    return {(state, grade): n for state, grade, n in rows if n}


def states_table(counts: dict[tuple[str, str], int]) -> Table:
    by_state: dict[str, int] = {}
    for (state, _), n in counts.items():
        by_state[state] = by_state.get(state, 0) + n
    total = sum(by_state.values())
    table = Table("states", "申报状态分布", ["状态", "申报数", "占比"])
    for state in State:
        n = by_state.get(state.value, 0)
        table.rows.append([state.label, n, _percent(n, total)])
    table.rows.append(["合计", total, _percent(total, total)])
    return table


def grades_table(counts: dict[tuple[str, str], int], campaign: Campaign) -> Table:
    by_grade: dict[str, int] = {}
    for (_, grade), n in counts.items():
        if grade:
            by_grade[grade] = by_grade.get(grade, 0) + n
    bands = sorted(framework_of(campaign.edition).bands, key=lambda b: b.min, reverse=True)
    order = [b.name for b in bands]
    order += sorted(g for g in by_grade if g not in order)
    evaluated = sum(by_grade.values())
    table = Table("grades", "测评等次分布", ["等次", "单位数", "占已测评"])
    for grade in order:
        table.rows.append(
            [grade, by_grade.get(grade, 0), _percent(by_grade.get(grade, 0), evaluated)]
        )
    table.rows.append(["已测评合计", evaluated, _percent(evaluated, evaluated)])
    return table


def ranking_table(
    focus: Focus, counts: dict[tuple[str, str], int], *, limit: int | None = RANKING_ON_PAGE
) -> Table:
    """Units by their evaluation total, highest first (equal totals share a rank)."""
    entries = (
        Entry.objects.filter(
            focus.entries_q(by_region_index=not _covers_most(focus, counts)),
            campaign=focus.campaign,
        )
        .exclude(result_centi=None)
        .order_by("-result_centi", "application_id")
        .values_list("unit_id", "result_centi", "grade", "state")
    )
    rows = list(entries[:limit] if limit else entries)
    names = {
        pk: (name, region)
        for pk, name, region in Unit.objects.filter(pk__in=[r[0] for r in rows]).values_list(
            "pk", "name", "region__name"
        )
    }
    title = "单位得分排名" + (f"(前{limit}名)" if limit else "")
    table = Table("ranking", title, ["名次", "单位", "所属地区", "得分", "等次", "状态"])
    rank, previous = 0, None
    for n, (unit_id, centi, grade, state) in enumerate(rows, start=1):
        if centi != previous:
            rank, previous = n, centi
        name, region = names.get(unit_id, ("", ""))
        table.rows.append(
            [
                rank,
                name,
                region,
                (centi or 0) / 100,
                grade,
                _STATE_LABELS.get(state, state),
            ]
        )
    return table


def _covers_most(focus: Focus, counts: dict[tuple[str, str], int]) -> bool:
    """Does the focus hold at least 1 in 20 of the campaign's evaluated applications? Then the
    first page of the ranking is best read walking the score index (about 20 × 50 rows) rather
    than sorting every application of the region."""
    if focus.kind != TallyKind.REGION:
        return False
    if focus.keys == (focus.campaign.region_id,) and not focus.unit_type_id:
        return True  # the focus is the campaign's whole region: counts are its tally
    evaluated = sum(n for (_, grade), n in counts.items() if grade)
    everyone = (
        StateCount.objects.filter(
            campaign=focus.campaign, kind=TallyKind.REGION, key=focus.campaign.region_id
        )
        .exclude(grade="")
        .aggregate(n=Sum("count"))["n"]
        or 0
    )
    return evaluated * 20 >= everyone


def weakest_table(
    focus: Focus, counts: dict[tuple[str, str], int], *, limit: int | None = WEAKEST_ON_PAGE
) -> Table:
    evaluated = sum(n for (_, grade), n in counts.items() if grade)
    sums = (
        LossSum.objects.filter(_counts_q(focus), campaign=focus.campaign)
        .values_list("code")
        .annotate(lost=Sum("lost_centi"))
    )
    framework = framework_of(focus.campaign.edition)
    nodes = {n.code: n for n in framework.leaves(bonus=False)}
    rows = sorted(((lost, code) for code, lost in sums if lost > 0), key=lambda r: (-r[0], r[1]))
    title = "失分较多的指标" + (f"(前{limit}项)" if limit else "")
    table = Table(
        "weakest",
        title,
        ["指标编码", "测评内容", "分值", "平均失分", "失分率"],
        note=f"已测评 {evaluated} 个单位;平均失分 = 该项失分合计 ÷ 已测评单位数",
    )
    for lost, code in rows[:limit] if limit else rows:
        node = nodes.get(code)
        points = float(node.points) if node else 0.0
        average = lost / 100 / evaluated if evaluated else 0.0
        table.rows.append(
            [
                code,
                node.name if node else "",
                points,
                round(average, 2),
                _percent(average, points) if points else "",
            ]
        )
    return table


def trend_table(focus: Focus) -> Table:
    """Per year: applications, qualified and titles granted, for campaigns of the same kind and
    level as the chosen one. Titles are those the campaign named (its applications now 已命名,
    each with its row in titles); lists of earlier years imported into titles have no campaign
    and no applications to compare with, so they are not part of this trend."""
    campaign = focus.campaign
    campaigns = dict(
        Campaign.objects.filter(
            edition__campaign_type=campaign.edition.campaign_type, level=campaign.level
        ).values_list("pk", "year")
    )
    years = sorted(set(campaigns.values()))[-TREND_YEARS:]
    applied: dict[int, int] = dict.fromkeys(years, 0)
    qualified: dict[int, int] = dict.fromkeys(years, 0)
    granted: dict[int, int] = dict.fromkeys(years, 0)
    rows = (
        StateCount.objects.filter(
            _counts_q(focus),
            campaign__in=[pk for pk, year in campaigns.items() if year in applied],
        )
        .values_list("campaign_id", "state")
        .annotate(n=Sum("count"))
    )
    for campaign_id, state, n in rows:
        year = campaigns[campaign_id]
        applied[year] += n
        if state in QUALIFIED:
            qualified[year] += n
        if state == State.NAMED:
            granted[year] += n
    table = Table(
        "trend",
        f"历年趋势({campaign.get_level_display()}{campaign.edition.campaign_type})",
        ["年度", "申报数", "达标数", "达标率", "命名称号数"],
    )
    for year in years:
        table.rows.append(
            [
                f"{year}年",
                applied[year],
                qualified[year],
                _percent(qualified[year], applied[year]),
                granted[year],
            ]
        )
    return table


def targets_table(focus: Focus) -> Table:
    """Each township's or supervising body's annual target against its qualified count."""
    targets = list(
        Target.objects.filter(campaign=focus.campaign).values_list(
            "region_id",
            "region__path",
            "region__name",
            "supervisor_id",
            "supervisor__region_path",
            "supervisor__name",
            "count",
        )
    )
    if focus.kind == TallyKind.REGION:
        inside = [
            t
            for t in targets
            if any((t[1] or t[4] or "").startswith(p) for p in focus.region_paths)
        ]
    else:
        inside = [t for t in targets if t[3] in focus.keys]
    # townships (by place in the tree) first, then supervising bodies by name
    inside.sort(key=lambda t: (0, t[1], "") if t[0] else (1, "", t[5]))
    counts: dict[tuple[str, int], int] = {}
    whose = Q()  # townships' and bodies' tallies in one query
    for kind, keys in (
        (TallyKind.REGION.value, [t[0] for t in inside if t[0]]),
        (TallyKind.BODY.value, [t[3] for t in inside if t[3]]),
    ):
        if keys:
            whose |= Q(kind=kind, key__in=keys)
    if whose:
        q = Q(campaign=focus.campaign, state__in=QUALIFIED) & whose
        if focus.unit_type_id:
            q &= Q(unit_type_id=focus.unit_type_id)
        sums = StateCount.objects.filter(q).values_list("kind", "key").annotate(n=Sum("count"))
        for kind, key, n in sums:
            counts[(kind, key)] = n
    table = Table(
        "targets",
        "年度目标完成情况",
        ["乡镇街道/主管部门", "类别", "年度目标", "达标数", "完成率"],
        note="达标数:拟命名与已命名的单位",
    )
    for region_id, _, region_name, body_id, _, body_name, target in inside:
        if region_id:
            done = counts.get((TallyKind.REGION.value, region_id), 0)
            table.rows.append([region_name, "乡镇街道/地区", target, done, _percent(done, target)])
        else:
            done = counts.get((TallyKind.BODY.value, body_id), 0)
            table.rows.append([body_name, "主管部门", target, done, _percent(done, target)])
    return table


def dashboard_tables(focus: Focus) -> list[Table]:
    counts = state_grade_counts(focus)
    return [
        states_table(counts),
        grades_table(counts, focus.campaign),
        ranking_table(focus, counts),
        weakest_table(focus, counts),
        trend_table(focus),
        targets_table(focus),
    ]


def dashboard_table(focus: Focus, key: str) -> Table | None:
    """One table in full (the export: every ranked unit, every indicator with a loss)."""
    counts = state_grade_counts(focus)
    makers = {
        "states": lambda: states_table(counts),
        "grades": lambda: grades_table(counts, focus.campaign),
        "ranking": lambda: ranking_table(focus, counts, limit=None),
        "weakest": lambda: weakest_table(focus, counts, limit=None),
        "trend": lambda: trend_table(focus),
        "targets": lambda: targets_table(focus),
    }
    make = makers.get(key)
    return make() if make else None


def _percent(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"
