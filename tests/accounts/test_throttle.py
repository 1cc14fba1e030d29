"""Guessing passwords slows the guesser down, never locks the owner out; every login is audited."""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wenming.accounts import throttle
from wenming.accounts.models import AddressAllowance, LoginThrottle
from wenming.accounts.throttle import (
    ACCOUNT_THRESHOLD,
    FREE_FAILURES,
    MAX_ACCOUNT_DELAY,
    login_attempt_reserve,
)
from wenming.audit.models import AuditEvent

PASSWORD = "Strong-pass-2026"
GUESSER = "203.0.113.5"
OWNER_DESK = "198.51.100.7"
WRONG = "用户名或密码不正确"


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Stands in for the throttle's clock so that delays can be waited out in a test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch.object(throttle, "_now", lambda: c.now):
        yield c


def login(client, username, password=PASSWORD, address=GUESSER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_guessing_storm_slows_the_guesser_and_the_owner_still_logs_in_elsewhere(
    client, world, clock
):
    for _ in range(FREE_FAILURES):
        assert WRONG in login(client, "filler", "wrong").content.decode()
    for _ in range(25):
        page = login(client, "filler", "wrong").content.decode()
        assert "登录尝试过于频繁,请1秒后再试" in page
    # even the right password waits at the guesser's address: a delay, not a verdict
    assert "登录尝试过于频繁" in login(client, "filler").content.decode()
    # the owner at another address is let in at once
    assert login(Client(), "filler", address=OWNER_DESK)["Location"] == "/"
    pair = LoginThrottle.objects.get(username="filler", address=GUESSER)
    assert (pair.failures, pair.refused) == (FREE_FAILURES, 26)


def test_delays_double_after_each_further_failure_and_are_capped(client, world, clock):
    for _ in range(FREE_FAILURES):
        login(client, "filler", "wrong")
    waits = []
    for _ in range(12):
        page = login(client, "filler", "wrong").content.decode()
        assert "登录尝试过于频繁" in page
        wait = login_attempt_reserve(username="filler", address=GUESSER)
        waits.append(wait)
        clock.advance(wait)
        assert WRONG in login(client, "filler", "wrong").content.decode()
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert waits[-1] == throttle.MAX_PAIR_DELAY  # 15 minutes, however long the storm
    # after the wait the right password is accepted and the pair starts afresh
    clock.advance(throttle.MAX_PAIR_DELAY)
    assert login(client, "filler")["Location"] == "/"
    pair = LoginThrottle.objects.get(username="filler", address=GUESSER)
    assert pair.failures == 0 and pair.last_success_at == clock.now


def test_many_addresses_slow_the_account_a_little_but_not_its_usual_desk(world, clock):
    desk = LoginThrottle.objects.create(
        username="filler", address=OWNER_DESK, last_success_at=clock.now - timedelta(days=3)
    )
    for i in range(ACCOUNT_THRESHOLD):
        assert login_attempt_reserve(username="filler", address=f"192.0.2.{i + 1}") == 0
    account = LoginThrottle.objects.get(username="filler", address="")
    assert account.failures == ACCOUNT_THRESHOLD
    # a new address now waits (at most a minute), the owner's usual desk does not
    wait = login_attempt_reserve(username="filler", address="192.0.2.200")
    assert 0 < wait <= MAX_ACCOUNT_DELAY
    assert login_attempt_reserve(username="filler", address=desk.address) == 0
    clock.advance(3 * 3600 * 24)  # counts start afresh after a quiet day
    assert login_attempt_reserve(username="filler", address="192.0.2.201") == 0


def test_logins_are_audited_with_the_address(client, world):
    login(client, "filler", "wrong")
    login(client, "nobody-here", "wrong")
    login(Client(), "filler", address=OWNER_DESK)
    failures = AuditEvent.objects.filter(action="login.failure").order_by("id")
    assert [(e.object_label, e.comment) for e in failures] == [
        (str(world.people.filler), f"来自 {GUESSER}"),
        (f"nobody-here @ {GUESSER}", f"来自 {GUESSER}"),
    ]
    success = AuditEvent.objects.get(action="login.success")
    assert success.actor == world.people.filler and success.comment == f"来自 {OWNER_DESK}"


def test_failures_per_address_get_a_429_page_and_a_nat_gateway_can_be_allowed_more(
    client, world, monkeypatch
):
    monkeypatch.setattr(throttle, "LOGIN_FAILURES_PER_HOUR", 3)
    for name in ("a1", "a2", "a3", "a4"):  # different names: only the address limit applies
        assert login(client, name, "wrong").status_code == 200
    response = login(client, "filler")
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not AuditEvent.objects.filter(action="login.success").exists()
    # other addresses are not affected
    assert login(Client(), "head", address=OWNER_DESK)["Location"] == "/"
    # the administrator lists the organisation's NAT range with its own limit
    admin = Client()
    admin.force_login(world.people.admin)
    response = admin.post(
        reverse("accounts:allowance_new"),
        {
            "network": "203.0.113.0/24",
            "login_failures_per_hour": "500",
            "posts_per_hour": "200",
            "note": "区政务外网出口",
        },
    )
    assert response["Location"] == reverse("accounts:throttles")
    allowance = AddressAllowance.objects.get()
    assert AuditEvent.objects.filter(action="login.allowance_set", object_id=allowance.pk).exists()
    assert login(client, "filler")["Location"] == "/"


def test_allowance_form_refuses_bad_ranges_in_chinese_and_offices_may_not_edit(client, world):
    client.force_login(world.people.admin)
    page = client.post(
        reverse("accounts:allowance_new"),
        {"network": "10.0.0.0/4", "login_failures_per_hour": "0", "posts_per_hour": "5"},
    ).content.decode()
    assert "网段过大" in page and "请填写 1 至 100000 之间的整数" in page
    page = client.post(
        reverse("accounts:allowance_new"),
        {"network": "not-an-address", "login_failures_per_hour": "5", "posts_per_hour": "5"},
    ).content.decode()
    assert "请填写正确的地址或网段" in page
    assert not AddressAllowance.objects.exists()
    client.force_login(world.people.east_office)
    assert client.get(reverse("accounts:allowance_new")).status_code == 403


def test_the_most_specific_allowance_applies(world):
    AddressAllowance.objects.create(
        network="10.0.0.0/8", login_failures_per_hour=100, posts_per_hour=10
    )
    narrow = AddressAllowance.objects.create(
        network="10.1.2.0/24", login_failures_per_hour=900, posts_per_hour=10
    )
    found = throttle.address_allowance("10.1.2.3")
    assert found is not None and (found.pk, found.login_failures_per_hour) == (narrow.pk, 900)
    wide = throttle.address_allowance("10.9.9.9")
    assert wide is not None and wide.network == "10.0.0.0/8"
    assert throttle.address_allowance("2001:db8::1") is None
    assert throttle.address_allowance("") is None


def test_an_office_sees_its_regions_delays_and_clears_one(client, world, clock):
    for username in ("filler", "other_filler", "nobody-here"):
        for _ in range(FREE_FAILURES):
            login(client, username, "wrong")
    client.force_login(world.people.east_office)
    page = client.get(reverse("accounts:throttles")).content.decode()
    assert "filler" in page and "other_filler" not in page and "nobody-here" not in page
    assert "须等待 1 秒" in page
    pair = LoginThrottle.objects.get(username="filler", address=GUESSER)
    foreign = LoginThrottle.objects.get(username="other_filler", address=GUESSER)
    assert client.post(reverse("accounts:throttle_clear", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("accounts:throttle_clear", args=[pair.pk]))
    assert response["Location"] == reverse("accounts:throttles")
    pair.refresh_from_db()
    assert pair.failures == 0
    event = AuditEvent.objects.get(action="login.throttle_clear")
    assert (event.actor, event.old, event.object_id) == (
        world.people.east_office,
        f"失败{FREE_FAILURES}次",
        str(pair.pk),
    )
    assert login(Client(), "filler", "wrong").status_code == 200  # checked again at once
    # the system administrator sees every account, unknown names too
    client.force_login(world.people.admin)
    page = client.get(reverse("accounts:throttles")).content.decode()
    assert "other_filler" in page and "nobody-here" in page
    client.force_login(world.people.filler)
    assert client.get(reverse("accounts:throttles")).status_code == 403


def test_a_password_reset_clears_the_delays(client, world):
    for _ in range(FREE_FAILURES + 1):
        login(client, "filler", "wrong")
    client.force_login(world.people.east_office)
    client.post(reverse("accounts:reset", args=[world.people.filler.pk]))
    assert not LoginThrottle.objects.filter(username="filler", failures__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_are_all_counted_and_only_the_free_ones_checked(world, clock):
    if connection.vendor != "postgresql":
        print("\n[跳过] 并发测试在PostgreSQL上运行(CI的PostgreSQL轮次)")
        pytest.skip("concurrency is proven on PostgreSQL")
    from django.contrib import auth
    from django.contrib.auth import forms as auth_forms

    real = auth.authenticate  # the function auth_forms imported and calls
    checked: list[str] = []

    def counting(*args, **kwargs):
        checked.append(kwargs["username"])
        return real(*args, **kwargs)

    barrier = threading.Barrier(25)
    pages: list[str] = []

    def guess() -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            pages.append(login(Client(), "filler", "wrong").content.decode())
        finally:
            own.close()

    with mock.patch.object(auth_forms, "authenticate", counting):
        threads = [threading.Thread(target=guess) for _ in range(25)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(pages) == 25
    assert len(checked) == FREE_FAILURES
    assert sum(WRONG in p for p in pages) == FREE_FAILURES
    assert sum("登录尝试过于频繁" in p for p in pages) == 25 - FREE_FAILURES
    for address in (GUESSER, ""):
        row = LoginThrottle.objects.get(username="filler", address=address)
        assert (row.failures, row.refused) == (FREE_FAILURES, 25 - FREE_FAILURES)
    assert AuditEvent.objects.filter(action="login.failure").count() == FREE_FAILURES


def _limit_for(address: str, group: str = "public-post") -> int:
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    return throttle.address_limit(request, group)


def test_an_allowance_set_or_removed_by_the_administrator_holds_from_the_next_request(world):
    admin = Client()
    admin.force_login(world.people.admin)
    assert _limit_for("203.0.113.9") == throttle.PUBLIC_POSTS_PER_HOUR  # kept: no allowance
    response = admin.post(
        reverse("accounts:allowance_new"),
        {"network": "203.0.113.0/24", "login_failures_per_hour": "500", "posts_per_hour": "200"},
    )
    assert response.status_code == 302
    assert _limit_for("203.0.113.9") == 200
    assert _limit_for("203.0.113.9", "login") == 500
    assert _limit_for("198.51.100.1") == throttle.PUBLIC_POSTS_PER_HOUR
    allowance = AddressAllowance.objects.get()
    admin.post(reverse("accounts:allowance_remove", args=[allowance.pk]))
    assert _limit_for("203.0.113.9") == throttle.PUBLIC_POSTS_PER_HOUR


def test_the_allowances_are_read_from_the_table_once_then_from_the_shared_cache(world):
    AddressAllowance.objects.create(
        network="203.0.113.0/24", login_failures_per_hour=60, posts_per_hour=300
    )
    with CaptureQueriesContext(connection) as first:
        assert _limit_for("203.0.113.9") == 300
    with CaptureQueriesContext(connection) as warm:
        assert _limit_for("203.0.113.9") == 300
        assert _limit_for("198.51.100.1") == throttle.PUBLIC_POSTS_PER_HOUR
    table = "accounts_addressallowance"
    assert sum(table in x["sql"] for x in first) == 1
    assert not [x["sql"] for x in warm if table in x["sql"]]
    # one request asks once, however many of its counters need the limit
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    with mock.patch.object(throttle, "allowances", wraps=throttle.allowances) as read:
        throttle.address_limit(request, "public-post")
        throttle.address_limit(request, "login")
    assert read.call_count == 1
    # a change made by any way in (the shell, the admin) drops the kept copy
    AddressAllowance.objects.filter(network="203.0.113.0/24").get().delete()
    assert _limit_for("203.0.113.9") == throttle.PUBLIC_POSTS_PER_HOUR


def test_the_allowance_is_asked_only_past_the_default_and_raises_never_lowers(world):
    def post(address):
        request = RequestFactory().post("/", REMOTE_ADDR=address)
        with mock.patch.object(throttle, "allowances", wraps=throttle.allowances) as read:
            usage = throttle.address_usage(request, group="public-post", count=True)
        return usage.limited, read.call_count

    AddressAllowance.objects.create(
        network="203.0.113.0/24", login_failures_per_hour=60, posts_per_hour=12
    )
    AddressAllowance.objects.create(
        network="198.51.100.0/24", login_failures_per_hour=60, posts_per_hour=2
    )
    within = [post("203.0.113.9") for _ in range(throttle.PUBLIC_POSTS_PER_HOUR)]
    assert within == [(False, 0)] * throttle.PUBLIC_POSTS_PER_HOUR  # no look-up at all
    assert [post("203.0.113.9") for _ in range(3)] == [(False, 1), (False, 1), (True, 1)]
    lowered = [post("198.51.100.7")[0] for _ in range(throttle.PUBLIC_POSTS_PER_HOUR + 1)]
    assert lowered == [False] * throttle.PUBLIC_POSTS_PER_HOUR + [True]
