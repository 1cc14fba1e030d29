"""PostgreSQL: Django's engine with ``before_commit`` (see ``wenming.web.db``)."""

from __future__ import annotations

from django.db.backends.postgresql import base

from wenming.web.db import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
