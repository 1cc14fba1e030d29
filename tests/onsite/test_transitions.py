"""The reconciled sheet's table: sign locks, reopen unlocks; refusals in Chinese; audit names."""

from __future__ import annotations

import pytest

from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.models import SheetState
from wenming.onsite.transitions import SHEET


def test_the_sheet_table_lists_sign_and_reopen():
    got = {a.name: (set(a.sources), set(a.targets), a.audit_name) for a in SHEET}
    assert got == {
        "sign": ({SheetState.OPEN}, {SheetState.SIGNED}, "onsite.sign"),
        "reopen": ({SheetState.SIGNED}, {SheetState.OPEN}, "onsite.reopen"),
    }
    assert SHEET.allowed(SheetState.OPEN) == ["sign"]
    assert SHEET.allowed(SheetState.SIGNED) == ["reopen"]


def test_wrong_state_refusals_keep_their_words():
    with pytest.raises(OnsiteRefused, match="合议表已签署"):
        SHEET.check("sign", SheetState.SIGNED, refuse=OnsiteRefused)
    with pytest.raises(OnsiteRefused, match="合议表尚未签署"):
        SHEET.check("reopen", SheetState.OPEN, refuse=OnsiteRefused)
