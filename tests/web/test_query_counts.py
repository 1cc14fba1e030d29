"""Query counts of every list page, per role (Zulip style): a page that starts asking the
database once per row, or a new query in the layout, fails here with the counts it made.

The objects are the URL walk's (a few units, an assessment, a campaign with applications, an
on-site assignment). When a change adds a query on purpose, update the number and say why in
the commit. Counts include the session, the user and the top bar (scope, unread notices). A list whose
first page is not full is counted from its rows (wenming.web.paging: no COUNT query).
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.conftest import standard  # noqa: F401
from tests.test_url_walk import objects  # noqa: F401

PAGES = (
    "/",
    "/units/",
    "/todo/",
    "/dashboards/",
    "/campaigns/",
    "/self-assessments/",
    "/ledger/",
    "/rectification/",
    "/onsite/",
    "/notices/",
    "/frameworks/",
    "/titles/",
    "/accounts/",
    "/audit/",
)

# role → page → queries (pages a role may not open answer 403 and are counted too)
EXPECTED: dict[str, dict[str, int]] = {
    "admin": {
        **{"/": 14, "/units/": 8, "/todo/": 13, "/dashboards/": 15, "/campaigns/": 5},
        **{"/self-assessments/": 5, "/ledger/": 8, "/rectification/": 14, "/onsite/": 6},
        **{"/notices/": 5, "/frameworks/": 5, "/titles/": 6, "/accounts/": 7, "/audit/": 8},
    },
    "city_office": {
        **{"/": 16, "/units/": 8, "/todo/": 15, "/dashboards/": 14, "/campaigns/": 5},
        **{"/self-assessments/": 5, "/ledger/": 8, "/rectification/": 16, "/onsite/": 6},
        **{"/notices/": 5, "/frameworks/": 5, "/titles/": 6, "/accounts/": 7, "/audit/": 8},
    },
    "supervisor": {
        **{"/": 13, "/units/": 7, "/todo/": 12, "/dashboards/": 14, "/campaigns/": 6},
        **{"/self-assessments/": 5, "/ledger/": 8, "/rectification/": 13, "/onsite/": 7},
        **{"/notices/": 5, "/frameworks/": 5, "/titles/": 4, "/accounts/": 4, "/audit/": 4},
    },
    "unit_admin": {
        **{"/": 13, "/units/": 7, "/todo/": 12, "/dashboards/": 4, "/campaigns/": 6},
        **{"/self-assessments/": 7, "/ledger/": 9, "/rectification/": 13, "/onsite/": 7},
        **{"/notices/": 5, "/frameworks/": 5, "/titles/": 4, "/accounts/": 4, "/audit/": 4},
    },
    "expert": {
        **{"/": 13, "/units/": 6, "/todo/": 12, "/dashboards/": 5, "/campaigns/": 5},
        **{"/self-assessments/": 5, "/ledger/": 5, "/rectification/": 12, "/onsite/": 6},
        **{"/notices/": 6, "/frameworks/": 6, "/titles/": 5, "/accounts/": 5, "/audit/": 5},
    },
}


def counts_for(client, person) -> dict[str, int]:
    client.force_login(person)
    client.get("/")  # the first request of a session may fill per-process caches
    found = {}
    for page in PAGES:
        with CaptureQueriesContext(connection) as captured:
            client.get(page)
        found[page] = len(captured.captured_queries)
    return found


def test_list_page_query_counts(client, objects):  # noqa: F811
    """One walk for every role (the objects are built once: the test stays cheap)."""
    found = {role: counts_for(client, getattr(objects.people, role)) for role in EXPECTED}
    assert found == EXPECTED


def test_the_todo_list_is_kept_until_a_change_commits(
    client,
    objects,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    """With the to-do cache on (production), a second visit reads the list in one cache query
    instead of every provider's; an audited change that commits makes the next visit recompute."""
    from wenming.audit.services import audit_record

    settings.TODO_CACHE_SECONDS = 30
    office = objects.people.city_office
    client.force_login(office)
    client.get("/notices/")
    with CaptureQueriesContext(connection) as computed:
        client.get("/todo/")
    with CaptureQueriesContext(connection) as kept:
        client.get("/todo/")
    assert len(kept.captured_queries) <= len(computed.captured_queries) - 8
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=office, action="unit.update", obj=objects.s1, field="name")
    with CaptureQueriesContext(connection) as recomputed:
        client.get("/todo/")
    assert len(recomputed.captured_queries) > len(kept.captured_queries)
