"""Events recorded before the chain existed are chained by the data migration, in id order."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wenming.audit.models import AuditEvent
from wenming.audit.services import audit_record
from wenming.audit.verify import chain_verify

BEFORE = [("audit", "0001_initial")]


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_events_in_id_order(monkeypatch):
    latest = _latest()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
        office = get_user_model().objects.create(username="office")
        start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
        # recorded out of time order on purpose: the chain follows the ids
        old.objects.bulk_create(
            old(
                at=start - timedelta(minutes=n),
                actor_id=office.pk if n % 2 else None,
                action="unit.update",
                object_type="organizations.unit",
                object_id=str(n),
                object_label=f"单位{n}",
                field="人数",
                old=str(n),
                new=str(n + 1),
            )
            for n in range(12)
        )
        ids = list(old.objects.order_by("id").values_list("id", flat=True))
        # small batches, so that the test crosses batch boundaries
        module = importlib.import_module("wenming.audit.migrations.0003_chain_existing")
        monkeypatch.setattr(module, "BATCH", 5)
    finally:
        MigrationExecutor(connection).migrate(latest)
    chained = list(AuditEvent.objects.order_by("seq").values_list("id", "seq"))
    assert chained == [(pk, n) for n, pk in enumerate(ids, start=1)]
    report = chain_verify()
    assert report.ok and report.checked == 12, report.message
    # new events continue the same chain
    recorded = audit_record(actor=office, action="account.create", obj=office)
    assert recorded.seq == 13 and chain_verify().ok
