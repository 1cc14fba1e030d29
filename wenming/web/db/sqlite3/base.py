"""SQLite: Django's engine with ``before_commit`` (see ``wenming.web.db``)."""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from wenming.web.db import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
