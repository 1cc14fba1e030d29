"""The tallies equal a direct count from the rows: hand-counted, after state changes, and
after a rebuild."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.dashboards.conftest import evaluation_data
from wenming.campaigns.models import Application, Evaluation, State
from wenming.campaigns.publicity import objection_file, objection_resolve
from wenming.campaigns.services import application_pass, evaluation_record, score_result
from wenming.dashboards.models import Entry, LossSum, StateCount
from wenming.dashboards.services import dashboards_rebuild, losses_of

pytestmark = pytest.mark.django_db


def states(campaign, kind, key):
    rows = StateCount.objects.filter(campaign=campaign, kind=kind, key=key)
    counted: Counter[tuple[str, str]] = Counter()
    for row in rows:
        counted[(row.state, row.grade)] += row.count
    return {k: n for k, n in counted.items() if n}


def losses(campaign, kind, key):
    rows = LossSum.objects.filter(campaign=campaign, kind=kind, key=key)
    counted: Counter[str] = Counter()
    for row in rows:
        counted[row.code] += row.lost_centi
    return {k: n for k, n in counted.items() if n}


def snapshot():
    return (
        sorted(
            (r.campaign_id, r.kind, r.key, r.unit_type_id, r.state, r.grade, r.count)
            for r in StateCount.objects.all()
            if r.count
        ),
        sorted(
            (r.campaign_id, r.kind, r.key, r.unit_type_id, r.code, r.lost_centi)
            for r in LossSum.objects.all()
            if r.lost_centi
        ),
    )


def direct_losses(applications) -> Counter[str]:
    """Points lost per indicator, straight from each application's latest evaluation."""
    total: Counter[str] = Counter()
    for application in applications:
        evaluation = Evaluation.objects.filter(application=application).first()
        assert evaluation is not None
        card, _ = score_result(application, evaluation.data)
        assert card is not None
        total.update(losses_of(card))
    return total


def test_hand_counted_states_grades_and_points_lost(board):
    world, campaign = board.world, board.campaign
    in_review = State.IN_REVIEW.value
    assert states(campaign, "region", world.city.pk) == {
        (in_review, "达标"): 4,
        (in_review, "不达标"): 1,
    }
    assert states(campaign, "region", world.east.pk) == {
        (in_review, "达标"): 3,
        (in_review, "不达标"): 1,
    }
    assert states(campaign, "region", world.town.pk) == {(in_review, "达标"): 2}
    assert states(campaign, "region", world.west.pk) == {(in_review, "达标"): 1}
    assert states(campaign, "body", world.bureau.pk) == {(in_review, "达标"): 3}
    # A1.4: 15 points lost by 临江第二, 江东实验, 江西第一; A1.6: 2 + 2 + 1
    assert losses(campaign, "region", world.city.pk) == {"A1.4": 4500, "A1.6": 500}
    assert losses(campaign, "region", world.east.pk) == {"A1.4": 3000, "A1.6": 500}
    assert losses(campaign, "region", world.west.pk) == {"A1.4": 1500}
    assert losses(campaign, "body", world.bureau.pk) == {"A1.4": 3000, "A1.6": 400}
    assert dict(direct_losses(board.applications.values())) == {"A1.4": 4500, "A1.6": 500}


def test_state_changes_move_the_counts_and_a_rebuild_agrees(board):
    world, campaign = board.world, board.campaign
    office = world.people.city_office
    for application in board.applications.values():
        application_pass(actor=office, application_id=application.pk, version=application.version)
    assert states(campaign, "region", world.city.pk) == {
        (State.LISTED.value, "达标"): 4,
        (State.NOT_PASSED.value, "不达标"): 1,
    }
    # an upheld objection takes one unit off the list
    from datetime import timedelta

    from django.utils import timezone

    from wenming.campaigns.publicity import campaign_publish

    today = timezone.localdate()
    campaign_publish(actor=office, campaign=campaign, start=today - timedelta(days=1))
    listed = Application.objects.get(pk=board.applications["江西第一小学"].pk)
    objection = objection_file(
        application=listed, name="张三", phone="13800000000", text="材料造假", today=today
    )
    objection_resolve(actor=office, objection=objection, upheld=True, resolution="经查属实")
    assert states(campaign, "region", world.west.pk) == {(State.REMOVED.value, "达标"): 1}
    assert states(campaign, "region", world.city.pk)[(State.LISTED.value, "达标")] == 3
    before = snapshot()
    dashboards_rebuild()
    assert snapshot() == before
    assert Entry.objects.count() == 5


def test_a_second_evaluation_replaces_the_first_ones_losses(board):
    world, campaign = board.world, board.campaign
    application = board.applications["临江第二小学"]
    unit = application.unit
    evaluation_record(
        actor=world.people.city_office,
        application=application,
        data=evaluation_data(campaign.edition, unit, {"A1.6": 5}, False),
        source="paper",
    )
    assert losses(campaign, "region", world.town.pk) == {"A1.6": 700}
    assert losses(campaign, "region", world.city.pk) == {"A1.4": 3000, "A1.6": 800}
    assert dict(direct_losses(board.applications.values())) == {"A1.4": 3000, "A1.6": 800}
    before = snapshot()
    dashboards_rebuild()
    assert snapshot() == before


def test_a_unit_moved_to_another_region_is_taken_off_where_it_was_counted(board):
    world, campaign = board.world, board.campaign
    application = board.applications["江西第一小学"]
    unit = application.unit
    unit.region = world.town
    unit.save()
    Application.objects.filter(pk=application.pk).update(region_path=unit.region_path)
    application_pass(
        actor=world.people.city_office, application_id=application.pk, version=application.version
    )
    assert states(campaign, "region", world.west.pk) == {}
    assert states(campaign, "region", world.town.pk)[(State.LISTED.value, "达标")] == 1
    before = snapshot()
    dashboards_rebuild()
    assert snapshot() == before
