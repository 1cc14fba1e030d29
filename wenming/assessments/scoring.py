"""The bridge from stored entries to the scoring engine, through the results-file format.

The web screen builds exactly the data a results file holds and hands it to the same parser
and engine as ``wenming score``: there is one scorer, and a test proves both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wenming.assessments.models import Entry, EntryKind, SelfAssessment
from wenming.core.engine import Scorecard
from wenming.core.errors import FileInvalid
from wenming.core.results import results_from_data
from wenming.frameworks.selectors import engine_of


def results_data(assessment: SelfAssessment, entries: Iterable[Entry]) -> dict[str, Any]:
    unit = assessment.unit
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
    if unit.enrolment:
        data["enrolment"] = dict(unit.enrolment)
    for entry in sorted(entries, key=lambda e: e.code):
        if entry.kind == EntryKind.ITEM and entry.value != "":
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
