"""Transition tables: which action moves a stateful object from which states to which, and who
may take it.

Each app keeps its table as data beside the model (``<app>/transitions.py``). The services guard
with ``StateTable.check`` (one refusal, in Chinese, for an action the state does not allow) and
the pages list the buttons with ``StateTable.allowed``, so the two can no longer disagree. Who may
act is named here by role keys (``"supervisor"``, ``"manager"`` …); what a key means for one
person and one object is the app's access module's answer, given to ``allowed`` as ``roles``.

Plain Python: no Django, so the tables are tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    """One row of a transition table.

    ``sources`` are the states the action may start from; ``targets`` the states it may lead to
    (several when the service decides, e.g. the last review step lists, rectifies or fails);
    ``who`` the role keys that may take it; ``audit`` the audit action name when it differs from
    ``name`` (kept so that the audit trail's names never change); ``refusal`` a message for a
    wrong state that replaces the table's default (``{state}`` and ``{action}`` are filled in)."""

    name: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]
    who: frozenset[str]
    audit: str = ""
    refusal: str = ""

    @property
    def audit_name(self) -> str:
        return self.audit or self.name


def action(
    name: str,
    label: str,
    *,
    sources: Iterable[str],
    targets: Iterable[str],
    who: Iterable[str],
    audit: str = "",
    refusal: str = "",
) -> Action:
    """An ``Action`` from any iterables (the tables read better with lists)."""
    return Action(
        name=name,
        label=label,
        sources=frozenset(sources),
        targets=frozenset(targets),
        who=frozenset(who),
        audit=audit,
        refusal=refusal,
    )


class StateTable:
    """The transition table of one model: actions by name, in the order the pages list them."""

    def __init__(
        self,
        model: str,
        actions: Iterable[Action],
        *,
        state_labels: Mapping[str, str],
        wrong_state: str = "当前状态为“{state}”,不能{action}",
    ) -> None:
        self.model = model
        self.actions: dict[str, Action] = {}
        for a in actions:
            if a.name in self.actions:
                raise ValueError(f"{model}: action {a.name!r} listed twice")
            unknown = (a.sources | a.targets) - set(state_labels)
            if unknown:
                raise ValueError(f"{model}.{a.name}: unknown states {sorted(unknown)}")
            self.actions[a.name] = a
        self.state_labels = dict(state_labels)
        self.wrong_state = wrong_state

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions.values())

    def allowed(self, state: str, *, roles: Collection[str] | None = None) -> list[str]:
        """The actions that may start from ``state`` (for a person holding ``roles``, when
        given), in table order."""
        return [
            a.name
            for a in self.actions.values()
            if state in a.sources and (roles is None or not a.who.isdisjoint(roles))
        ]

    def refusal(self, name: str, state: str) -> str:
        a = self.actions[name]
        template = a.refusal or self.wrong_state
        return template.format(state=self.state_labels.get(state, state), action=a.label)

    def check(
        self,
        name: str,
        state: str,
        *,
        to: str | None = None,
        refuse: Callable[[str], Exception],
    ) -> Action:
        """The action if ``state`` allows it (and ``to`` is one of its targets); otherwise raise
        ``refuse(message)`` with the Chinese message for the wrong state."""
        a = self.actions[name]
        if state not in a.sources:
            raise refuse(self.refusal(name, state))
        if to is not None and to not in a.targets:
            raise ValueError(f"{self.model}.{name} does not lead to {to!r}")
        return a
