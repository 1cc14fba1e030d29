"""The on-site sync endpoint fed generated bodies: 200 with Chinese answers or a Chinese 400,
never a server error; a refused body writes nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import is_chinese, mutated
from tests.onsite.conftest import onsite  # noqa: F401
from wenming.frameworks.selectors import engine_of
from wenming.onsite.assignments import assignment_create
from wenming.onsite.models import Score

pytestmark = pytest.mark.django_db

BUDGET = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def test_generated_bodies(client, world, onsite):  # noqa: F811
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )
    codes = sorted(engine_of(onsite.campaign.edition).styles)
    entry = st.fixed_dictionaries(
        {},
        optional={
            "client_id": st.one_of(st.uuids().map(str), st.text(max_size=70)),
            "assignment": st.one_of(st.just(assignment.pk), st.integers(), st.text(max_size=5)),
            "code": st.one_of(st.sampled_from(codes), st.text(max_size=70)),
            "value": st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.none()),
            "reason": st.one_of(st.text(max_size=20), st.none()),
            "note": st.text(max_size=20),
            "entered_at": st.one_of(st.datetimes().map(str), st.text(max_size=30), st.none()),
            "extra": json_values,
        },
    )
    valid = json.dumps(
        {
            "entries": [
                {
                    "client_id": str(uuid.uuid4()),
                    "assignment": assignment.pk,
                    "code": codes[0],
                    "value": "1",
                }
            ]
        }
    ).encode()
    bodies = st.one_of(
        st.builds(lambda e: json.dumps({"entries": e}).encode(), st.lists(entry, max_size=5)),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated(valid),
        st.binary(max_size=100),
    )
    client.force_login(onsite.experts.c.user)

    @BUDGET
    @given(bodies)
    def run(body: bytes) -> None:
        before = Score.objects.count()
        response = client.post(reverse("onsite:sync"), body, content_type="application/json")
        assert response.status_code in (200, 400), response.status_code
        answer = response.json()
        if response.status_code == 400:
            assert is_chinese(answer["error"]), answer
            assert Score.objects.count() == before
        else:
            assert all(a["ok"] or is_chinese(a["error"]) for a in answer["answers"]), answer

    run()
