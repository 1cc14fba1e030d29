"""The public answer page's cost stays bounded (issue 18 point 6: 5,000 answers a minute): the
statements of a GET and of a POST are counted, and the shortcuts that keep them few (the
device tally in one statement, an open version's questions and blank form kept per process)
still refuse, flag and show what they did before."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wenming.surveys.answering import Submission, started_stamp, submit
from wenming.surveys.models import DeviceTally, Questionnaire, Response
from wenming.surveys.rules import QuestionSpec
from wenming.surveys.services import (
    SurveyRefused,
    question_add,
    tokens_create,
    version_new,
    version_open,
)

SHEET = {"q_Q1": "满意", "q_Q2": "基本满意", "q_Q3": "满意", "q_Q4": "不满意"}


def _post(client, q, target, page):
    return client.post(
        f"/s/{q.code}/", {"target": target.pk, "started": page.context["started"], **SHEET}
    )


def test_an_answer_costs_two_reads_to_show_and_six_statements_to_take(client, world, survey):
    q, _, target = survey
    with CaptureQueriesContext(connection) as first:
        client.get(f"/s/{q.code}/")
    with CaptureQueriesContext(connection) as shown:
        page = client.get(f"/s/{q.code}/")
    assert page.status_code == 200
    # the questionnaire with its open version; the targets for the list (the questions are
    # read by the process's first page of this version only)
    assert len(shown) == 2 and len(first) == 3, [x["sql"] for x in first]
    with CaptureQueriesContext(connection) as taken:
        sent = _post(client, q, target, page)
    assert sent.status_code == 302
    # the rate-limit counters live in the shared cache (Redis in production; the database's
    # cache table here): not the page's own statements
    statements = [
        x["sql"] for x in taken if "SAVEPOINT" not in x["sql"] and "wenming_cache" not in x["sql"]
    ]
    # questionnaire + version, the chosen target; then in one transaction: the device tally,
    # the sheet, its answers, the target's count (the address allowances are asked for only
    # past the default limit, and then from the shared cache)
    assert len(statements) == 6, statements
    assert not [x for x in statements if "accounts_addressallowance" in x]
    assert statements[2].startswith("INSERT INTO") and "devicetally" in statements[2]
    assert Response.objects.get().answers.count() == 4


def test_one_statement_tally_limits_the_device_and_flags_a_burst(world, survey):
    q, _, target = survey
    target.quota = 20
    target.save()
    Questionnaire.objects.filter(pk=q.pk).update(device_limit=4)
    q.refresh_from_db()

    def send(now):
        return submit(
            Submission(
                questionnaire=q,
                target=target,
                token=None,
                device="phone-1",
                answers={"Q1": ["满意"], "Q2": ["不满意"], "Q3": ["满意"], "Q4": ["满意"]},
                started=started_stamp(now - timedelta(minutes=5)),
            ),
            now=now,
        )

    start = timezone.now()
    flags = [send(start + timedelta(minutes=i)).flags for i in range(3)]
    assert flags == [[], [], ["burst"]]  # the third inside ten minutes
    assert send(start + timedelta(minutes=30)).flags == []  # a new window
    try:
        send(start + timedelta(minutes=31))
        raise AssertionError("the fifth answer of a device limited to four was taken")
    except SurveyRefused as exc:
        assert "本设备已作答" in str(exc)
    tally = DeviceTally.objects.get()
    assert (tally.count, tally.window_count) == (4, 1)
    assert tally.device != "phone-1"  # keyed, never the cookie itself
    assert Response.objects.count() == 4


def test_a_page_with_errors_is_not_the_kept_blank_one_and_a_new_version_shows(
    client, world, survey
):
    q, _, target = survey
    blank = client.get(f"/s/{q.code}/").content.decode()
    assert "第Q1题为必答题" not in blank and "checked" not in blank
    sent = client.post(
        f"/s/{q.code}/", {"target": target.pk, "started": started_stamp(), "q_Q1": "基本满意"}
    ).content.decode()
    assert "第Q2题为必答题" in sent and 'value="基本满意" checked' in sent
    again = client.get(f"/s/{q.code}/").content.decode()
    assert "第Q2题为必答题" not in again and "checked" not in again
    office = world.people.east_office
    new = version_new(actor=office, questionnaire=q)
    question_add(
        actor=office,
        version=new,
        section=new.sections.get(),
        spec=QuestionSpec(key="Q6", text="您对食堂是否满意", kind="satisfaction"),
    )
    version_open(actor=office, version=new)
    page = client.get(f"/s/{q.code}/").content.decode()
    assert "您对食堂是否满意" in page


def _cache_calls(send):
    """The shared cache's calls (each one round trip to Redis) made by ``send()``; the calls a
    backend makes to itself (the database cache's ``get`` asks ``get_many``) are not counted."""
    shared = caches["default"]
    calls: list[str] = []
    depth = [0]

    def counted(name, real):
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    names = ("add", "incr", "get", "set", "get_many", "set_many", "delete")
    patches = [mock.patch.object(shared, n, counted(n, getattr(shared, n))) for n in names]
    for p in patches:
        p.start()
    try:
        response = send()
    finally:
        for p in patches:
            p.stop()
    return response, calls


def test_an_answer_makes_four_round_trips_to_the_shared_cache_and_a_token_two(
    client, world, survey
):
    q, _, target = survey
    target.quota = 10
    target.save()
    page = client.get(f"/s/{q.code}/")
    _post(client, q, target, page)  # the counters' first use in this hour: add alone
    Questionnaire.objects.filter(pk=q.pk).update(device_limit=5)
    page = client.get(f"/s/{q.code}/")
    sent, calls = _cache_calls(lambda: _post(client, q, target, page))
    assert sent.status_code == 302
    # per address and per device django-ratelimit's add, then incr (the address's allowance is
    # read only past the default limit)
    assert calls == ["add", "incr", "add", "incr"]
    token = tokens_create(actor=world.people.east_office, target=target, count=1)[0]
    page = client.get(f"/s/{q.code}/?t={token.code}")
    sent, calls = _cache_calls(
        lambda: client.post(
            f"/s/{q.code}/", {"t": token.code, "started": page.context["started"], **SHEET}
        )
    )
    assert sent.status_code == 302
    assert calls == ["add", "incr"]  # a token answers once: no device count


def test_guessed_tokens_are_held_by_the_address_limit(client, world, survey, settings):
    q, _, _ = survey
    settings.SURVEY_POSTS_PER_HOUR = 3
    caches["default"].clear()
    refused = [
        client.post(f"/s/{q.code}/", {"t": f"guess{i:04d}", "q_Q1": "满意"}).status_code
        for i in range(5)
    ]
    # the first three are told the code is invalid; then the address is refused
    assert refused[:3] == [200, 200, 200] and refused[3:] == [429, 429], refused
    assert not Response.objects.exists()
