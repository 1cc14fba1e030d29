"""The scoring-style interface and its registry.

A scoring style turns one leaf item's entered value into points. To add a style, copy an
existing module (``yesno.py`` is the smallest), give it a new ``key``, and decorate the class
with :func:`register`; the framework validator, the engine, the results parser and the docs
table all read the registry. Every style words its own parameters (``rule_text``) and says which
amounts of points a written rule may name (``amounts``), so printed rules cannot drift.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from pydantic import BaseModel, ConfigDict

from wenming.core.framework import Framework, Indicator
from wenming.core.points import to_centi


class InputError(ValueError):
    """An entered value the style cannot use (message in Chinese)."""


class StyleParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _NotApplicable:
    """The value of an item marked 不适用 (only where the item has ``allow_na``)."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    def __str__(self) -> str:
        return NA_TEXT


NA_TEXT = "不适用"
NOT_APPLICABLE: Final = _NotApplicable()


@dataclass(frozen=True)
class UnitProfile:
    """What the engine needs to know about the unit itself (type, school stage, enrolment)."""

    stage: str | None = None
    enrolment: dict[str, int] = field(default_factory=dict)
    unit_type: str | None = None

    @property
    def students(self) -> int:
        return sum(self.enrolment.values())


class ScoringStyle(ABC):
    """One compiled leaf item: parses its input, scores it and explains the score."""

    key: ClassVar[str]
    label: ClassVar[str]
    summary: ClassVar[str]
    Params: ClassVar[type[StyleParams]] = StyleParams

    def __init__(self, *, item: Indicator, params: StyleParams, framework: Framework) -> None:
        self.item = item
        self.code = item.code
        self.points = to_centi(item.points)
        self.params = params
        self.framework = framework

    @classmethod
    def check(cls, *, item: Indicator, params: StyleParams, framework: Framework) -> list[str]:
        """Return problems with ``params`` that need the item or framework (Chinese)."""
        return []

    @abstractmethod
    def parse(self, raw: Any) -> Any:
        """Turn a value read from a file or a form into the style's value, or raise InputError."""

    @abstractmethod
    def score(self, value: Any, profile: UnitProfile) -> int:
        """Points earned, in hundredths, between 0 and the item's points."""

    @abstractmethod
    def describe(self, value: Any, profile: UnitProfile, score: int, reason: str) -> str:
        """One line in Chinese saying why ``score`` was given (used only when points were lost)."""

    def render(self, value: Any) -> Any:
        """The value as written back to a results file (inverse of ``parse``)."""
        return value

    @abstractmethod
    def rule_text(self) -> str:
        """The 评分标准 as printed, generated from the parameters (Chinese, no final 。)."""

    def amounts(self) -> frozenset[int] | None:
        """Point amounts (hundredths) a printed rule may name; None: any up to the points."""
        return None


REGISTRY: dict[str, type[ScoringStyle]] = {}


def register(cls: type[ScoringStyle]) -> type[ScoringStyle]:
    if cls.key in REGISTRY:
        raise RuntimeError(f"scoring style {cls.key!r} registered twice")
    REGISTRY[cls.key] = cls
    return cls


def style_for(item: Indicator, framework: Framework) -> ScoringStyle:
    """Compile a validated leaf item into its scoring style."""
    spec = dict(item.scoring or {})
    cls = REGISTRY[spec.pop("style")]
    params = cls.Params.model_validate(spec)
    return cls(item=item, params=params, framework=framework)
