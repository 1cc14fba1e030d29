"""The local backend: the person read prepared on every page, Django's rules kept, and sessions
from before it carried over."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wenming.accounts.backends import LocalBackend
from wenming.accounts.sso_settings import DJANGO_BACKEND, LOCAL_BACKEND

PASSWORD = "Strong-pass-2026"


def _session_of(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value).get_decoded()


def test_logging_in_names_the_local_backend_and_reads_the_person_once_a_page(client, world):
    assert (
        client.post(reverse("login"), {"username": "filler", "password": PASSWORD})["Location"]
        == "/"
    )
    assert _session_of(client)[BACKEND_SESSION_KEY] == LOCAL_BACKEND
    with CaptureQueriesContext(connection) as seen:
        assert client.get(reverse("notices:list")).status_code == 200
    person_reads = [q["sql"] for q in seen if 'FROM "auth_user"' in q["sql"]]
    assert len(person_reads) == 1 and '"auth_user"."password"' in person_reads[0]


def test_the_backend_gives_the_person_or_nobody(world):
    backend = LocalBackend()
    filler = world.people.filler
    assert backend.get_user(filler.pk) == filler
    assert backend.get_user(str(filler.pk)) == filler  # as a session keeps it
    assert backend.get_user(10**9) is None
    assert backend.get_user("not a number") is None
    filler.is_active = False
    filler.save(update_fields=["is_active"])
    assert backend.get_user(filler.pk) is None  # Django's rule: inactive accounts are out


def test_a_deactivated_persons_session_ends(client, world):
    client.force_login(world.people.filler)
    assert client.get(reverse("notices:list")).status_code == 200
    world.people.filler.is_active = False
    world.people.filler.save(update_fields=["is_active"])
    assert client.get(reverse("notices:list")).status_code == 302


def test_a_new_password_ends_the_other_sessions(client, world):
    filler = world.people.filler
    client.force_login(filler)
    filler.set_password("Another-pass-2026")
    filler.save()
    assert client.get(reverse("notices:list")).status_code == 302  # the session hash differs


def test_a_session_from_before_the_local_backend_stays_logged_in(client, world):
    filler = world.people.filler
    session = client.session
    session[SESSION_KEY] = str(filler.pk)
    session[BACKEND_SESSION_KEY] = DJANGO_BACKEND
    session[HASH_SESSION_KEY] = filler.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key
    page = client.get(reverse("notices:list"))
    assert page.status_code == 200 and page.context["user"] == filler
    assert _session_of(client)[BACKEND_SESSION_KEY] == LOCAL_BACKEND  # carried over once


def test_a_session_naming_an_unknown_backend_is_nobodys(client, world):
    filler = world.people.filler
    session = client.session
    session[SESSION_KEY] = str(filler.pk)
    session[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    session[HASH_SESSION_KEY] = filler.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert client.get(reverse("notices:list")).status_code == 302
