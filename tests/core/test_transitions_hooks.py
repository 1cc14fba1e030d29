"""The plain-Python transition table and hook registry every stateful app builds on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from wenming.core.hooks import Hook
from wenming.core.transitions import StateTable, action


class Nope(Exception):
    pass


DOOR = StateTable(
    "door",
    [
        action("open", "开门", sources=["shut"], targets=["open"], who=["porter"]),
        action(
            "lock",
            "上锁",
            sources=["shut"],
            targets=["locked"],
            who=["keeper"],
            audit="door.lock",
            refusal="只有关着的门可以上锁",
        ),
        action("shut", "关门", sources=["open"], targets=["shut"], who=["porter", "keeper"]),
    ],
    state_labels={"shut": "关闭", "open": "敞开", "locked": "已锁"},
    wrong_state="门当前为“{state}”,不能{action}",
)


def test_allowed_lists_actions_in_table_order_for_the_roles_held():
    assert DOOR.allowed("shut") == ["open", "lock"]
    assert DOOR.allowed("shut", roles={"keeper"}) == ["lock"]
    assert DOOR.allowed("open", roles={"keeper"}) == ["shut"]
    assert DOOR.allowed("locked") == []


def test_check_refuses_a_wrong_state_in_chinese_with_the_rows_own_message():
    with pytest.raises(Nope, match="门当前为“敞开”,不能开门"):
        DOOR.check("open", "open", refuse=Nope)
    with pytest.raises(Nope, match="只有关着的门可以上锁"):
        DOOR.check("lock", "locked", refuse=Nope)
    assert DOOR.check("lock", "shut", to="locked", refuse=Nope).audit_name == "door.lock"
    assert DOOR["open"].audit_name == "open"


def test_a_target_outside_the_table_is_a_programming_error():
    with pytest.raises(ValueError):
        DOOR.check("open", "shut", to="locked", refuse=Nope)


def test_a_table_refuses_unknown_states_and_duplicate_actions():
    with pytest.raises(ValueError, match="unknown states"):
        StateTable("x", [action("a", "甲", sources=["s"], targets=["t"], who=[])], state_labels={})
    twice = [action("a", "甲", sources=["s"], targets=["s"], who=[])] * 2
    with pytest.raises(ValueError, match="listed twice"):
        StateTable("x", twice, state_labels={"s": "乙"})


def test_exact_receivers_run_now_and_the_others_on_commit():
    hook: Hook[int] = Hook("test")
    seen: list[tuple[str, int]] = []
    pending: list[Callable[[], object]] = []
    hook.connect(lambda n: seen.append(("later", n)))

    def exact(n: int) -> None:
        seen.append(("now", n))

    hook.connect(exact, exact=True)
    hook.connect(exact, exact=True)  # connecting twice keeps one
    hook.fire(7, on_commit=pending.append)
    assert seen == [("now", 7)]
    for run in pending:  # the commit
        run()
    assert seen == [("now", 7), ("later", 7)]
    hook.disconnect(exact)
    assert len(hook.receivers) == 1
