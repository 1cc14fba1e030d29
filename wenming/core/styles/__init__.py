"""Scoring styles: one module per style, all registered in :data:`REGISTRY`."""

from wenming.core.styles import deduction, direct, letter, measured, yesno
from wenming.core.styles.base import (
    REGISTRY,
    InputError,
    ScoringStyle,
    UnitProfile,
    register,
    style_for,
)

__all__ = [
    "REGISTRY",
    "InputError",
    "ScoringStyle",
    "UnitProfile",
    "deduction",
    "direct",
    "letter",
    "measured",
    "register",
    "style_for",
    "yesno",
]
