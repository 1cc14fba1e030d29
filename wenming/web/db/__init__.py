"""Database engines: Django's own, plus work that runs inside a transaction just before it
commits (``connection.before_commit(flush, item)``).

Django runs callbacks *after* a commit (``on_commit``), too late for rows that must commit with
the transaction. The audit chain needs the other moment: its events are numbered and hashed
under a lock that is held until the transaction ends, so appending them at the last moment
keeps the lock for two round trips instead of for the rest of the transaction
(docs/audit-chain.md, "Appending"). Items recorded inside a savepoint that rolls back are
dropped with it, like Django's own ``on_commit`` callbacks.

Settings select these engines (``wenming.web.db.postgresql``, ``wenming.web.db.sqlite3``) in
place of Django's; a connection without them simply has no ``before_commit`` and callers
fall back to doing their work at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Flush = Callable[[list[Any]], None]


class BeforeCommitMixin:
    """Mixed into a Django ``DatabaseWrapper`` (ahead of it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_commit_items: list[tuple[frozenset[str], Flush, Any]] = []

    def before_commit(self, flush: Flush, item: Any) -> None:
        """Run ``flush(items)`` with every item given for it, in order, inside the current
        transaction just before it commits. Outside a transaction there is nothing to wait
        for: callers check ``in_atomic_block`` first."""
        sids = frozenset(s for s in self.savepoint_ids if s)  # type: ignore[attr-defined]
        self.before_commit_items.append((sids, flush, item))

    def _before_commit_run(self) -> None:
        while self.before_commit_items:
            pending, self.before_commit_items = self.before_commit_items, []
            groups: dict[Flush, list[Any]] = {}
            for _sids, flush, item in pending:
                groups.setdefault(flush, []).append(item)
            for flush, items in groups.items():
                flush(items)

    def commit(self) -> None:
        if self.before_commit_items:
            # Atomic.__exit__ has already left the outermost block; the flush may open nested
            # atomic(savepoint=False) blocks (bulk_create does), which must join this
            # transaction instead of committing it themselves
            self.in_atomic_block = True
            try:
                self._before_commit_run()
            except BaseException:
                self.in_atomic_block = False
                self.rollback()
                raise
            self.in_atomic_block = False
        super().commit()  # type: ignore[misc]

    def rollback(self) -> None:
        self.before_commit_items = []
        super().rollback()  # type: ignore[misc]

    def savepoint_rollback(self, sid: str) -> None:
        super().savepoint_rollback(sid)  # type: ignore[misc]
        self.before_commit_items = [
            entry for entry in self.before_commit_items if sid not in entry[0]
        ]

    def close(self) -> None:
        self.before_commit_items = []
        super().close()  # type: ignore[misc]
