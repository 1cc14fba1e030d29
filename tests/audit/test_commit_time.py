"""Events are linked into the chain when their transaction commits, so the append lock is held
for the commit only: a long transaction that records early no longer makes every other
audited write wait for it (docs/audit-chain.md, "Appending")."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from wenming.audit import chain
from wenming.audit.models import AuditEvent
from wenming.audit.services import audit_record
from wenming.audit.verify import chain_verify
from wenming.organizations.models import Region


def _names(trail) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(trail.district.pk))
        .order_by("seq")
        .values_list("new", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_an_event_gets_its_place_in_the_chain_when_its_transaction_commits(trail):
    with transaction.atomic():
        recorded = audit_record(
            actor=trail.office, action="region.update", obj=trail.district, new="待提交"
        )
        assert recorded.seq is None  # waits for the commit
        assert not AuditEvent.objects.filter(new="待提交").exists()
    recorded.refresh_from_db()
    assert recorded.seq == trail.seqs[-1] + 1
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_events_of_a_savepoint_that_rolls_back_are_not_recorded(trail):
    with transaction.atomic():
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="留下1")
        try:
            with transaction.atomic():
                audit_record(
                    actor=trail.office, action="region.update", obj=trail.district, new="撤销"
                )
                raise RuntimeError("这一步失败")
        except RuntimeError:
            pass
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="留下2")
    assert _names(trail)[-2:] == ["留下1", "留下2"]
    assert not AuditEvent.objects.filter(new="撤销").exists()
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_rolls_back_records_nothing(trail):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="回滚")
        raise RuntimeError("失败")
    assert AuditEvent.objects.count() == before
    with transaction.atomic():  # the next transaction does not carry the dropped event
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="下一次")
    assert AuditEvent.objects.count() == before + 1 and chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_when_the_append_fails_the_change_it_records_is_not_committed(trail, monkeypatch):
    def broken(events):
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr(chain, "_link", broken)
    with pytest.raises(RuntimeError, match="审计写入失败"), transaction.atomic():
        Region.objects.filter(pk=trail.district.pk).update(name="未审计的改名")
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="x")
    trail.district.refresh_from_db()
    assert trail.district.name == "江东区"  # the change went with the failed append
    monkeypatch.undo()
    with transaction.atomic():  # the connection is usable again
        audit_record(actor=trail.office, action="region.update", obj=trail.district, new="恢复")
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_does_not_hold_up_other_audited_writes(trail):
    """Writer 甲 records early in a transaction that then goes on working; writer 乙's whole
    audited transaction finishes meanwhile. With the lock taken at recording (the old append),
    乙 waited until 甲 committed."""
    if connection.vendor != "postgresql":
        print("\n[跳过] SQLite的写事务本就依次进行(BEGIN IMMEDIATE);锁等待只在PostgreSQL上可测")
        pytest.skip("SQLite serialises write transactions by itself")
    first_recorded = threading.Event()
    second_done = threading.Event()
    failures: list[BaseException] = []
    waited: list[float] = []

    def first() -> None:
        from django.db import connection as own

        try:
            with transaction.atomic():
                audit_record(
                    actor=trail.office, action="region.update", obj=trail.district, new="甲"
                )
                first_recorded.set()
                second_done.wait(timeout=10)  # the rest of a long transaction
        except BaseException as exc:
            failures.append(exc)
        finally:
            own.close()

    def second() -> None:
        from django.db import connection as own

        try:
            first_recorded.wait(timeout=10)
            started = time.monotonic()
            with transaction.atomic():
                audit_record(
                    actor=trail.office, action="region.update", obj=trail.district, new="乙"
                )
            waited.append(time.monotonic() - started)
            second_done.set()
        except BaseException as exc:
            failures.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert waited and waited[0] < 5, waited  # not held up for 甲's 10 seconds
    assert _names(trail)[-2:] == ["乙", "甲"]  # chained in commit order
    assert chain_verify().ok
