"""A campaign's office papers from its real data: the evaluation bulletin (测评结果通报), the
publicity list (公示名单) and the ranking (排名), as structured documents or rows.

Reads only: applications with their cached results (``result_centi``, ``result_grade``), the
unit's own self-assessment total, the publicity window. Writers and templates do the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from wenming.campaigns.models import Application, Campaign, Evaluation, State
from wenming.core.points import PointsError, fmt, to_centi
from wenming.documents.bulletin import BulletinData, bulletin_document
from wenming.documents.model import Block, Document, Heading, Paragraph, Table
from wenming.frameworks.selectors import framework_of

LISTED_STATES = (State.LISTED, State.RECTIFYING, State.NAMED)  # as on the public page


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def office_of(campaign: Campaign) -> str:
    """The issuing office's name: the campaign's organiser (by default the spiritual-civilisation
    office of its region)."""
    return campaign.organiser_name


@dataclass(frozen=True)
class RankRow:
    rank: int
    application_id: int
    unit: str
    region: str
    unit_type: str
    supervisor: str
    self_centi: int | None
    result_centi: int
    grade: str
    vetoed: bool
    state: str
    # separately scored components (code → hundredths) from the result recorded, and the names
    # of those below their threshold (such a unit fails for that, not for a veto event)
    components: dict[str, int] = field(default_factory=dict)
    short_of: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """The grade as the bulletin and the ranking print it."""
        if self.short_of:
            return f"{'、'.join(self.short_of)}未达标"
        return "一票否决" if self.vetoed else self.grade


def _applications(campaign: Campaign) -> QuerySet[Application]:
    return campaign.applications.select_related(
        "unit", "unit__region", "unit__unit_type", "supervisor", "assessment"
    )


def component_scores(campaign: Campaign, application_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each application's component scores (hundredths) from its newest evaluation: one query,
    none when the campaign's framework has no component."""
    components = framework_of(campaign.edition).components
    if not components or not application_ids:
        return {}
    known = {c.code for c in components}
    out: dict[int, dict[str, int]] = {}
    for application_id, data in (
        Evaluation.objects.filter(application_id__in=application_ids)
        .order_by("application_id", "-recorded_at", "-id")
        .values_list("application_id", "data")
    ):
        if application_id in out:
            continue  # an older result of the same application
        given: Any = (data or {}).get("components") or {}
        scores = {}
        for code, value in given.items() if isinstance(given, dict) else ():
            try:
                scores[str(code)] = to_centi(value)
            except PointsError:
                continue
        out[application_id] = {c: v for c, v in scores.items() if c in known}
    return out


def ranking(campaign: Campaign) -> list[RankRow]:
    """Evaluated applications, best first; equal totals share a rank (1, 2, 2, 4); a vetoed
    result ranks after every result that was not vetoed."""
    rows = sorted(
        _applications(campaign).filter(result_centi__isnull=False),
        key=lambda a: (a.result_vetoed, -(a.result_centi or 0), a.unit.name, a.pk),
    )
    parts = component_scores(campaign, [a.pk for a in rows])
    components = framework_of(campaign.edition).components
    out: list[RankRow] = []
    previous: tuple[bool, int] | None = None
    rank = 0
    for position, a in enumerate(rows, start=1):
        key = (a.result_vetoed, a.result_centi or 0)
        if key != previous:
            rank, previous = position, key
        out.append(
            RankRow(
                rank=rank,
                application_id=a.pk,
                unit=a.unit.name,
                region=a.unit.region.name,
                unit_type=a.unit.unit_type.name,
                supervisor=a.supervisor.name if a.supervisor else "",
                self_centi=a.assessment.total_centi if a.assessment.submitted_at else None,
                result_centi=a.result_centi or 0,
                grade=a.result_grade,
                vetoed=a.result_vetoed,
                state=a.where,
                components=parts.get(a.pk, {}),
                short_of=tuple(
                    c.name
                    for c in components
                    if a.pk in parts and parts[a.pk].get(c.code, 0) < to_centi(c.threshold)
                ),
            )
        )
    return out


def bulletin_data(
    campaign: Campaign, *, number: str = "", day: date, recipients: str = ""
) -> BulletinData:
    """The campaign's results as the bulletin's figures."""
    rows = ranking(campaign)
    applied = campaign.applications.exclude(state__in=[State.PREPARING]).count()
    grades = Counter(r.grade for r in rows)
    office = office_of(campaign)
    summary = (
        f"根据《{campaign.edition.name}》,{office}组织开展了{campaign.name}。"
        f"共有{applied}个单位提交申报,{len(rows)}个单位完成测评"
    )
    if rows:
        summary += ",其中" + "、".join(f"{g}{n}个" for g, n in grades.most_common())
        summary += "。现将测评结果通报如下。"
    else:
        summary += "。测评结果将在测评完成后另行通报。"
    requirements = []
    if campaign.publicity_start and campaign.publicity_end:
        requirements.append(
            f"拟命名名单已于{day_text(campaign.publicity_start)}至"
            f"{day_text(campaign.publicity_end)}进行公示。"
        )
    lost = [r.unit for r in rows if r.vetoed and not r.short_of]
    if lost:
        requirements.append(f"{'、'.join(lost)}存在一票否决事项,本次测评不予通过。")
    components = framework_of(campaign.edition).components
    for c in components:
        short = [r.unit for r in rows if c.name in r.short_of]
        if short:
            requirements.append(
                f"{'、'.join(short)}的{c.name}得分未达到{fmt(to_centi(c.threshold))}分,"
                "本次测评不予通过。"
            )
    requirements.append(
        "各单位要对照测评中发现的问题认真整改,"
        f"被评为基本达标的单位须在{campaign.rectify_months}个月内完成整改并申请复验。"
    )
    return BulletinData(
        office=office,
        number=number.strip(),
        campaign=campaign.name,
        recipients=recipients.strip() or f"{campaign.region.name}各有关单位",
        date=day_text(day),
        summary=summary,
        results=[
            (
                str(r.rank),
                r.unit,
                fmt(r.result_centi),
                *(fmt(r.components[c.code]) if c.code in r.components else "—" for c in components),
                r.verdict,
            )
            for r in rows
        ],
        component_headers=[f"{c.name}(门槛{fmt(to_centi(c.threshold))}分)" for c in components],
        requirements=requirements,
    )


def campaign_bulletin(campaign: Campaign, *, number: str = "", day: date) -> Document:
    return bulletin_document(bulletin_data(campaign, number=number, day=day))


def listed(campaign: Campaign) -> list[Application]:
    return list(
        _applications(campaign)
        .filter(state__in=LISTED_STATES)
        .order_by("unit__region__path", "unit__name", "pk")
    )


class NotPublished(Exception):
    """The publicity list exists only once the office has published it."""


def publicity_document(campaign: Campaign) -> Document:
    """公示名单: the proposed list with the window and how to object (contacts stay private)."""
    if campaign.publicity_start is None or campaign.publicity_end is None:
        raise NotPublished("本活动尚未发布公示,发布公示后可生成公示名单")
    rows = listed(campaign)
    office = office_of(campaign)
    unit_days = "个工作日" if campaign.publicity_working_days else "天"
    blocks: list[Block] = [
        Paragraph(
            f"根据{campaign.name}工作安排,经{campaign.chain_text},"
            f"拟命名{len(rows)}个单位为“{campaign.title_name}”。为广泛听取社会各界意见,"
            "现将拟命名名单予以公示。"
        ),
        Paragraph(
            f"公示期为{day_text(campaign.publicity_start)}至{day_text(campaign.publicity_end)}"
            f"({campaign.publicity_days}{unit_days})。公示期间,如对名单中的单位有异议,"
            f"可通过本平台公示页面或以书面形式向{office}反映。反映情况要实事求是,"
            "并提供姓名和联系电话,我们将对反映人信息严格保密。"
        ),
    ]
    if rows:
        blocks.append(Heading("拟命名名单", 1))
        blocks.append(
            Table(
                ("序号", "单位名称", "所在地区", "单位类型", "测评等级"),
                tuple(
                    (
                        str(n),
                        a.unit.name,
                        a.unit.region.name,
                        a.unit.unit_type.name,
                        a.result_grade,
                    )
                    for n, a in enumerate(rows, start=1)
                ),
                (1, 5, 2, 2, 2),
            )
        )
    else:
        blocks.append(Paragraph("本次无拟命名单位。"))
    return Document(
        title=f"关于{campaign.title_name}拟命名名单的公示",
        blocks=blocks,
        style="official",
        issuer=office,
        date=day_text(campaign.publicity_start),
    )
