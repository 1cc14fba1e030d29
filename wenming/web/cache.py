"""Shared caching: the database cache with an atomic increment (rate-limit counters shared by
every process), and values kept until an audited change commits (``kept_until_changed``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

T = TypeVar("T")


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache; ``incr`` locks the row first (the base class reads then writes).

    PostgreSQL takes the lock with ``SELECT … FOR UPDATE``; SQLite runs every transaction in
    IMMEDIATE mode (see settings), which already serialises writers.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self.cache_model_class._meta.db_table)
                made = self.make_and_validate_key(key, version=version)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                        [made],
                    )
            return super().incr(key, delta, version)


GENERATION_KEY = "generation"


def kept_until_changed(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept for ``TODO_CACHE_SECONDS`` in the ``todo`` cache under ``key``
    together with the generation it was computed in. Any audited change or notice that commits
    starts a new generation (:func:`kept_values_changed`), so a kept value is never older than the
    last commit that could have changed it (the generation is read before computing: a change
    committed while computing makes the kept value stale at once). For what is computed only
    from audited state: the to-do lists, the dashboards' figures, lists' filter choices.
    The value must pickle; a key that depends on who asks names their scope (``scope_key``)."""
    seconds = settings.TODO_CACHE_SECONDS
    if not seconds:
        return compute()
    cache = caches["todo"]
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return cast(T, kept[1])
    value = compute()
    cache.set(key, (generation, value), seconds)
    return value


def kept_values_changed() -> None:
    """Every value kept by ``kept_until_changed`` is out of date once the current transaction
    commits (at once outside one). Called when an audit event, notice or role grant is saved
    (signals, ``wenming.notices.apps``) and after work that changes kept state without an
    audit event (the dashboards' rebuild)."""
    if not settings.TODO_CACHE_SECONDS:
        return
    # once per transaction: a synced batch saves 30 audit events, one new generation is enough
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is _generation_new for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_generation_new, robust=True)


def _generation_new() -> None:
    caches["todo"].set(GENERATION_KEY, uuid.uuid4().hex, None)
