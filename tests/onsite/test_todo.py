"""An expert's to-do list holds each assigned unit until it is scored in full; a team leader's
also holds each reconciliation sheet until it is signed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.onsite.test_scoring import entries_for
from wenming.frameworks.selectors import engine_of
from wenming.notices.todo import todos_for
from wenming.onsite.assignments import assignment_create
from wenming.onsite.scoring import scores_sync

pytestmark = pytest.mark.django_db


def onsite_todos(user):
    return [t for t in todos_for(user, today=timezone.localdate()) if t.kind == "onsite"]


def test_assigned_units_wait_on_the_expert_until_scored(world, onsite, client):
    people, experts = world.people, onsite.experts
    engine = engine_of(onsite.campaign.edition)
    assignments = [
        assignment_create(actor=people.east_office, team=onsite.teams.one, application=a)
        for a in onsite.applications[:2]
    ]
    total = sum(1 for node, _, _ in engine.framework.walk() if node.is_leaf)
    member = onsite_todos(experts.b.user)
    assert sorted(t.url for t in member) == sorted(
        reverse("onsite:score", args=[a.pk]) for a in assignments
    )
    assert all(t.title == f"现场测评:已评0/{total}项" for t in member)
    assert {t.unit_name for t in member} == {a.unit.name for a in assignments}
    # the leader also signs each sheet
    leader = onsite_todos(experts.a.user)
    assert (
        sum(t.url == reverse("onsite:sheet", args=[a.pk]) for t in leader for a in assignments) == 2
    )
    # a member who scored one unit in full keeps only the other
    answers = scores_sync(actor=experts.b.user, entries=entries_for(engine, assignments[0]))
    assert all(a.ok for a in answers)
    member = onsite_todos(experts.b.user)
    assert [t.url for t in member] == [reverse("onsite:score", args=[assignments[1].pk])]
    # an expert of no team has nothing to do; the home page counts the expert's items
    assert onsite_todos(experts.town.user) == []
    client.force_login(experts.b.user)
    page = client.get(reverse("todo")).content.decode()
    assert "现场测评:已评0/" in page and assignments[1].unit.name in page
