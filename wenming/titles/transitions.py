"""A title's status as data: 有效 → 暂停 → 恢复, and 撤销 from either.

``TITLE`` is the transition table (see ``wenming.core.transitions``): ``services.py`` guards with
it and moves the status with a compare-and-set on the status it read; the title pages list the
buttons with ``title_actions`` (template filter ``title_actions`` in ``templatetags/titles.py``).
Who: "manager", the office of the naming region or above (``access.can_manage``), checked by the
services and by the page before it shows any button.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from wenming.core.hooks import Hook
from wenming.core.transitions import StateTable, action
from wenming.titles.models import Title, TitleStatus

V, SUSPENDED, REVOKED = TitleStatus.VALID, TitleStatus.SUSPENDED, TitleStatus.REVOKED

TITLE = StateTable(
    "title",
    [
        action(
            "suspend",
            "暂停称号",
            sources=[V],
            targets=[SUSPENDED],
            who=["manager"],
            audit="title.suspend",
            refusal="只有有效的称号可以暂停",
        ),
        action(
            "restore",
            "恢复称号",
            sources=[SUSPENDED],
            targets=[V],
            who=["manager"],
            audit="title.restore",
            refusal="只有暂停的称号可以恢复",
        ),
        action(
            "revoke",
            "撤销称号",
            sources=[V, SUSPENDED],
            targets=[REVOKED],
            who=["manager"],
            audit="title.revoke",
            refusal="称号已撤销",
        ),
    ],
    state_labels={s.value: s.label for s in TitleStatus},
)

# actions that keep the status: a warning (限期整改) and the yearly re-check, on a valid title
KEEPING = {"warn": frozenset({V.value}), "recheck": frozenset({V.value})}


def title_actions(title: Title) -> list[str]:
    """What a manager may do to ``title`` now (the page adds the re-check's date rule)."""
    keeping = [name for name, states in KEEPING.items() if title.status in states]
    return [*keeping, *TITLE.allowed(title.status)]


@dataclass(frozen=True)
class TitleChanged:
    """What ``title_changed`` receivers get: the title and what happened (``grant``, or the
    action of the ``TITLE`` row: ``warn`` …, ``revoke``, ``restore``)."""

    title_id: int
    action: str


title_changed: Hook[TitleChanged] = Hook("titles.title_changed")


def title_changed_fire(title_id: int, action: str) -> None:
    title_changed.fire(TitleChanged(title_id, action), on_commit=transaction.on_commit)
