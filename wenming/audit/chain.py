"""The audit trail as one hash chain: each event's SHA-256 covers its content and the digest
of the event before it, so an edited, deleted, inserted or reordered row breaks the chain.

The byte layout is versioned (``chain_version`` on each event) and documented in
docs/audit-chain.md. A layout, once used, never changes: a new one gets a new version and
:data:`LAYOUTS` keeps every old one so old events stay verifiable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from wenming.audit.models import GENESIS, AuditEvent

CURRENT_VERSION = 1
APPEND_LOCK = int.from_bytes(b"wmaudit1", "big")  # PostgreSQL advisory lock key, documented

# The columns a layout reads, in this order (verification reads them with values_list).
CONTENT_FIELDS = (
    "seq",
    "prev_hash",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "field",
    "old",
    "new",
    "comment",
)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_v1(content: Sequence[Any]) -> bytes:
    """Version 1: the UTF-8 bytes of a JSON array in RFC 8785 (JCS) form, i.e.
    ``["wenming-audit",1,seq,prev_hash,at,actor_id,action,object_type,object_id,object_label,
    field,old,new,comment]`` with ``at`` as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and
    ``actor_id`` null for the system. Never change this function: add a version instead."""
    seq, prev_hash, at, actor_id, *texts = content
    array = ["wenming-audit", 1, seq, prev_hash, _utc(at), actor_id, *texts]
    text = json.dumps(array, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


LAYOUTS: dict[int, Callable[[Sequence[Any]], bytes]] = {1: canonical_v1}


def digest(version: int, content: Sequence[Any]) -> str | None:
    """The SHA-256 (hex) of ``content`` (values of :data:`CONTENT_FIELDS`) in layout
    ``version``; None for a version this code does not know."""
    layout = LAYOUTS.get(version)
    if layout is None:
        return None
    return hashlib.sha256(layout(content)).hexdigest()


def event_content(event: AuditEvent) -> tuple[Any, ...]:
    return tuple(getattr(event, name) for name in CONTENT_FIELDS)


def _tip_locked() -> tuple[int, str]:
    """The chain's last link (number, digest), with the append lock held until the surrounding
    transaction ends, in one round trip. PostgreSQL: a transaction-level advisory lock, then a
    backward read of the unique ``seq`` index as a second statement (its own snapshot, taken
    after the lock, so it sees the previous writer's commit). SQLite: writers already hold the
    database's write lock from BEGIN IMMEDIATE. Should two writers ever race anyway, the unique
    ``seq`` refuses the second: the chain cannot fork."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    tip = f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({APPEND_LOCK}); {tip}", None)
            cursor.nextset()
        else:
            cursor.execute(tip)
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _link(events: list[AuditEvent]) -> None:
    """Number, time-stamp, hash and insert ``events`` as the chain's next links, in order, in
    the current transaction: the lock and the tip read in one round trip, the rows in one
    INSERT. The lock is then held until the transaction commits."""
    seq, prev_hash = _tip_locked()
    now = timezone.now()  # taken under the lock: times never go backwards along seq
    for event in events:
        seq += 1
        event.seq = seq
        event.at = now
        event.prev_hash = prev_hash
        event.chain_version = CURRENT_VERSION
        event.hash = digest(CURRENT_VERSION, event_content(event)) or ""
        prev_hash = event.hash
    AuditEvent.objects.bulk_create(events)
    for event in events:  # what event.save() would have said (the to-do lists listen)
        post_save.send(
            sender=AuditEvent,
            instance=event,
            created=True,
            update_fields=None,
            raw=False,
            using=connection.alias,
        )


def _appends_at_commit() -> bool:
    """Whether this transaction's events can wait for its commit: inside a real transaction
    on an engine with ``before_commit`` (wenming.web.db), and not under a test case's wrapping
    transaction, which never commits."""
    return (
        connection.in_atomic_block
        and hasattr(connection, "before_commit")
        and not any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
    )


def chain_append(event: AuditEvent) -> AuditEvent:
    """Append ``event`` to the chain as part of the caller's transaction.

    Inside a transaction the event waits until the transaction is about to commit; then all
    its events are linked at once (:func:`_link`), so the append lock is held for the commit
    only, not for the rest of the transaction. The event's ``seq``, ``at`` and ``hash`` are set
    then. Events recorded in a savepoint that rolls back are dropped with it. Outside a
    transaction (or under a test's wrapping transaction) the event is linked at once."""
    if _appends_at_commit():
        connection.before_commit(_link, event)  # type: ignore[attr-defined]
        return event
    with transaction.atomic(savepoint=False):
        _link([event])
    return event
