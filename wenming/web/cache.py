"""The database cache with an atomic increment, for rate-limit counters shared by every process."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


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
