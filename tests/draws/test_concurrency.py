"""Two offices press 现场抽签 at the same moment: exactly one draw is recorded."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest
from django.db import connection

from wenming.core.draw import Rules
from wenming.draws.models import Draw
from wenming.draws.services import STALE, DrawRefused, draw_record, draw_verify


@pytest.mark.django_db(transaction=True)
def test_two_offices_draw_at_once_and_one_draw_is_recorded(world, pool):
    if connection.vendor != "postgresql":
        print("\n[跳过] 并发测试在PostgreSQL上运行(CI的PostgreSQL轮次)")
        pytest.skip("concurrency is proven on PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    rules = Rules(shares={"学校·初中": Fraction(1, 3)})

    def press(user) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            draw_record(actor=user, campaign=pool.campaign, rules=rules)
            outcomes.append("drawn")
        except DrawRefused as exc:
            outcomes.append(str(exc))
        finally:
            own.close()

    people = [world.people.east_office, world.people.city_office]
    threads = [threading.Thread(target=press, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["drawn", STALE])
    draw = Draw.objects.get()
    assert draw.number == 1 and draw_verify(draw).ok
