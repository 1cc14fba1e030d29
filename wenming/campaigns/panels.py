"""Lines an app above campaigns adds to the application page (the material review's figure),
without campaigns importing it: the app registers a panel in its ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User

from wenming.campaigns.models import Application


@dataclass(frozen=True)
class Panel:
    label: str  # 材料审查
    value: str  # 抄袭比例 12.3% · 占位 2处
    url: str  # the page that explains it


PanelSource = Callable[[User, Application], Panel | None]
_SOURCES: list[PanelSource] = []


def application_panel_register(source: PanelSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def application_panels(user: User, application: Application) -> list[Panel]:
    """The registered lines for this person and application (one query or so each)."""
    return [panel for source in _SOURCES if (panel := source(user, application)) is not None]
