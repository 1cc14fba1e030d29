"""Single sign-on settings, read from the environment by ``wenming.settings``.

Each way in is off unless configured: LDAP/AD when ``WENMING_LDAP_URL`` is set, OIDC when
``WENMING_OIDC_CLIENT_ID`` and either ``WENMING_OIDC_ISSUER`` (endpoints found by discovery) or
the endpoints themselves are set. Local passwords always work (the first backend). The README's
Configuration section lists every variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# local passwords: Django's ModelBackend reading the person prepared (wenming.accounts.backends);
# sessions from before it name Django's own, and are carried over
LOCAL_BACKEND = "wenming.accounts.backends.LocalBackend"
DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"
LDAP_BACKEND = "wenming.accounts.ldap_backend.DirectoryLDAPBackend"
OIDC_BACKEND = "wenming.accounts.oidc.DirectoryOIDCBackend"

GROUP_TYPES = {
    "groupofnames": "GroupOfNamesType",
    "nestedgroupofnames": "NestedGroupOfNamesType",
    "groupofuniquenames": "GroupOfUniqueNamesType",
    "posixgroup": "PosixGroupType",
    "activedirectory": "NestedActiveDirectoryGroupType",
}


def _on(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name, "1" if default else "0").strip().lower()
    return value in ("1", "true", "yes")


def ldap_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``AUTH_LDAP_*`` settings for django-auth-ldap, or {} when LDAP is not configured."""
    url = env.get("WENMING_LDAP_URL", "").strip()
    if not url:
        return {}
    try:
        import ldap  # type: ignore[import-untyped]
        from django_auth_ldap import config  # type: ignore[import-untyped]
    except ImportError:
        raise ImproperlyConfigured(
            "已设置 WENMING_LDAP_URL,但未安装 LDAP 登录组件:"
            "先安装 libldap2-dev、libsasl2-dev,再执行 pip install -e '.[ldap]'"
        ) from None

    group_type_name = env.get("WENMING_LDAP_GROUP_TYPE", "groupOfNames").strip().lower()
    if group_type_name not in GROUP_TYPES:
        raise ValueError(f"WENMING_LDAP_GROUP_TYPE must be one of {', '.join(sorted(GROUP_TYPES))}")
    timeout = int(env.get("WENMING_LDAP_TIMEOUT", "5"))
    result: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": url,
        "AUTH_LDAP_BIND_DN": env.get("WENMING_LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": env.get("WENMING_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": _on(env, "WENMING_LDAP_START_TLS"),
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,  # Active Directory: do not chase referrals anonymously
        },
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            env.get("WENMING_LDAP_USER_BASE", ""),
            ldap.SCOPE_SUBTREE,
            env.get("WENMING_LDAP_USER_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": env.get("WENMING_LDAP_NAME_ATTR", "cn"),
            "email": env.get("WENMING_LDAP_MAIL_ATTR", "mail"),
        },
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,  # group changes count at the next login
    }
    if group_base := env.get("WENMING_LDAP_GROUP_BASE", "").strip():
        result["AUTH_LDAP_GROUP_SEARCH"] = config.LDAPSearch(
            group_base,
            ldap.SCOPE_SUBTREE,
            env.get("WENMING_LDAP_GROUP_FILTER", "(objectClass=*)"),
        )
        result["AUTH_LDAP_GROUP_TYPE"] = getattr(config, GROUP_TYPES[group_type_name])()
    return result


def oidc_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``OIDC_*`` settings for mozilla-django-oidc, or {} when OIDC is not configured."""
    client_id = env.get("WENMING_OIDC_CLIENT_ID", "").strip()
    issuer = env.get("WENMING_OIDC_ISSUER", "").strip().rstrip("/")
    endpoints = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env.get("WENMING_OIDC_AUTHORIZATION_ENDPOINT", ""),
        "OIDC_OP_TOKEN_ENDPOINT": env.get("WENMING_OIDC_TOKEN_ENDPOINT", ""),
        "OIDC_OP_USER_ENDPOINT": env.get("WENMING_OIDC_USERINFO_ENDPOINT", ""),
        "OIDC_OP_JWKS_ENDPOINT": env.get("WENMING_OIDC_JWKS_ENDPOINT", ""),
    }
    if not client_id or not (issuer or all(endpoints.values())):
        return {}
    return {
        "WENMING_OIDC_ISSUER": issuer,
        **{name: value.strip() for name, value in endpoints.items() if value.strip()},
        "OIDC_RP_CLIENT_ID": client_id,
        # logging out of Wenming also ends the provider's session (RP-initiated logout) when
        # the provider has an end-session endpoint (configured, or from discovery); the ID
        # token is kept in the session as the logout's hint
        "OIDC_OP_LOGOUT_ENDPOINT": env.get("WENMING_OIDC_LOGOUT_ENDPOINT", "").strip(),
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_RP_CLIENT_SECRET": env.get("WENMING_OIDC_CLIENT_SECRET", ""),
        "OIDC_RP_SCOPES": env.get("WENMING_OIDC_SCOPES", "openid profile email"),
        "OIDC_RP_SIGN_ALGO": env.get("WENMING_OIDC_SIGN_ALGO", "RS256"),
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_TIMEOUT": int(env.get("WENMING_OIDC_TIMEOUT", "10")),
        "OIDC_VERIFY_SSL": _on(env, "WENMING_OIDC_VERIFY_SSL", default=True),
        "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:oidc_callback",
        "WENMING_OIDC_ROLE_CLAIMS": tuple(
            c.strip() for c in env.get("WENMING_OIDC_ROLE_CLAIMS", "groups").split(",") if c.strip()
        ),
        "WENMING_OIDC_USERNAME_CLAIM": env.get("WENMING_OIDC_USERNAME_CLAIM", "preferred_username"),
        "WENMING_OIDC_LABEL": env.get("WENMING_OIDC_LABEL", "统一身份认证登录"),
    }


def sso_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Every setting single sign-on adds, with the authentication backends in order."""
    ldap = ldap_settings(env)
    oidc = oidc_settings(env)
    backends = [LOCAL_BACKEND]
    if ldap:
        backends.append(LDAP_BACKEND)
    if oidc:
        backends.append(OIDC_BACKEND)
    return {
        **ldap,
        **oidc,
        "AUTHENTICATION_BACKENDS": backends,
        "WENMING_LDAP_ENABLED": bool(ldap),
        "WENMING_OIDC_ENABLED": bool(oidc),
    }
