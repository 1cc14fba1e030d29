"""Login through an OIDC provider (mozilla-django-oidc), mapped by the directory rules.

Configured by environment (``wenming.accounts.sso_settings``). With only an issuer, the
endpoints come from the provider's discovery document, fetched once when first needed (so the
server starts even while the provider is away). The account is found by the token's ``sub``,
never by e-mail or user name; the claims named by ``WENMING_OIDC_ROLE_CLAIMS`` (default
``groups``) are matched against the rules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.utils import import_from_settings  # type: ignore[import-untyped]

from wenming.accounts.directory import directory_login
from wenming.accounts.models import Directory

LOGGER = logging.getLogger(__name__)

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}

_discovery: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def oidc_enabled() -> bool:
    return bool(getattr(settings, "WENMING_OIDC_ENABLED", False))


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (cached per issuer once it was read successfully)."""
    with _discovery_lock:
        if issuer in _discovery:
            return _discovery[issuer]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration",
        timeout=import_from_settings("OIDC_TIMEOUT", 10),
        verify=import_from_settings("OIDC_VERIFY_SSL", True),
    )
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ImproperlyConfigured("OIDC discovery document is not an object")
    with _discovery_lock:
        _discovery[issuer] = document
    return document


def discovery_forget() -> None:
    with _discovery_lock:
        _discovery.clear()


def oidc_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint not configured comes from discovery."""
    value = getattr(settings, attr, None)
    if value:
        return value
    issuer = getattr(settings, "WENMING_OIDC_ISSUER", "")
    if attr in DISCOVERED and issuer:
        found = discovery(issuer).get(DISCOVERED[attr])
        if isinstance(found, str) and found:
            return found
    return import_from_settings(attr, *default)


def claim_values(claims: dict[str, Any], names: Iterable[str]) -> set[str]:
    """Every string value of the named claims (a claim may be one string or a list of them)."""
    values: set[str] = set()
    for name in names:
        raw = claims.get(name)
        items = raw if isinstance(raw, list) else [raw]
        values |= {item for item in items[:1000] if isinstance(item, str)}
    return values


class DirectoryOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every login, password logins too: the endpoints
        # (perhaps from discovery, over the network) are read only for an OIDC callback.
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        if request is None or "code" not in request.GET or "nonce" not in kwargs:
            return None
        try:
            super().__init__()
            user: User | None = super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,
            ImproperlyConfigured,
            requests.RequestException,
            jwt.PyJWTError,
            ValueError,
            KeyError,
        ) as exc:
            LOGGER.warning("OIDC login refused: %s", exc)
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The signature and nonce (mozilla-django-oidc), then audience and issuer."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client")
        issuer = getattr(settings, "WENMING_OIDC_ISSUER", "")
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("ID token issuer is not the configured issuer")
        self._id_claims = payload
        return payload

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's signing key for this token: by ``kid`` when the token names one,
        else the provider's only key for the algorithm (many providers publish one key)."""
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        response.raise_for_status()
        header = jwt.get_unverified_header(token)
        keys = [
            key
            for key in response.json().get("keys", [])
            if isinstance(key, dict)
            and key.get("use", "sig") == "sig"
            and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("no single matching signing key")
        return jwt.PyJWK(keys[0], algorithm=header.get("alg"))

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return isinstance(claims.get("sub"), str) and 0 < len(claims["sub"]) <= 255

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict):
            return None
        claims = {**getattr(self, "_id_claims", {}), **userinfo}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("no usable subject in the claims")
        if userinfo.get("sub") != getattr(self, "_id_claims", {}).get("sub", userinfo.get("sub")):
            raise SuspiciousOperation("user info is about another subject")
        names = getattr(settings, "WENMING_OIDC_ROLE_CLAIMS", ("groups",))
        username_claim = getattr(settings, "WENMING_OIDC_USERNAME_CLAIM", "preferred_username")
        username = claims.get(username_claim)
        full_name = claims.get("name")
        email = claims.get("email")
        return directory_login(
            source=Directory.OIDC,
            external_id=claims["sub"],
            values=claim_values(claims, names),
            username=username if isinstance(username, str) else "",
            full_name=full_name if isinstance(full_name, str) else "",
            email=email if isinstance(email, str) and "@" in email else "",
        )
