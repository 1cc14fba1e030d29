"""Scoring styles: one module per style, all registered in :data:`REGISTRY`."""

from wenming.core.styles import (
    awards,
    deduction,
    direct,
    findings,
    letter,
    measured,
    tiered,
    yesno,
)
from wenming.core.styles.base import (
    NA_TEXT,
    NOT_APPLICABLE,
    REGISTRY,
    InputError,
    ScoringStyle,
    UnitProfile,
    register,
    style_for,
)

__all__ = [
    "NA_TEXT",
    "NOT_APPLICABLE",
    "REGISTRY",
    "InputError",
    "ScoringStyle",
    "UnitProfile",
    "awards",
    "deduction",
    "direct",
    "findings",
    "letter",
    "measured",
    "register",
    "style_for",
    "tiered",
    "yesno",
]
