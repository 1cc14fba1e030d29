"""Login through LDAP / Active Directory (django-auth-ldap), mapped by the directory rules.

The login form stays the same (and so does its throttling: the attempt is counted before any
backend checks the password). The local password backend is asked first; this one binds as the
person, reads their groups and hands them to :func:`wenming.accounts.directory.directory_login`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, populate_user  # type: ignore[import-untyped]

from wenming.accounts.directory import directory_account, directory_login
from wenming.accounts.models import AccountState, Directory


@receiver(populate_user)
def _fit_columns(sender: Any, user: User, ldap_user: Any, **kwargs: Any) -> None:
    """A directory's names and addresses may be longer than the account's columns."""
    user.first_name = (user.first_name or "")[:150]
    user.last_name = (user.last_name or "")[:150]
    user.email = (user.email or "")[:254] if "@" in (user.email or "") else ""


class DirectoryLDAPBackend(LDAPBackend):  # type: ignore[misc]
    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        """The person's directory account; never a local account of the same name."""
        key = username.strip().lower()
        found = directory_account(source=Directory.LDAP, external_id=key)
        if found is not None:
            return found, False
        taken = User.objects.filter(username__iexact=key).first()
        if taken is not None:
            # a half-made directory account (no state row yet, no password) may be completed;
            # a local account may not be taken over
            if taken.has_usable_password() or AccountState.objects.filter(user=taken).exists():
                raise ldap_user.AuthenticationFailed("a local account has this name")
            return taken, False
        return User(username=key), True

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        user: User | None = ldap_user.authenticate(password)
        if user is None:
            return None
        groups = set(ldap_user.group_dns) if self.settings.GROUP_SEARCH else set()
        if self.settings.GROUP_SEARCH:
            groups |= set(ldap_user.group_names)
        return directory_login(
            source=Directory.LDAP,
            external_id=str(getattr(user, "ldap_username", user.username)).strip().lower(),
            values=groups,
            full_name=user.first_name,
            email=user.email,
            user=user,
        )
