"""The bridge from stored entries to the scoring engine, through the results-file format.

The web screen builds exactly the data a results file holds and hands it to the same parser
and engine as ``wenming score``: there is one scorer, and a test proves both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wenming.assessments.models import Entry, EntryKind, SelfAssessment
from wenming.core.engine import Engine, Scorecard
from wenming.core.errors import FileInvalid
from wenming.core.results import results_from_data
from wenming.core.styles import UnitProfile
from wenming.frameworks.selectors import engine_of
from wenming.organizations.models import Unit


def unit_profile(unit: Unit, engine: Engine) -> UnitProfile:
    """The unit's type (when the framework knows it), stage and enrolment, as the engine
    takes them: items limited to other types or stages are then not shown, scored or counted."""
    type_name = unit.unit_type.name
    return UnitProfile(
        stage=unit.stage or None,
        enrolment=unit.enrolment,
        unit_type=type_name if type_name in engine.framework.unit_types else None,
    )


def results_data(assessment: SelfAssessment, entries: Iterable[Entry]) -> dict[str, Any]:
    unit = assessment.unit
    engine = engine_of(assessment.edition)
    profile = unit_profile(unit, engine)
    data: dict[str, Any] = {
        "framework": assessment.edition.code,
        "edition": assessment.edition.edition,
        "unit": unit.name,
        "as_of": assessment.as_of,
        "items": {},
        "events": [],
        "components": {},
    }
    if unit.stage:
        data["stage"] = unit.stage
    if profile.unit_type:
        data["unit_type"] = profile.unit_type
    if unit.enrolment:
        data["enrolment"] = dict(unit.enrolment)
    for entry in sorted(entries, key=lambda e: e.code):
        if entry.kind == EntryKind.ITEM and entry.value != "":
            if entry.code in engine.index and not engine.applies(entry.code, profile):
                continue  # kept from before the unit's type or stage changed: not counted
            item: dict[str, Any] = {"value": entry.value}
            if entry.reason:
                item["reason"] = entry.reason
            if entry.note:
                item["note"] = entry.note
            data["items"][entry.code] = item
        elif entry.kind == EntryKind.EVENT and entry.value == "是":
            event: dict[str, Any] = {"code": entry.code}
            if entry.event_date:
                event["date"] = entry.event_date
            if entry.until:
                event["until"] = entry.until
            if entry.note:
                event["note"] = entry.note
            data["events"].append(event)
        elif entry.kind == EntryKind.COMPONENT and entry.value != "":
            data["components"][entry.code] = entry.value
    return data


def scorecard_of(
    assessment: SelfAssessment, entries: Iterable[Entry]
) -> tuple[Scorecard | None, list[str]]:
    """The engine's result for the stored entries, or the problems that prevent scoring."""
    engine = engine_of(assessment.edition)
    try:
        result = results_from_data(engine, results_data(assessment, entries))
    except FileInvalid as exc:
        return None, [issue.message for issue in exc.issues]
    return engine.score(result), []
