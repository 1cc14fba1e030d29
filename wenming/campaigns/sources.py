"""Where an application's measured values came from, told by the apps that measure them.

An app above campaigns (questionnaires: ``wenming.surveys``) registers a function in its
``AppConfig.ready()`` that lists, for one application, the values it recorded with their source
and the engine's explanation lines; the application page shows them. Campaigns imports nothing
above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wenming.campaigns.models import Application


@dataclass(frozen=True)
class SourceLine:
    code: str  # the indicator item
    source: str  # e.g. 问卷《群众满意度调查》第2版
    value: str  # the measured value as entered, e.g. 87.5%
    detail: str  # counts behind the value
    recorded_at: str
    lines: list[str] = field(default_factory=list)  # the engine's explanation


SourceFn = Callable[[Application], list[SourceLine]]
_SOURCES: list[SourceFn] = []


def application_source_register(fn: SourceFn) -> None:
    if fn not in _SOURCES:
        _SOURCES.append(fn)


def application_sources(application: Application) -> list[SourceLine]:
    return [line for fn in _SOURCES for line in fn(application)]
