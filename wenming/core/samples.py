"""Sample entered values for the styles whose values are not one number (demo data, tests).

``sample_value(style, rng, weak=False)`` gives a value in the form an assessor types it: for a
strong unit one that earns the item's full points, for a weak one a value that loses some. The
demos share it so that a library item switched to tiers, findings, awards or named grades keeps
plausible demo scores.
"""

from __future__ import annotations

import random

from wenming.core.styles import ScoringStyle
from wenming.core.styles.awards import Awards
from wenming.core.styles.findings import Findings
from wenming.core.styles.letter import Letter
from wenming.core.styles.tiered import Tiered, _num


def sampled(style: ScoringStyle) -> bool:
    """Whether ``sample_value`` is the way to fill ``style``: the styles whose values are not
    one number, and grades with their own names (优秀、良好 …) rather than A–D."""
    if isinstance(style, Letter):
        return "A" not in style.table
    return isinstance(style, Tiered | Findings | Awards)


def sample_value(style: ScoringStyle, rng: random.Random, *, weak: bool = False) -> str:
    """A typed value for ``style`` (one that is ``sampled``): full points, or fewer when ``weak``."""
    if isinstance(style, Tiered):
        return _tiered(style, rng, weak=weak)
    if isinstance(style, Findings):
        if not weak:
            return "无"
        return f"{rng.choice(style.names)}{rng.randint(1, 2)}"
    if isinstance(style, Awards):
        if weak:
            return "无" if rng.random() < 0.5 else f"{style.names[-1]}1"
        # the fewest awards of the highest level that reach the item's points
        best = max(range(len(style.each)), key=lambda i: style.each[i])
        needed = -(-style.cap // style.each[best])
        return f"{style.names[best]}{needed}"
    if isinstance(style, Letter):
        ranked = sorted(style.table, key=lambda g: style.table[g], reverse=True)
        return rng.choice(ranked[1:] or ranked) if weak else ranked[0]
    raise ValueError(f"no sample for style {style.key}")


def _tiered(style: Tiered, rng: random.Random, *, weak: bool) -> str:
    best_at = style.tiers[0][0]
    if not weak:
        return _num(best_at)
    others = [at for at, _ in style.tiers[1:]]
    if others and rng.random() < 0.7:
        return _num(rng.choice(others))
    last = style.tiers[-1][0]
    # outside every tier: below the lowest threshold, or above the highest allowed count
    beyond = max(0, last - 100) if style.higher else last + 10_000
    return _num(beyond)
