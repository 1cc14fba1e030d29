"""Guessing and flooding: login delays per account, limits per address, public form floods.

Login (see :func:`login_attempt_reserve`) — nobody can keep a real user out:

* Each (account, address) pair has its own count. The first ``FREE_FAILURES`` wrong passwords
  cost nothing; after that each further try must wait ``2 ** (n - FREE_FAILURES)`` seconds
  after the last failure, at most ``MAX_PAIR_DELAY``. A guesser at one address therefore slows
  down only itself: the same account from another address is not touched, and the right
  password is accepted there at once.
* The account as a whole (all addresses) is slowed only past ``ACCOUNT_THRESHOLD`` failures,
  a count no person reaches by mistyping, and then by at most ``MAX_ACCOUNT_DELAY`` seconds,
  so a distributed guesser gets about one try a minute while the owner still gets in. An
  address from which the account logged in within ``KNOWN_FOR`` is exempt from this
  account-wide delay, so the owner's usual desk is never slowed by others' guesses.
* The attempt is counted *before* the password is checked, under a row lock, so 25 parallel
  guesses are 25 counted attempts and only the allowed ones reach the password check. A
  success resets the pair and gives back the one attempt it reserved on the account.
* Per address (all accounts), failed logins are limited to ``LOGIN_FAILURES_PER_HOUR``; an
  address or range listed as an :class:`AddressAllowance` (a NAT gateway in front of a
  whole organisation) has a larger limit (an allowance raises a limit, never lowers it).
  These counters live in the shared cache (django-ratelimit). The allowances are kept,
  parsed, in the shared cache too, and asked for only by a count past the default limit.

Public forms (objections, citizen reports, later surveys) count every POST twice, both in the
shared cache through django-ratelimit: per address (``PUBLIC_POSTS_PER_HOUR``, or the address's
allowance) and per device (``PUBLIC_POSTS_PER_DEVICE``). A device is a random id in a signed
cookie the public pages hand out (:func:`device_cookie_ensure`); it matters where many phones
share one address (an allowance raises the address's limit, each phone keeps its own). A POST
without a valid device cookie is held by the address limit alone.

Counts start afresh after ``RESET_AFTER`` without failures. An office clears a row from the
page ``accounts:throttles`` (audited).
"""

from __future__ import annotations

import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]

from wenming.accounts.models import AddressAllowance, LoginThrottle
from wenming.audit.services import audit_record

FREE_FAILURES = 5
MAX_PAIR_DELAY = 15 * 60
ACCOUNT_THRESHOLD = 50
MAX_ACCOUNT_DELAY = 60
KNOWN_FOR = timedelta(days=30)
RESET_AFTER = timedelta(hours=24)
LOGIN_FAILURES_PER_HOUR = 60
PUBLIC_POSTS_PER_HOUR = 10
PUBLIC_POSTS_PER_DEVICE = 6  # per hour, whatever the address
# the public questionnaire page: per address settings.SURVEY_POSTS_PER_HOUR (or the allowance)
SURVEY_GROUP = "survey-answer"
SURVEY_POSTS_PER_DEVICE = 30
DEVICE_COOKIE = "wm_device"
DEVICE_SALT = "wenming.device"
DEVICE_MAX_AGE = 365 * 24 * 3600

THROTTLED = "登录尝试过于频繁,请{wait}后再试"
TOO_MANY = "提交过于频繁,请{wait}后再试"


def _now() -> datetime:
    return timezone.now()


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    return f"{math.ceil(seconds / 60)}分钟"


def client_address(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


# -- per address (shared cache) ---------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """An :class:`AddressAllowance` as the limits read it: its range parsed once."""

    pk: int
    network: str
    login_failures_per_hour: int
    posts_per_hour: int
    parsed: ipaddress.IPv4Network | ipaddress.IPv6Network


ALLOWANCES_KEY = "throttle:allowances"
ALLOWANCES_SECONDS = 24 * 3600  # dropped at every change; the timeout only bounds a lost drop
_REQUEST_ATTR = "_wenming_allowance"


def allowances() -> list[Allowance]:
    """Every allowance, most specific range first, from the shared cache (one ``get``; read
    from the table and kept on a miss). Writes drop the entry (:func:`allowances_changed`)."""
    kept = cache.get(ALLOWANCES_KEY)
    if kept is not None:
        return list(kept)
    rows = AddressAllowance.objects.values_list(
        "pk", "network", "login_failures_per_hour", "posts_per_hour"
    )
    out = [
        Allowance(pk, network, login, posts, ipaddress.ip_network(network, strict=False))
        for pk, network, login, posts in rows
    ]
    out.sort(key=lambda a: -a.parsed.prefixlen)
    cache.set(ALLOWANCES_KEY, out, ALLOWANCES_SECONDS)
    return out


def allowances_changed(**_: object) -> None:
    """Drop the kept allowances now and again when the transaction commits (a request between
    the two may have kept the old rows): the next request reads the table."""
    cache.delete(ALLOWANCES_KEY)
    transaction.on_commit(lambda: cache.delete(ALLOWANCES_KEY))


def address_allowance(address: str) -> Allowance | None:
    """The most specific allowance whose range holds the address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    for allowance in allowances():  # most specific first
        if ip.version == allowance.parsed.version and ip in allowance.parsed:
            return allowance
    return None


def _request_allowance(request: HttpRequest) -> Allowance | None:
    """The request's allowance, looked up once per request (both address groups ask)."""
    try:
        return getattr(request, _REQUEST_ATTR)  # type: ignore[no-any-return]
    except AttributeError:
        allowance = address_allowance(client_address(request))
        setattr(request, _REQUEST_ATTR, allowance)
        return allowance


def _default_per_hour(group: str) -> int:
    if group == "login":
        return LOGIN_FAILURES_PER_HOUR
    if group == SURVEY_GROUP:  # a questionnaire takes many answers from one place
        return int(settings.SURVEY_POSTS_PER_HOUR)
    return PUBLIC_POSTS_PER_HOUR


def address_limit(request: HttpRequest, group: str) -> int:
    """The address's limit for ``group`` in an hour: the default, or its allowance's when
    larger (an allowance raises a shared address's limit, never lowers it)."""
    default = _default_per_hour(group)
    allowance = _request_allowance(request)
    if allowance is None:
        return default
    given = allowance.login_failures_per_hour if group == "login" else allowance.posts_per_hour
    return max(default, given)


@dataclass(frozen=True)
class Usage:
    limited: bool
    retry_after: int


def address_usage(request: HttpRequest, *, group: str, count: bool) -> Usage:
    """This address's use of ``group`` in the current hour; ``count`` adds this request.

    The count is kept under the group's default limit (one counter per address and hour,
    whatever its allowance); only a count past the default asks for the address's allowance,
    so the usual request makes no round trip for it."""
    default = _default_per_hour(group)
    usage = get_usage(request, group=group, key="ip", rate=(default, 3600), increment=count)
    if usage is None:
        return Usage(False, 0)
    limited = bool(usage["should_limit"])
    if limited and usage["limit"]:  # limit 0: the cache failed, and the request is refused
        limited = usage["count"] > address_limit(request, group)
    return Usage(limited, max(int(usage["time_left"]), 1))


def too_many(request: HttpRequest, usage: Usage) -> HttpResponse:
    """The Chinese 429 page."""
    response = render(
        request,
        "accounts/too_many.html",
        {"message": TOO_MANY.format(wait=wait_text(usage.retry_after))},
        status=429,
    )
    response["Retry-After"] = str(usage.retry_after)
    return response


def device_id(request: HttpRequest) -> str:
    """The device id of the request's signed cookie, or "" (none, or forged)."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    return value if isinstance(value, str) and len(value) == 32 and value.isalnum() else ""


def device_cookie_ensure(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser a device id when it has none (public pages call this on every answer)."""
    if not device_id(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_hex(16),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _device_key(group: str, request: HttpRequest) -> str:
    return device_id(request)


def device_usage(
    request: HttpRequest, *, group: str, count: bool, per_hour: int = PUBLIC_POSTS_PER_DEVICE
) -> Usage:
    """This device's use of ``group`` in the current hour (no device: never limited here)."""
    if not device_id(request):
        return Usage(False, 0)
    usage = get_usage(
        request,
        group=f"{group}-device",
        key=_device_key,
        rate=(per_hour, 3600),
        increment=count,
    )
    if usage is None:
        return Usage(False, 0)
    return Usage(bool(usage["should_limit"]), max(int(usage["time_left"]), 1))


def public_post_limited(request: HttpRequest) -> Usage:
    """Count a POST of a public form (no login) against the address and the device; every
    POST counts. The answer is the stricter of the two."""
    by_address = address_usage(request, group="public-post", count=True)
    by_device = device_usage(request, group="public-post", count=True)
    if by_address.limited and by_device.limited:
        return Usage(True, max(by_address.retry_after, by_device.retry_after))
    return by_address if by_address.limited else by_device


# -- per account ------------------------------------------------------------------------------


def _locked(username: str, address: str) -> LoginThrottle:
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, address=address
    )
    if row.last_failure_at and row.last_failure_at < _now() - RESET_AFTER:
        row.failures = row.refused = 0
    return row


def _wait_after(row: LoginThrottle, *, free: int, cap: int, now: datetime) -> int:
    if row.failures < free or row.last_failure_at is None:
        return 0
    delay = min(2 ** min(row.failures - free, 20), cap)
    return max(math.ceil((row.last_failure_at + timedelta(seconds=delay) - now).total_seconds()), 0)


def _known(row: LoginThrottle, now: datetime) -> bool:
    return row.last_success_at is not None and row.last_success_at >= now - KNOWN_FOR


@transaction.atomic
def login_attempt_reserve(*, username: str, address: str) -> int:
    """Count one attempt before the password is checked; the seconds to wait, 0 = check it."""
    now = _now()
    account = _locked(username, LoginThrottle.ALL_ADDRESSES)  # always account first: no deadlock
    pair = _locked(username, address)
    wait = _wait_after(pair, free=FREE_FAILURES, cap=MAX_PAIR_DELAY, now=now)
    if not _known(pair, now):
        wait = max(
            wait, _wait_after(account, free=ACCOUNT_THRESHOLD, cap=MAX_ACCOUNT_DELAY, now=now)
        )
    for row in (account, pair):
        if wait:
            row.refused += 1
        else:
            row.failures += 1
            row.last_failure_at = now
        row.save()
    return wait


@transaction.atomic
def login_failed(*, username: str, address: str, user: User | None) -> None:
    """The password was wrong (the attempt is already counted): audit it."""
    user = user or User.objects.filter(username=username).first()
    obj = user or LoginThrottle.objects.get(username=username, address=address)
    audit_record(
        actor=None, action="login.failure", obj=obj, comment=f"来自 {address or '未知地址'}"
    )


@transaction.atomic
def login_succeeded(*, user: User, username: str, address: str) -> None:
    """Reset the pair, give back the attempt reserved on the account, audit the login."""
    LoginThrottle.objects.filter(username=username, address=address).update(
        failures=0, refused=0, last_success_at=_now()
    )
    LoginThrottle.objects.filter(
        username=username, address=LoginThrottle.ALL_ADDRESSES, failures__gt=0
    ).update(failures=F("failures") - 1)
    audit_record(
        actor=user, action="login.success", obj=user, comment=f"来自 {address or '未知地址'}"
    )


def login_throttles_clear(*, username: str) -> None:
    """Forget an account's failures (a password reset)."""
    LoginThrottle.objects.filter(username=username).update(failures=0, refused=0)


# -- the office's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleRow:
    row: LoginThrottle
    wait: int


def throttle_rows(rows: QuerySet[LoginThrottle]) -> list[ThrottleRow]:
    now = _now()
    out = []
    for row in rows:
        if row.last_failure_at and row.last_failure_at < now - RESET_AFTER:
            continue
        if row.address:
            wait = _wait_after(row, free=FREE_FAILURES, cap=MAX_PAIR_DELAY, now=now)
        else:
            wait = _wait_after(row, free=ACCOUNT_THRESHOLD, cap=MAX_ACCOUNT_DELAY, now=now)
        out.append(ThrottleRow(row, wait))
    return out
