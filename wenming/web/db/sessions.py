"""Django's database sessions, read with a query written once per process.

Every logged-in request loads its session; Django builds and compiles that query each time
(about 0.5 ms of CPU, more than the query itself). The same row is read here through
``wenming.web.db.prepared``; the expiry is checked on the row, as Django checks it in SQL.
``SESSION_ENGINE = "wenming.web.db.sessions"`` (settings, when sessions are not in Redis).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from wenming.web.db.prepared import Prepared

_BY_KEY = Prepared(lambda key: Session.objects.filter(session_key=key).first())


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is not None:
            sql, params = _BY_KEY.sql(key)
            for found in Session.objects.raw(sql, params):
                if found.expire_date > timezone.now():
                    return found
        self._session_key = None
        return None
