"""A satisfaction rate becomes an indicator item's measured value in the unit's evaluation.

The rate of the mapped questions among the target's valid answers (exclusions set aside) is
entered as the item's value and scored by the same engine as every other entry; the engine's
explanation lines for the item are kept with the figure and shown on the application page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application
from wenming.campaigns.services import evaluation_item_set, score_result
from wenming.campaigns.sources import SourceLine
from wenming.core.errors import ActionRefused
from wenming.core.points import fmt
from wenming.surveys.models import Figure, Mapping, Target
from wenming.surveys.results import mapping_rates
from wenming.surveys.services import SurveyRefused


def _base_data(application: Application) -> dict[str, Any]:
    latest = application.evaluations.first()
    if latest is not None:
        return dict(latest.data)
    edition = application.campaign.edition
    return {
        "framework": edition.code,
        "edition": edition.edition,
        "unit": application.unit.name,
        "items": {},
    }


def item_lines(application: Application, code: str, item: dict[str, Any]) -> tuple[int, list[str]]:
    """The item's score and the engine's explanation lines for it."""
    data = _base_data(application)
    data["items"] = {**(data.get("items") or {}), code: item}
    card, problems = score_result(application, data)
    if card is None:
        raise SurveyRefused("满意率不能计入该指标:" + ";".join(problems))
    rows = {row[0]: row for row in card.rows()}
    _, name, _, most, score = rows[code]
    lines = [line for line in card.explain() if line.startswith(f"{code} ")]
    if not lines:
        lines = [f"{code} {name}:实测{item['value']},得{fmt(score)}分(本项{fmt(most)}分)"]
    return score, lines


@transaction.atomic
def figure_record(
    *, actor: User, mapping: Mapping, target: Target, application: Application
) -> Figure:
    """Record the target's satisfaction rate into the application's evaluation (audited)."""
    version = mapping.version
    questionnaire = version.questionnaire
    if not runs_campaign(actor, questionnaire.campaign):
        raise SurveyRefused("只有活动所在地区的文明办可以计入测评")
    if (
        application.campaign_id != questionnaire.campaign_id
        or application.unit_id != target.unit_id
    ):
        raise SurveyRefused("该申报不属于本问卷的活动或调查单位")
    [rates] = [
        r
        for r in mapping_rates(version, [target], with_excluded=False)
        if r.mapping.pk == mapping.pk
    ]
    rate = rates.by_target[target.pk]
    percent = rate.percent
    if percent is None:
        raise SurveyRefused(f"“{target.name}”还没有有效答卷")
    excluded = target.responses.filter(version=version, excluded=True).count()
    value = f"{percent.normalize():f}%"
    note = (
        f"问卷《{questionnaire.title}》第{version.number}版:满意率{value},"
        f"有效答卷{rate.responses}份(已剔除{excluded}份)"
    )
    item = {"value": value, "note": note}
    score, lines = item_lines(application, mapping.code, item)
    try:
        evaluation_item_set(
            actor=actor, application=application, code=mapping.code, item=item, source="survey"
        )
    except ActionRefused as exc:
        raise SurveyRefused(str(exc)) from None
    figure = Figure.objects.create(
        mapping=mapping,
        target=target,
        application=application,
        code=mapping.code,
        rate=Decimal(percent),
        valid=rate.responses,
        excluded=excluded,
        score_centi=score,
        lines=lines,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="survey.figure",
        obj=questionnaire,
        field=f"{target.name} {mapping.code}",
        new=value,
        comment=note,
    )
    return figure


def figures_of_application(application: Application) -> list[SourceLine]:
    """The figures recorded for an application, newest per item (the page's source lines)."""
    seen: set[str] = set()
    out = []
    for f in Figure.objects.filter(application=application).select_related(
        "mapping__version__questionnaire"
    ):
        if f.code in seen:
            continue
        seen.add(f.code)
        version = f.mapping.version
        out.append(
            SourceLine(
                code=f.code,
                source=f"问卷《{version.questionnaire.title}》第{version.number}版",
                value=f"{f.rate.normalize():f}%",
                detail=f"有效答卷{f.valid}份,剔除{f.excluded}份",
                recorded_at=f"{f.recorded_at:%Y-%m-%d %H:%M}",
                lines=list(f.lines),
            )
        )
    return out
