"""Demo campaigns for the dashboards: three years of the city's 文明单位 campaign, with
applications in every state, evaluations, titles and targets, so that ``city_office`` and
``district_office`` see full charts. Idempotent (skipped when the campaigns exist)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.contrib.auth.models import User

from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import (
    DEFAULT_CHAIN,
    Application,
    Campaign,
    Evaluation,
    Level,
    Phase,
    State,
    Target,
)
from wenming.core.engine import Engine, Scorecard
from wenming.core.results import results_from_data
from wenming.core.samples import sample_value, sampled
from wenming.core.styles.measured import Measured
from wenming.dashboards.services import dashboards_rebuild
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
from wenming.titles.services import title_grant

YEARS = (2024, 2025, 2026)
SKIP = ("江东区九年一贯制学校", "江东区民政局")  # they have their own demo flows


def demo_campaigns() -> bool:
    """Load the campaigns unless they are there; True when loaded."""
    city = Region.objects.filter(code="420100").first()
    office = User.objects.filter(username="city_office").first()
    edition = FrameworkEdition.objects.filter(code="civilized-unit").order_by("-id").first()
    if city is None or office is None or edition is None:
        return False
    if Campaign.objects.filter(name=_name(YEARS[-1])).exists():
        return False
    rng = random.Random(2026)
    engine = engine_of(edition)
    units = list(
        Unit.objects.filter(supervises=False, region_path__startswith=city.path)
        .exclude(name__in=SKIP)
        .exclude(name__endswith="文明办")
        .order_by("pk")
    )
    for year in YEARS:
        campaign = Campaign.objects.create(
            name=_name(year),
            year=year,
            level=Level.CITY,
            region=city,
            edition=edition,
            apply_from=date(year, 3, 1),
            apply_until=date(year, 5, 31),
            evaluate_until=date(year, 9, 30),
            chain=[dict(s) for s in DEFAULT_CHAIN],
            phase=Phase.OPEN if year == YEARS[-1] else Phase.CLOSED,
            target_percent=30,
            created_by=office,
        )
        campaign.unit_types.set(UnitType.objects.all())
        share = {2024: 0.45, 2025: 0.6, 2026: 0.8}[year]
        for unit in units:
            if rng.random() < share:
                _apply(campaign, unit, engine, edition, office, rng, final=year != YEARS[-1])
        if year == YEARS[-1]:
            _targets(campaign, rng)
    dashboards_rebuild()
    return True


def _name(year: int) -> str:
    return f"{year}年度江城市市级文明单位测评"


def _apply(
    campaign: Campaign,
    unit: Unit,
    engine: Engine,
    edition: FrameworkEdition,
    office: User,
    rng: random.Random,
    *,
    final: bool,
) -> None:
    quality = rng.random()
    data = _results(engine, unit, quality, rng, as_of=date(campaign.year, 6, 30))
    card = engine.score(results_from_data(engine, data))
    revision = SelfAssessment.objects.filter(unit=unit, edition=edition).count() + 1
    assessment = SelfAssessment.objects.create(
        unit=unit, edition=edition, revision=revision, status=AssessmentStatus.SUBMITTED,
        as_of=date(campaign.year, 5, 20), created_by=office, submitted_by=office,
        total_centi=card.total, grade=card.grade, vetoed=card.vetoed,
    )  # fmt: skip
    state, step, evaluated = _where(card, rng, final=final)
    application = Application.objects.create(
        campaign=campaign, unit=unit, assessment=assessment, state=state, step=step,
        region_path=unit.region_path, supervisor=unit.supervisor,
        result_centi=card.total if evaluated else None,
        result_grade=card.grade if evaluated else "",
        result_vetoed=card.vetoed if evaluated else False,
    )  # fmt: skip
    if evaluated:
        Evaluation.objects.create(
            application=application, step="evaluate", source="paper", data=data,
            total_centi=card.total, grade=card.grade, vetoed=card.vetoed, recorded_by=office,
        )  # fmt: skip
    if state == State.NAMED:
        title_grant(
            actor=office,
            unit=unit,
            name=campaign.title_name,
            kind=edition.campaign_type,
            level=campaign.level,
            year=campaign.year,
            term_years=campaign.term_years,
            naming_authority=campaign.region,
            origin=application,
        )


def _where(card: Scorecard, rng: random.Random, *, final: bool) -> tuple[str, str, bool]:
    """(state, step, evaluated) for a demo application."""
    outcome = (
        State.NAMED
        if card.grade == "优秀"
        else State.RECTIFYING
        if card.grade == "合格"
        else State.NOT_PASSED
    )
    if final:
        return outcome, "", True
    roll = rng.random()
    if roll < 0.08:
        return State.PREPARING, "", False
    if roll < 0.13:
        return State.RETURNED, "", False
    if roll < 0.25:
        return State.IN_REVIEW, "supervisor", False
    if roll < 0.35:
        return State.IN_REVIEW, "accept", False
    if roll < 0.45:
        return State.IN_REVIEW, "evaluate", True
    if roll < 0.6:
        return State.IN_REVIEW, "review", True
    listed = {State.NAMED: State.LISTED}.get(outcome, outcome)
    return listed, "", True


def _results(
    engine: Engine, unit: Unit, quality: float, rng: random.Random, *, as_of: date
) -> dict[str, Any]:
    """Item values in the results format: better units lose fewer points."""
    slack = 0.02 + 0.25 * (1 - quality)
    items: dict[str, Any] = {}
    for code, style in engine.styles.items():
        if code in engine.bonus_codes:
            continue
        weak = rng.random() < slack
        value: Any
        if style.key == "deduction":
            value = rng.choice([1, 2, 3]) if weak else 0
        elif sampled(style):
            value = sample_value(style, rng, weak=weak)
        elif style.key == "letter":
            value = rng.choice("BCD") if weak else "A"
        elif style.key == "yesno":
            value = "否" if weak else "是"
        elif style.key == "direct":
            value = max(0, style.points // 100 - (rng.randint(1, 3) if weak else 0))
        else:
            assert isinstance(style, Measured)
            lower = style.p.direction == "lower"
            value = (30 if weak else 12) if lower else (1000 if weak else 400000)
        items[code] = {"value": value}
        if weak:
            items[code]["reason"] = "台账资料不全"
    return {
        "framework": engine.framework.id,
        "edition": engine.framework.edition,
        "unit": unit.name,
        "as_of": as_of,
        "items": items,
        "events": [],
        "components": {},
    }


def _targets(campaign: Campaign, rng: random.Random) -> None:
    towns = Region.objects.filter(level=RegionLevel.TOWNSHIP, path__startswith=campaign.region.path)
    Target.objects.bulk_create(
        Target(campaign=campaign, region=town, count=rng.randint(3, 6)) for town in towns
    )
    bodies = Unit.objects.filter(supervises=True, region_path__startswith=campaign.region.path)
    Target.objects.bulk_create(
        Target(campaign=campaign, supervisor=body, count=rng.randint(2, 8)) for body in bodies
    )
