"""Webhooks out, against a real receiver on 127.0.0.1: signed deliveries of the subscribed
events of the subscribed region, retried with back-off, listed with the answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from wenming.rectification.services import problem_create, problems_escalate
from wenming.titles.services import title_grant, title_revoke
from wenming.webhooks.models import Delivery, DeliveryState
from wenming.webhooks.sending import MAX_ATTEMPTS, backoff, delivery_attempt
from wenming.webhooks.services import WebhookRefused, subscription_create


class Receiver:
    """An HTTP server in a thread that records what it gets and answers ``statuses`` in turn
    (then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write("收到".encode() if status == 200 else b"busy")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def send_pending() -> None:
    """What the worker does: every pending delivery, once."""
    for pk in (
        Delivery.objects.filter(state=DeliveryState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        delivery_attempt(pk)


def subscribe(world, receiver, events, region=None):
    return subscription_create(
        actor=world.people.east_office,
        name="大屏",
        url=receiver.url,
        events=events,
        region_id=(region or world.east).pk,
    )


def grant(world, unit):
    return title_grant(
        actor=world.people.east_office,
        unit=unit,
        name="区级文明校园",
        kind="文明校园",
        level="district",
        year=2026,
        term_years=3,
        naming_authority=world.east,
    )


def test_title_granted_and_revoked_are_delivered_signed(
    world, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(world, receiver, ["title.granted", "title.revoked"])
    with django_capture_on_commit_callbacks(execute=True):
        title = grant(world, world.s1)
    with django_capture_on_commit_callbacks(execute=True):
        title_revoke(actor=world.people.east_office, title=title, reason="发生否决事项")
    send_pending()
    assert [json.loads(r["body"])["event"] for r in receiver.received] == [
        "title.granted",
        "title.revoked",
    ]
    got = receiver.received[0]
    body, headers = got["body"], got["headers"]
    expected = hmac.new(
        subscription.secret.encode(),
        headers["X-Wenming-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Wenming-Signature"] == f"sha256={expected}"
    assert json.loads(body)["data"]["unit_name"] == "江东区第一小学"
    delivered = Delivery.objects.filter(state=DeliveryState.DELIVERED)
    assert delivered.count() == 2
    assert {d.last_response for d in delivered} == {"收到"}


def test_only_the_subscribed_region_and_events_are_sent(
    world, receiver, django_capture_on_commit_callbacks
):
    subscribe(world, receiver, ["title.revoked"])
    with django_capture_on_commit_callbacks(execute=True):
        grant(world, world.s1)  # not subscribed
        grant(world, world.other)  # another district
    assert not Delivery.objects.exists()


def test_a_failing_receiver_is_retried_with_back_off(
    world, receiver, django_capture_on_commit_callbacks
):
    subscribe(world, receiver, ["title.granted"])
    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        grant(world, world.s1)
    delivery = Delivery.objects.get()
    retry_at = delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.last_status == 503 and "503" in delivery.last_error
    assert retry_at is not None and retry_at - timezone.now() <= backoff(1)
    assert backoff(2) == 4 * backoff(1)
    assert delivery_attempt(delivery.pk) is None  # the next attempt gets through
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    # two ids, the same event: the receiver can tell a retry by X-Wenming-Delivery
    assert {r["headers"]["X-Wenming-Delivery"] for r in receiver.received} == {str(delivery.pk)}


def test_an_unreachable_receiver_gives_up_after_the_last_attempt(
    world, receiver, django_capture_on_commit_callbacks
):
    subscribe(world, receiver, ["title.granted"])
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        grant(world, world.s1)
    delivery = Delivery.objects.get()
    for _ in range(MAX_ATTEMPTS):
        delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert "无法连接" in delivery.last_error
    receiver.server = type(
        "Stopped", (), {"shutdown": lambda s: None, "server_close": lambda s: None}
    )()


def test_an_overdue_problem_is_delivered(
    world, receiver, django_capture_on_commit_callbacks, settings
):
    settings.ESCALATION_GRACE_DAYS = 3
    subscribe(world, receiver, ["problem.overdue"])
    problem_create(
        actor=world.people.east_office,
        unit=world.s1,
        source="patrol",
        title="操场破损",
        found_on=date(2026, 1, 1),
        deadline=date(2026, 1, 10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert problems_escalate(today=date(2026, 1, 14)) == 1
    send_pending()
    body = json.loads(receiver.received[0]["body"])
    assert body["event"] == "problem.overdue" and body["data"]["overdue_days"] == 4


def test_a_change_rolled_back_sends_nothing(world, receiver):
    subscribe(world, receiver, ["title.granted"])
    grant(world, world.s1)  # the test's transaction never commits: on_commit never runs
    assert not Delivery.objects.exists()


def test_subscriptions_are_for_offices_within_their_region(world, receiver):
    with pytest.raises(WebhookRefused):
        subscription_create(
            actor=world.people.filler,
            name="x",
            url=receiver.url,
            events=["title.granted"],
            region_id=world.east.pk,
        )
    with pytest.raises(WebhookRefused, match="辖区"):
        subscribe(world, receiver, ["title.granted"], region=world.west)
    with pytest.raises(WebhookRefused, match="网址"):
        subscription_create(
            actor=world.people.east_office,
            name="x",
            url="file:///etc/passwd",
            events=["title.granted"],
            region_id=world.east.pk,
        )


def test_the_pages_list_deliveries_with_answers(
    client, world, receiver, django_capture_on_commit_callbacks
):
    client.force_login(world.people.east_office)
    response = client.post(
        reverse("webhooks:list"),
        {
            "name": "省平台",
            "url": receiver.url,
            "region": world.east.pk,
            "events": ["title.granted"],
        },
    )
    assert response.status_code == 200 and "已订阅" in response.content.decode()
    subscription = world.east.subscription_set.get()
    with django_capture_on_commit_callbacks(execute=True):
        grant(world, world.s1)
    send_pending()
    html = client.get(reverse("webhooks:detail", args=[subscription.pk])).content.decode()
    assert "已送达" in html and "收到" in html and "授予称号" in html
    client.force_login(world.people.city_office)  # above: sees it
    assert client.get(reverse("webhooks:detail", args=[subscription.pk])).status_code == 200
    client.force_login(world.people.filler)
    assert client.get(reverse("webhooks:list")).status_code == 403
    client.force_login(world.people.east_office)
    client.post(reverse("webhooks:stop", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active is False
    assert timezone.now() - subscription.created_at < timedelta(minutes=5)


def test_only_hosts_the_administrator_allows_are_subscribed_or_called(
    client, settings, world, receiver, django_capture_on_commit_callbacks
):
    """WENMING_WEBHOOK_HOSTS narrows where the server may send: a subscription to another
    host is refused on the form, and one saved before the list was narrowed is not called."""
    subscription = subscribe(world, receiver, ["title.granted"])
    settings.WEBHOOK_HOSTS = ["*.gov.cn", "10.0.0.8"]
    client.force_login(world.people.east_office)
    form = {"name": "内网", "region": world.east.pk, "events": ["title.granted"]}
    html = client.post(reverse("webhooks:list"), form | {"url": receiver.url}).content.decode()
    assert "接收地址不在系统管理员允许的范围内" in html
    assert world.east.subscription_set.count() == 1
    for allowed in ("https://dp.jd.gov.cn/hook", "http://10.0.0.8/hook"):
        assert (
            "已订阅"
            in client.post(reverse("webhooks:list"), form | {"url": allowed}).content.decode()
        )
    assert world.east.subscription_set.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        grant(world, world.s1)
    delivery = Delivery.objects.get(subscription=subscription)
    delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert receiver.received == []
    assert delivery.last_error == "接收地址不在系统管理员允许的范围内"
