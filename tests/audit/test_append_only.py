"""On PostgreSQL audit rows cannot be changed or deleted, even by the table's owner (as the
product connects in CI); flushing the test database and deleting objects still work."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from tests.audit.conftest import event
from tests.factories import UnitFactory
from wenming.audit.models import AuditEvent
from wenming.audit.services import audit_record
from wenming.audit.verify import chain_verify


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        print("\n[跳过] 审计表的只追加触发器只在PostgreSQL上存在(CI的PostgreSQL轮次)")
        pytest.skip("append-only triggers exist on PostgreSQL only")


@pytest.mark.django_db
def test_an_audit_row_cannot_be_updated(trail):
    _postgresql_only()
    target = trail.seqs[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=target).update(new="改过")
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET comment = 'x' WHERE seq = %s", [target])
    assert event(target).new == "江东区1" and chain_verify().ok


@pytest.mark.django_db
def test_an_audit_row_cannot_be_deleted(trail):
    _postgresql_only()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=trail.seqs[3]).delete()
    assert AuditEvent.objects.filter(seq=trail.seqs[3]).exists() and chain_verify().ok


@pytest.mark.django_db
def test_truncate_still_empties_the_trail_for_test_flushes(trail):
    _postgresql_only()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_auditevent")
        assert not AuditEvent.objects.exists()
        transaction.set_rollback(True)
    assert AuditEvent.objects.exists()


@pytest.mark.django_db
def test_deleting_a_unit_keeps_its_audit_trail(trail):
    unit = UnitFactory.create(name="江东区待撤销单位")
    audit_record(actor=trail.office, action="unit.update", obj=unit, field="名称", new=unit.name)
    key = str(unit.pk)
    unit.delete()
    assert AuditEvent.objects.filter(object_type="organizations.unit", object_id=key).exists()
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_make_one_unbroken_chain(trail):
    _postgresql_only()
    before = AuditEvent.objects.count()
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(name: str) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            for n in range(50):
                with transaction.atomic():  # each change in its own transaction, as services do
                    audit_record(
                        actor=trail.office,
                        action="region.update",
                        obj=trail.district,
                        field="名称",
                        new=f"{name}{n}",
                    )
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + 101))
    report = chain_verify()
    assert report.ok and report.checked == before + 100, report.message
