"""Hooks: how a change in one app reaches the apps that read it, without the changing app
importing them.

The app that owns a state declares a ``Hook`` beside its transition table (for example
``campaigns.transitions.application_changed``); an app above it that must react (the dashboards'
tallies, a notice, problems from deductions) connects a receiver in its ``AppConfig.ready()``.
The owning service fires the hook once per change, inside its transaction:

- a receiver connected with ``exact=True`` runs at once, in the same transaction, so a figure
  it keeps (a tally) is exact whenever the change is visible, and a failure undoes the change;
- any other receiver runs after the commit (``on_commit``), so a rolled-back change sends
  nothing and a slow effect does not hold the transaction's locks.

Plain Python: the caller passes Django's ``transaction.on_commit`` as ``on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

P = TypeVar("P")

Receiver = Callable[[P], None]
OnCommit = Callable[[Callable[[], None]], None]


class Hook(Generic[P]):
    """A named point that receivers connect to; the payload type ``P`` is the hook's contract."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._exact: list[Callable[[P], None]] = []
        self._later: list[Callable[[P], None]] = []

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"

    def connect(self, receiver: Callable[[P], None], *, exact: bool = False) -> None:
        """Add ``receiver``; connecting the same function twice keeps one (``ready()`` may run
        more than once in tests)."""
        target = self._exact if exact else self._later
        if receiver not in target:
            target.append(receiver)

    def disconnect(self, receiver: Callable[[P], None]) -> None:
        for target in (self._exact, self._later):
            if receiver in target:
                target.remove(receiver)

    @property
    def receivers(self) -> list[Callable[[P], None]]:
        return [*self._exact, *self._later]

    def fire(self, payload: P, *, on_commit: OnCommit) -> None:
        """Run the exact receivers now and hand the others to ``on_commit``."""
        for receiver in self._exact:
            receiver(payload)
        for receiver in self._later:
            on_commit(_bind(receiver, payload))


def _bind(receiver: Callable[[P], None], payload: P) -> Callable[[], None]:
    def run() -> None:
        receiver(payload)

    return run
