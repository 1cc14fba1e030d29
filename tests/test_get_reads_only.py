"""GET never writes: every URL of the walk, opened with GET by every role, runs only reads.

The URLs, roles and objects are the URL walk's (tests/test_url_walk.py); a write on GET would
be a state change no one asked for, with no CSRF token and no audit row behind it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.conftest import standard  # noqa: F401
from tests.test_url_walk import EXPECTED, ROLES, objects  # noqa: F401

# statements that read or only frame a transaction
READS = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")

# GETs that write on purpose: page → the one statement it may run, with the reason.
ALLOWED_WRITES = {
    # a read receipt: the recipient opening a notice is the fact the sender is waiting for
    # (未读 → 已读), set once by a compare-and-set on read_at IS NULL, nothing else changes
    "notices:detail": 'UPDATE "notices_notice" SET "read_at" = ',
}


def is_read(sql: str) -> bool:
    text = sql.lstrip().upper()
    if text.startswith("DECLARE"):  # a PostgreSQL server-side cursor (QuerySet.iterator())
        text = text.partition(" CURSOR FOR ")[2]
    if text.startswith("WITH"):
        return not any(f" {w} " in text for w in ("INSERT", "UPDATE", "DELETE"))
    return text.startswith(READS)


def writes_of(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"][:200] for q in queries if not is_read(q["sql"])]


@pytest.mark.parametrize("role", ROLES)
def test_no_get_writes_to_the_database(client, objects, role):  # noqa: F811
    if role != "anonymous":
        client.force_login(getattr(objects.people, role))  # the login's writes are not counted
    found = {}
    for name, (build, *_) in EXPECTED.items():
        url = build(objects)  # a builder may set up what its page shows: not the page's work
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        allowed = ALLOWED_WRITES.get(name)
        writes = [
            w for w in writes_of(captured.captured_queries) if not allowed or allowed not in w
        ]
        if writes:
            found[name] = writes
    assert found == {}


def test_the_check_sees_a_write():
    assert writes_of([{"sql": "SELECT 1"}, {"sql": 'UPDATE "x" SET y = 1'}]) == [
        'UPDATE "x" SET y = 1'
    ]
    assert writes_of([{"sql": "SAVEPOINT s1"}, {"sql": "RELEASE SAVEPOINT s1"}]) == []
    assert writes_of([{"sql": 'DECLARE "c1" NO SCROLL CURSOR FOR SELECT 1'}]) == []
    assert writes_of([{"sql": "WITH x AS (SELECT 1) DELETE FROM y"}]) != []
