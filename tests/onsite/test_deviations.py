"""Experts' deviations from the item means: kept per unit as scores arrive, so a synced batch
reads only its own unit's scores and the office's page never scans the campaign's scores."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.onsite.conftest import make_expert
from wenming.onsite.assignments import assignment_create
from wenming.onsite.models import Score
from wenming.onsite.reconciliation import expert_deviations
from wenming.onsite.scoring import scores_sync
from wenming.onsite.selectors import settings_of
from wenming.onsite.teams import team_create

pytestmark = pytest.mark.django_db


def batch(assignment, values):
    """One phone's batch: item (B2.3, B3.3, C3.2 of 10 points, E1.1 of 20, all scored
    directly) → the score typed, with a reason for a deduction."""
    return [
        {
            "client_id": str(uuid.uuid4()),
            "assignment": assignment.pk,
            "code": code,
            "value": str(value),
            "reason": "现场查看发现不足",
            "entered_at": timezone.now().isoformat(),
        }
        for code, value in values.items()
    ]


def sync(expert, assignment, values):
    answers = scores_sync(actor=expert.user, entries=batch(assignment, values))
    assert all(a.ok for a in answers), [a.error for a in answers if not a.ok]


@pytest.fixture
def two_teams(world, onsite):
    """Team one (赵, 钱, 孙) at the first school, team two (周, 吴) at the fourth."""
    zhou = make_expert(world, "zhou", name="周专家")
    wu = make_expert(world, "wu", name="吴专家")
    two = team_create(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        name="第二组",
        leader=zhou,
        members=[wu],
    )
    office = world.people.east_office
    first = assignment_create(
        actor=office, team=onsite.teams.one, application=onsite.applications[0]
    )
    fourth = assignment_create(actor=office, team=two, application=onsite.applications[3])
    e = onsite.experts
    sync(e.a, first, {"C3.2": 9, "E1.1": 8, "B2.3": 10, "B3.3": 7})
    sync(e.b, first, {"C3.2": 8, "E1.1": 8, "B2.3": 9, "B3.3": 7})
    sync(e.c, first, {"C3.2": 5, "E1.1": 6, "B2.3": 6, "B3.3": 4})
    sync(zhou, fourth, {"C3.2": 9, "E1.1": 9, "B2.3": 8, "B3.3": 10})
    sync(wu, fourth, {"C3.2": 7, "E1.1": 9, "B2.3": 6, "B3.3": 9})
    return first, fourth, zhou, wu


def from_the_scores(campaign):
    """Each expert's (n, mean, z) recomputed here from every score of the campaign."""
    scores = list(Score.objects.filter(campaign=campaign, points_centi__gt=0))
    items = defaultdict(list)
    for s in scores:
        items[(s.application_id, s.code)].append(s.score_centi)
    deviations = defaultdict(list)
    for s in scores:
        values = items[(s.application_id, s.code)]
        mean = sum(values) / len(values)
        deviations[s.expert_id].append((s.score_centi - mean) * 100 / s.points_centi)
    out = {}
    for expert_id, ds in deviations.items():
        n, mean = len(ds), sum(ds) / len(ds)
        variance = sum((d - mean) ** 2 for d in ds) / (n - 1) if n > 1 else 0.0
        error = math.sqrt(variance / n)
        out[expert_id] = (n, round(mean, 2), round(mean / error, 2) if error > 1e-9 else 0.0)
    return out


def shown(campaign, **kwargs):
    return {
        d.expert_id: (d.n, d.mean, d.z)
        for d in expert_deviations(campaign, settings_of(campaign), **kwargs)
    }


def test_deviations_equal_a_recount_over_every_score_as_batches_arrive(onsite, two_teams):
    first, _fourth, _zhou, _wu = two_teams
    assert shown(onsite.campaign) == from_the_scores(onsite.campaign)
    # 孙 raises one score: the item's mean moves, and with it 赵's and 钱's deviations
    before = shown(onsite.campaign)
    sync(onsite.experts.c, first, {"C3.2": 9})
    after = shown(onsite.campaign)
    assert after == from_the_scores(onsite.campaign)
    a, b = onsite.experts.a.user_id, onsite.experts.b.user_id
    assert after[a] != before[a] and after[b] != before[b]
    # the sheet page asks for its team only
    assert set(shown(onsite.campaign, experts=[a, b])) == {a, b}
    assert shown(onsite.campaign, experts=[]) == {}


def test_a_batch_for_one_team_reads_no_other_teams_scores(onsite, two_teams):
    _first, fourth, zhou, _wu = two_teams
    with CaptureQueriesContext(connection) as queries:
        sync(zhou, fourth, {"C3.2": 6, "B2.3": 7})
    over_scores = [
        q["sql"]
        for q in queries.captured_queries
        if "onsite_score" in q["sql"] and ("GROUP BY" in q["sql"] or "OVER (" in q["sql"])
    ]
    # the unit's figures and its deviation sums, each limited to the unit synced
    assert len(over_scores) == 2, over_scores
    for sql in over_scores:
        assert f"application_id IN ({fourth.application_id})" in sql, sql
    assert shown(onsite.campaign) == from_the_scores(onsite.campaign)


def test_the_office_page_adds_up_deviations_without_reading_the_scores(
    client, world, onsite, two_teams
):
    client.force_login(world.people.east_office)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("onsite:campaign", args=[onsite.campaign.pk]))
    assert page.status_code == 200
    assert not [q for q in queries.captured_queries if "onsite_score" in q["sql"]]
    html = page.content.decode()
    n, mean, z = from_the_scores(onsite.campaign)[onsite.experts.c.user_id]
    row = f'<td>孙专家</td><td class="num">{n}</td><td class="num">{mean}</td><td class="num">{z}</td>'
    assert row in html


def test_the_office_page_lists_assignments_a_page_at_a_time(
    client, world, onsite, two_teams, monkeypatch
):
    from wenming.onsite.models import Assignment
    from wenming.onsite.views import office

    assigned = Assignment.objects.filter(campaign=onsite.campaign).count()
    assert assigned >= 2
    monkeypatch.setattr(office, "ASSIGNMENTS_PER_PAGE", 1)
    client.force_login(world.people.east_office)
    url = reverse("onsite:campaign", args=[onsite.campaign.pk])
    first = client.get(url).content.decode()
    assert f"已分派 {assigned} 个单位" in first and f"第 1 / {assigned} 页" in first
    assert first.count("合议表</a>") == 1 and '<a href="?page=2">下一页</a>' in first
    last = client.get(url, {"page": assigned}).content.decode()
    assert last.count("合议表</a>") == 1 and "下一页" not in last
    assert client.get(url, {"page": "abc"}).status_code == 400  # refused, as every parameter
