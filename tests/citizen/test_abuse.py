"""Floods of public posts are held per address and per device (django-ratelimit counters), for
citizen reports and the existing objection form alike; refusals are Chinese 429 pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.test_objection_abuse import listed, objection  # noqa: F401
from tests.citizen.test_report_filing import file_report
from wenming.accounts import throttle
from wenming.accounts.models import AddressAllowance
from wenming.campaigns.models import Objection
from wenming.citizen.models import CitizenReport


def phone() -> Client:
    """A browser that opened the public page first, so it carries a device cookie."""
    client = Client()
    client.get(reverse("report:home"))
    assert throttle.DEVICE_COOKIE in client.cookies
    return client


def test_one_address_is_held_after_the_limit(district):
    for _ in range(throttle.PUBLIC_POSTS_PER_HOUR):
        assert file_report(Client(), district).status_code == 302
    response = file_report(Client(), district)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert CitizenReport.objects.count() == throttle.PUBLIC_POSTS_PER_HOUR
    assert file_report(Client(), district, address="198.51.100.7").status_code == 302


def test_one_device_is_held_even_behind_a_generous_shared_address(district):
    AddressAllowance.objects.create(
        network="203.0.113.0/24", login_failures_per_hour=60, posts_per_hour=500
    )
    device = phone()
    statuses = [
        file_report(device, district).status_code for _ in range(throttle.PUBLIC_POSTS_PER_DEVICE)
    ]
    assert statuses == [302] * throttle.PUBLIC_POSTS_PER_DEVICE
    assert file_report(device, district).status_code == 429
    # another phone behind the same address still files
    assert file_report(phone(), district).status_code == 302


def test_a_forged_device_cookie_counts_as_no_device(district):
    client = Client()
    client.cookies[throttle.DEVICE_COOKIE] = "forged"
    assert file_report(client, district).status_code == 302
    assert throttle.DEVICE_COOKIE in client.cookies  # a real one is handed out instead


def test_the_objection_form_is_limited_per_device_too(listed):  # noqa: F811
    AddressAllowance.objects.create(
        network="203.0.113.0/24", login_failures_per_hour=60, posts_per_hour=500
    )
    device = Client()
    device.get(reverse("campaigns:public", args=[listed.campaign_id]))
    assert throttle.DEVICE_COOKIE in device.cookies
    statuses = [
        objection(listed, client=device).status_code
        for _ in range(throttle.PUBLIC_POSTS_PER_DEVICE + 1)
    ]
    assert statuses == [302] * throttle.PUBLIC_POSTS_PER_DEVICE + [429]
    assert Objection.objects.count() == throttle.PUBLIC_POSTS_PER_DEVICE
