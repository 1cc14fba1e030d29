"""Scenario helpers: a trail of recorded changes, and tampering as someone with direct access
to the database would do it (on PostgreSQL the append-only triggers must be switched off first,
which only the table's owner can do)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from tests.factories import person, region
from wenming.accounts.models import Role
from wenming.audit.models import AuditEvent
from wenming.audit.services import audit_record
from wenming.organizations.models import RegionLevel


@pytest.fixture
def trail(db) -> SimpleNamespace:
    """Ten changes to a district's name by its office (``seqs``: their numbers in the chain)."""
    city = region("临江市", RegionLevel.CITY, None, code="420100")
    office = person("city_office", Role.OFFICE, region_=city)
    district = region("江东区", RegionLevel.COUNTY, city, code="420102")
    seqs = []
    for n in range(1, 11):
        recorded = audit_record(
            actor=office,
            action="region.update",
            obj=district,
            field="名称",
            old=f"江东区{n - 1}",
            new=f"江东区{n}",
        )
        seqs.append(recorded.seq)
    return SimpleNamespace(city=city, office=office, district=district, seqs=seqs)


def event(seq: int) -> AuditEvent:
    return AuditEvent.objects.get(seq=seq)


@contextmanager
def tampering() -> Iterator[None]:
    """Switch the PostgreSQL triggers off for the duration, as a superuser can."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def tamper(seq: int, **changes: Any) -> None:
    with tampering():
        AuditEvent.objects.filter(seq=seq).update(**changes)
