"""Veto and negative-list events: look-back windows, states at the as-of date, their lines.

The one source of truth for when an event counts; :class:`wenming.core.engine.Engine` applies
it when scoring, and campaign eligibility asks the engine the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wenming.core.framework import Effect, NegativeEntry, Veto
from wenming.core.points import fmt

DEFAULT_VETO_WINDOW_MONTHS = 12
Day = date  # ``Event.date`` shadows the type inside the class body


@dataclass(frozen=True, slots=True)
class Event:
    """A dated veto or negative-list event recorded against the unit.

    For a veto that is a state (``kind: state``, e.g. a D-class building still in use) ``date``
    is when the state began and ``until`` when it ended (None: it still exists).
    """

    code: str
    date: date | None = None
    note: str = ""
    until: Day | None = None


@dataclass(frozen=True)
class EventEffect:
    """A veto or negative-list event and whether it counted as of the scoring date."""

    event: Event
    entry: Veto | NegativeEntry
    effect: Effect
    counted: bool
    window_months: int
    points: int = 0


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def in_window(event_day: date | None, as_of: date, months: int) -> bool:
    """An event counts if it happened on or after ``as_of`` minus ``months``, up to ``as_of``."""
    if event_day is None:
        return True
    return months_before(as_of, months) <= event_day <= as_of


def state_holds(since: date | None, until: date | None, as_of: date) -> bool:
    """A state counts if it began on or before ``as_of`` and had not ended by then."""
    return (since is None or since <= as_of) and (until is None or as_of < until)


def effect_line(e: EventEffect) -> str:
    when = f"({e.event.date.isoformat()})" if e.event.date else ""
    what = e.entry.name + (f",{e.event.note}" if e.event.note else "")
    if isinstance(e.entry, Veto) and e.entry.kind == "state":
        since = f"自{e.event.date.isoformat()}起" if e.event.date else ""
        if e.counted:
            return f"一票否决:{what}({since + ',' if since else ''}评分日仍存在)"
        ended = f",已于{e.event.until.isoformat()}消除" if e.event.until else ",晚于评分日"
        return f"{e.entry.code} {what}({since}{ended}),评分日不存在,不计"
    if not e.counted:
        return f"{e.entry.code} {what}{when}不在{e.window_months}个月回溯期内,不计"
    if isinstance(e.entry, Veto):
        return f"一票否决:{what}{when}"
    if e.effect is Effect.DEDUCT:
        return f"负面清单 {e.entry.code} 扣{fmt(e.points)}分:{what}{when}"
    return f"负面清单 {e.entry.code} {e.effect.label}:{what}{when}"
