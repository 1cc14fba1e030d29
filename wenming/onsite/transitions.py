"""The reconciled sheet's (合议表) two states as data: 合议中 → 已签署 (the leader signs and the
sheet is locked) and back by 重新打开 with a reason.

``SHEET`` is the transition table (see ``wenming.core.transitions``); ``sheet_move`` is the one
way to change a sheet's state: the table's guard and a compare-and-set on the state and version
read (the services lock the row as well). Who: "leader", the leader of the team assigned to the
application (``sheets._leader``).
"""

from __future__ import annotations

from django.db.models import F

from wenming.core.transitions import StateTable, action
from wenming.onsite.errors import SIGNED, OnsiteRefused
from wenming.onsite.models import Sheet, SheetState

STALE = "合议表刚被他人修改,请刷新后再试"

SHEET = StateTable(
    "sheet",
    [
        action(
            "sign",
            "签署合议表",
            sources=[SheetState.OPEN],
            targets=[SheetState.SIGNED],
            who=["leader"],
            audit="onsite.sign",
            refusal="合议表已签署",
        ),
        action(
            "reopen",
            "重新打开合议表",
            sources=[SheetState.SIGNED],
            targets=[SheetState.OPEN],
            who=["leader"],
            audit="onsite.reopen",
            refusal="合议表尚未签署",
        ),
    ],
    state_labels={s.value: s.label for s in SheetState},
)

# the edits a sheet takes only while it is open (a leader's decision)
EDITABLE = frozenset({SheetState.OPEN.value})


def sheet_check(sheet: Sheet, name: str) -> None:
    """Refuse ``name`` (a row of ``SHEET``) if the sheet's state does not allow it."""
    SHEET.check(name, sheet.state, refuse=OnsiteRefused)


def sheet_editable(sheet: Sheet) -> None:
    if sheet.state not in EDITABLE:
        raise OnsiteRefused(SIGNED)


def sheet_move(sheet: Sheet, name: str) -> None:
    """Move ``sheet`` by ``name``; refreshes ``sheet``. The caller audits (``SHEET[name]``'s
    audit name) in the same transaction."""
    row = SHEET.check(name, sheet.state, refuse=OnsiteRefused)
    (to,) = row.targets
    changed = Sheet.objects.filter(pk=sheet.pk, state=sheet.state, version=sheet.version).update(
        state=to, version=F("version") + 1
    )
    if not changed:
        raise OnsiteRefused(STALE)
    sheet.refresh_from_db(fields=["state", "version"])
