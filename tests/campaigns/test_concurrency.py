"""Two reviewers pass the same application at the same moment: exactly one transition lands."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.campaigns.test_chain import signed_and_submitted
from wenming.campaigns.services import STALE, Refused, application_pass


@pytest.mark.django_db(transaction=True)
def test_two_threads_apply_a_transition_exactly_once(world, campaign):
    if connection.vendor != "postgresql":
        print("\n[跳过] 并发测试在PostgreSQL上运行(CI的PostgreSQL轮次)")
        pytest.skip("concurrency is proven on PostgreSQL")
    application = signed_and_submitted(world, campaign)
    version = application.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review() -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            application_pass(
                actor=world.people.supervisor, application_id=application.pk, version=version
            )
            outcomes.append("passed")
        except Refused as exc:
            outcomes.append(str(exc))
        finally:
            own.close()

    threads = [threading.Thread(target=review) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["passed", STALE])
    application.refresh_from_db()
    assert application.where == "待区文明办受理"
    assert application.transitions.filter(label="主管部门审核通过").count() == 1
    assert application.signatures.filter(role="supervisor").count() == 1
